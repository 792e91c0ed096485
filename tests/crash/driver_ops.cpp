#include "driver_ops.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "crash_protocol.hpp"

namespace billing::crash {

namespace {

const std::vector<std::string> services = {"telegram", "whatsapp", "facebook", "google"};
const std::vector<std::string> countries = {"us", "gb", "de"};
// Mostly one day, so that some rentals end during the run; now and then the longest one.
const std::vector<std::string> rental_hours = {"24", "24", "24", "48", "72", "1344"};
// Extensions: mostly ones that fit, now and then one past the longest rental (denied).
const std::vector<std::string> extension_hours = {"1", "24", "24", "48", "1344"};
// How far one advance moves the lab tenant's clock: across the 2-minute cancel mark, into and
// past the 20-minute windows, and now and then a day, so that rentals end too.
const std::vector<std::int64_t> advance_steps_ms = {30'000, 90'000, 180'000, 600'000, 1'500'000, 86'400'000};
// Per cent of operations sent to the lab tenant, and of writer 0's of those, the advances of
// its clock. Only writer 0 advances: an advance sent again after a kill must find the clock where
// its driver left it, not moved past its target by another writer's advance (a test clock only
// moves forward, so that would refuse it).
constexpr int lab_share_pct = 30;
constexpr int lab_advance_pct = 15;
constexpr int advancing_writer = 0;
// Every this many answers of a driver's writers, a STATS line (crash_protocol.hpp): a killed
// driver has reported its batches up to a few answers before the kill.
constexpr int stats_every_answers = 4;
// A killed driver's claim on a lab timer (a lease in the driver's clock, the engine's) holds
// it until the lease ends: 60 simulated seconds, 3 real ms at scale 20000.
constexpr std::int64_t lab_lease_s = 60;
constexpr int lab_timer_rounds_max = 500;

std::string join(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) {
        if (!line.empty()) line += ' ';
        line += word;
    }
    return line;
}

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "billing_crash_driver: %s\n", why.c_str());
    std::_Exit(6);
}

// The HTTP layer stores the SHA-256 of the request body; any 64 hex digits that depend on the
// request do here.
std::string request_hash(const std::string& body) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest;
    for (std::uint64_t round = 0; round < 4; ++round) {
        std::uint64_t h = 1469598103934665603ULL ^ round;
        for (const char c : body) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        for (int i = 0; i < 16; ++i, h >>= 4U) digest += hex[h & 0xFU];
    }
    return digest;
}

// The key, the request's hash and the answer to store with the effect: the ACK's result words,
// so that a retry that finds the key answers (DUP) with exactly what was committed.
template <class T>
IdempotencyKey<T> idempotency_for(const std::vector<std::string>& words, std::function<std::string(const T&)> answer) {
    return IdempotencyKey<T>{words.at(1), request_hash(join(words)), [answer = std::move(answer)](const T& result) {
                                 return IdempotencyResponse{200, answer(result)};
                             }};
}

void expect_words(const std::vector<std::string>& words, std::size_t count) {
    if (words.size() != count) die("malformed operation: " + join(words));
}

void answer_error(const std::string& kind, const std::string& key, const Error& error) {
    emit("NACK " + kind + " " + key + " " + error.code);
    if (error.code != engine_error::insufficient_funds) {
        std::fprintf(stderr, "billing_crash_driver: %s %s: %s: %s\n", kind.c_str(), key.c_str(), error.code.c_str(),
                     error.message.c_str());
    }
}

// ACK with the answer just stored, or DUP with the one stored by the run that committed it.
template <class T>
void answer(const std::string& kind, const std::string& key, const Result<IdempotentResult<T>>& result) {
    if (!result) return answer_error(kind, key, result.error());
    emit(std::string(result.value().replayed ? "DUP " : "ACK ") + kind + " " + key + " " +
         result.value().response.body);
}

// The one id a query with one or two text parameters finds, or "" when it finds none.
Result<std::string> find_id(storage::Database& db, const std::string& query, const std::string& first,
                            const std::string& second = {}) {
    return db.read([&](soci::session& sql) -> Result<std::string> {
        std::string id;
        soci::indicator ind = soci::i_null;
        if (second.empty()) {
            sql << query, soci::into(id, ind), soci::use(first);
        } else {
            sql << query, soci::into(id, ind), soci::use(first), soci::use(second);
        }
        return sql.got_data() && ind == soci::i_ok ? id : std::string();
    });
}

bool key_in(storage::Database& db, const std::string& tenant_id, const std::string& key) {
    auto count = db.read([&](soci::session& sql) -> Result<long long> {
        long long n = 0;
        sql << "SELECT COUNT(*) FROM idempotency_keys WHERE tenant_id = :t AND idem_key = :k", soci::into(n),
            soci::use(tenant_id), soci::use(key);
        return n;
    });
    if (!count) die("cannot read idempotency keys: " + count.error().message);
    return count.value() > 0;
}

Result<std::string> find_or_create_tenant(Engine& engine, const char* name, bool test_mode) {
    auto found = find_id(engine.database(), "SELECT id FROM tenants WHERE name = :n ORDER BY id", name);
    if (!found || !found.value().empty()) return found;
    auto created = engine.create_tenant(NewTenant{name, "USD", "otpdesk", "", test_mode});
    if (!created) return created.error();
    return created.value().id;
}

// The account and its first deposit, once: a kill between the two leaves the key absent, and
// the next start deposits it.
Result<std::string> set_up_account(Engine& engine, const std::string& tenant_id, const SetUpAccount& wanted) {
    storage::Database& db = engine.database();
    auto account = find_id(db, "SELECT id FROM accounts WHERE tenant_id = :t AND external_ref = :r", tenant_id,
                           wanted.external_ref);
    if (!account) return account.error();
    std::string id = account.value();
    if (id.empty()) {
        auto created = engine.create_account(tenant_id, wanted.external_ref);
        if (!created) return created.error();
        id = created.value().id;
    }
    const std::vector<std::string> words = {kind::deposit, std::string("d-setup-") + wanted.external_ref,
                                            wanted.tenant_tag, id, std::to_string(wanted.deposit_minor)};
    if (!key_in(db, tenant_id, words[1])) {
        auto deposited = engine.deposit(
            tenant_id, id, wanted.deposit_minor,
            idempotency_for<AccountRecord>(words, [](const AccountRecord&) { return std::string("set-up"); }));
        if (!deposited) return deposited.error();
    }
    return id;
}

std::string apply_answer(const std::string& order_id, const ApplyResult& r) {
    return order_id + " " + (r.allowed ? "1" : "0") + " " + r.code + " " + std::to_string(r.order.version) + " " +
           r.order.state + " " + std::to_string(r.refunded_minor) + " " + std::to_string(r.order.charged_minor);
}

}  // namespace

void emit(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) std::_Exit(4);  // the test is gone: nobody is left to acknowledge to
        done += static_cast<std::size_t>(n);
    }
}

void emit_stats(storage::Database& db) {
    const storage::Database::WriteStats stats = db.write_stats();
    emit("STATS " + std::to_string(stats.batches) + " " + std::to_string(stats.batched_writes) + " " +
         std::to_string(stats.batches_failed) + " " + std::to_string(stats.writes_alone));
}

Result<std::vector<World>> set_up_worlds(Engine& engine) {
    auto live = find_or_create_tenant(engine, live_tenant_name, false);
    if (!live) return live.error();
    auto lab = find_or_create_tenant(engine, lab_tenant_name, true);
    if (!lab) return lab.error();
    std::vector<World> worlds(writers_max);
    for (World& world : worlds) {
        world.live = TenantWorld{tenant_tag::live, live.value(), {}};
        world.lab = TenantWorld{tenant_tag::lab, lab.value(), {}};
    }
    for (const SetUpAccount& wanted : set_up_accounts) {
        World& world = worlds.at(static_cast<std::size_t>(wanted.writer));
        TenantWorld& tenant = std::string(wanted.tenant_tag) == tenant_tag::lab ? world.lab : world.live;
        auto id = set_up_account(engine, tenant.id, wanted);
        if (!id) return id.error();
        tenant.accounts.push_back(id.value());
    }
    return worlds;
}

long long timers_due_for(storage::Database& db, const std::string& tenant_id, UtcMs up_to_ms) {
    auto count = db.read([&](soci::session& sql) -> Result<long long> {
        long long n = 0;
        const long long up_to = up_to_ms;
        sql << "SELECT COUNT(*) FROM timers WHERE tenant_id = :t AND due_at_ms <= :u", soci::into(n),
            soci::use(tenant_id), soci::use(up_to);
        return n;
    });
    if (!count) die("cannot count timers: " + count.error().message);
    return count.value();
}

namespace {

std::mt19937_64 writer_rng(std::uint64_t seed, int writer) {
    std::seed_seq mixed{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32U),
                        static_cast<std::uint32_t>(writer)};
    return std::mt19937_64(mixed);
}

}  // namespace

Workload::Workload(Engine& engine, const plugin::PolicyInstance& policy, Sweeper& sweeper, World world,
                   ScaledClock& clock, WriterShared& shared, std::uint64_t seed, int run, int writer)
    : engine_(engine), policy_(policy), sweeper_(sweeper), world_(std::move(world)), clock_(clock), shared_(shared),
      rng_(writer_rng(seed, writer)), run_(run), writer_(writer) {}

const TenantWorld& Workload::tenant(const std::string& tag) const {
    if (tag == tenant_tag::live) return world_.live;
    if (tag == tenant_tag::lab) return world_.lab;
    die("unknown tenant tag " + tag);
}

UtcMs Workload::lab_clock_ms() {
    auto lab = engine_.get_tenant(world_.lab.id);
    if (!lab) die("cannot read the lab tenant: " + lab.error().message);
    return lab.value().clock_ms;
}

std::vector<std::string> Workload::next(int n) {
    const TenantWorld& t = roll(99) < lab_share_pct ? world_.lab : world_.live;
    const auto op = [&](const char* op_kind, std::vector<std::string> args) {
        std::vector<std::string> words = {op_kind, op_key(op_kind, run_, writer_, n), t.tag};
        words.insert(words.end(), args.begin(), args.end());
        return words;
    };
    if (&t == &world_.lab && roll(99) < lab_advance_pct && writer_ == advancing_writer) {
        return op(kind::advance, {std::to_string(lab_clock_ms() + pick(advance_steps_ms))});
    }
    const int dice = roll(99);
    const std::string account = pick(t.accounts);
    if (dice < 12) {
        // A unique amount per operation identifies its transfer among all deposits (see
        // set_up_accounts in crash_protocol.hpp).
        return op(kind::deposit, {account, std::to_string(deposit_minor(run_, writer_, n))});
    }
    if (dice >= 42 && dice < 52) {
        return op(kind::rental, {account, pick(rental_hours)});
    }
    if (dice >= 52 && dice < 60) {
        const std::vector<std::string> rentals = pick_orders(t, true, kind::rental);
        if (!rentals.empty()) return op(kind::extend, {pick(rentals), pick(extension_hours)});
    }
    if (dice >= 60 && dice < 92) {
        // Mostly orders still open (cancels inside or outside their windows, codes before and
        // after delivery); now and then any recent order, closed ones included.
        const std::vector<std::string> orders = pick_orders(t, roll(9) != 0, "");
        if (!orders.empty()) {
            const std::string order = pick(orders);
            if (dice < 76) return op(kind::cancel, {order});
            std::string service = order_service(t, order);
            if (service.empty() || roll(99) < 15) service = pick(services);
            return op(kind::message, {order, service});
        }
    }
    return op(kind::activation, {account, pick(services), pick(countries)});
}

// This writer's orders only (those of its accounts): no other writer decides on them, so the
// answers about an order come in the order they committed.
std::vector<std::string> Workload::pick_orders(const TenantWorld& t, bool open_only, const std::string& product) {
    const std::string query = std::string("SELECT id FROM orders WHERE tenant_id = :t AND account_id IN ") +
                              "(SELECT id FROM accounts WHERE external_ref LIKE :w)" +
                              (open_only ? " AND is_final = 0" : "") + (product.empty() ? "" : " AND product = :p") +
                              " ORDER BY created_at_ms DESC LIMIT 16";
    const std::string own_refs = "w" + std::to_string(writer_) + "-%";
    auto ids = engine_.database().read([&](soci::session& sql) -> Result<std::vector<std::string>> {
        if (product.empty()) {
            soci::rowset<std::string> rows = (sql.prepare << query, soci::use(t.id), soci::use(own_refs));
            return std::vector<std::string>(rows.begin(), rows.end());
        }
        soci::rowset<std::string> rows =
            (sql.prepare << query, soci::use(t.id), soci::use(own_refs), soci::use(product));
        return std::vector<std::string>(rows.begin(), rows.end());
    });
    if (!ids) die("cannot read orders: " + ids.error().message);
    return ids.value();
}

std::string Workload::order_service(const TenantWorld& t, const std::string& order_id) {
    auto order = engine_.get_order(t.id, order_id);
    if (!order) die("cannot read order " + order_id + ": " + order.error().message);
    const auto found = order.value().attributes.find("service");
    return found == order.value().attributes.end() ? std::string() : found->second;
}

void Workload::run(const std::vector<std::string>& words) {
    if (words.size() < 3) die("malformed operation: " + join(words));
    if (writer_of(words[1]) != writer_) die("writer " + std::to_string(writer_) + " sent another's: " + join(words));
    const TenantWorld& t = tenant(words[2]);
    {
        std::unique_lock lab_turn(shared_.lab, std::defer_lock);
        if (&t == &world_.lab) lab_turn.lock();
        emit("BEGIN " + join(words));
        send(words, t);
    }
    if (++shared_.answers % stats_every_answers == 0) emit_stats(engine_.database());
}

void Workload::send(const std::vector<std::string>& words, const TenantWorld& t) {
    const std::string& op = words[0];
    if (op == kind::deposit) {
        deposit(words, t);
    } else if (op == kind::activation || op == kind::rental) {
        purchase(words, t);
    } else if (op == kind::cancel || op == kind::message || op == kind::extend) {
        apply(words, t);
    } else if (op == kind::advance && &t == &world_.lab) {
        advance(words);
    } else {
        die("unknown operation: " + join(words));
    }
}

void Workload::deposit(const std::vector<std::string>& words, const TenantWorld& t) {
    expect_words(words, 5);
    const std::string& account = words[3];
    const std::string& amount = words[4];
    answer(words[0], words[1],
           engine_.deposit(t.id, account, std::stoll(amount),
                           idempotency_for<AccountRecord>(words, [account, amount](const AccountRecord& a) {
                               return account + " " + amount + " " + std::to_string(a.balance_minor);
                           })));
}

void Workload::purchase(const std::vector<std::string>& words, const TenantWorld& t) {
    const std::string& op = words[0];
    sdk::PurchaseRequest request;
    request.product = op;
    if (op == kind::activation) {
        expect_words(words, 6);
        request.attributes = {{"service", words[4]}, {"country", words[5]}};
    } else {
        expect_words(words, 5);
        request.numbers = {{"duration_hours", std::stoll(words[4])}};
    }
    // What the HTTP layer does: a live tenant buys at the system clock, a test-mode one at its own.
    const UtcMs now_ms = &t == &world_.lab ? lab_clock_ms() : clock_.now_ms();
    answer(op, words[1],
           engine_.purchase(policy_, t.id, words[3], request, now_ms,
                            idempotency_for<PurchaseResult>(words, [](const PurchaseResult& purchased) {
                                return purchased.order.id + " " + std::to_string(purchased.order.price_minor);
                            })));
}

void Workload::apply(const std::vector<std::string>& words, const TenantWorld& t) {
    const std::string& op = words[0];
    const std::string& order_id = words[3];
    sdk::Event event;
    event.type = op;
    event.actor = "customer";
    if (op == kind::cancel) {
        expect_words(words, 4);
    } else if (op == kind::message) {
        expect_words(words, 5);
        event.text[sdk::event_field::service] = words[4];
    } else {
        expect_words(words, 5);
        event.numbers[sdk::event_field::hours] = std::stoll(words[4]);
    }
    const UtcMs now_ms = &t == &world_.lab ? lab_clock_ms() : clock_.now_ms();
    answer(op, words[1],
           engine_.apply(policy_, t.id, order_id, event, now_ms,
                         idempotency_for<EventResult>(
                             words, [order_id](const EventResult& r) { return apply_answer(order_id, r.applied); })));
}

// A test clock advance to a time: idempotent by itself (advancing to where the clock already is
// changes nothing), so a retry after a kill simply runs again and finishes the timers.
void Workload::advance(const std::vector<std::string>& words) {
    expect_words(words, 4);
    auto advanced = engine_.advance_test_clock_to(world_.lab.id, std::stoll(words[3]));
    if (!advanced) return answer_error(words[0], words[1], advanced.error());
    auto ran = run_lab_timers(advanced.value().clock_ms);
    if (!ran) return answer_error(words[0], words[1], ran.error());
    emit("ACK " + words[0] + " " + words[1] + " " + std::to_string(advanced.value().clock_ms) + " " +
         std::to_string(ran.value().first) + " " + std::to_string(ran.value().second) + " " +
         std::to_string(clock_.now_ms()));
}

Result<std::pair<std::size_t, int>> Workload::run_lab_timers(UtcMs up_to_ms) {
    std::size_t applied = 0;
    for (int round = 0; round < lab_timer_rounds_max; ++round) {
        const SweepStats stats = sweeper_.run_due_for_tenant(world_.lab.id, up_to_ms, {}, lab_lease_s);
        if (stats.failed + stats.parked > 0) return stats.last_error;
        applied += stats.applied;
        // A timer still due here is held by the lease of a driver killed while running it: wait
        // for the lease to end and run again, as a client advances by 0 s after such an answer.
        if (timers_due_for(engine_.database(), world_.lab.id, up_to_ms) == 0) return std::make_pair(applied, round);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Error{"timers_left", "lab timers still due after " + std::to_string(lab_timer_rounds_max) + " rounds"};
}

bool Workload::drain_lab(std::int64_t jump_ms) {
    auto advanced = engine_.advance_test_clock_by(world_.lab.id, jump_ms);
    if (!advanced) die("cannot advance the lab clock: " + advanced.error().message);
    auto ran = run_lab_timers(advanced.value().clock_ms);
    if (!ran) std::fprintf(stderr, "billing_crash_driver: lab drain: %s\n", ran.error().message.c_str());
    return ran.ok();
}

}  // namespace billing::crash
