#include "driver_ops.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "billing/engine/errors.hpp"
#include "billing/storage/errors.hpp"
#include "crash_protocol.hpp"

namespace billing::crash {

namespace {

constexpr const char* tenant_name = "crash-shop";
constexpr int customers = 3;
// Deposit amounts identify deposits: 900 + i at set-up, run * 1000 + n (run >= 1, n < 1000) after.
constexpr MinorUnits setup_deposit_minor = 900;
const std::vector<std::string> services = {"telegram", "whatsapp", "facebook", "google"};
const std::vector<std::string> countries = {"us", "gb", "de"};
// Mostly one day, so that some rentals end during the run; now and then the longest one.
const std::vector<std::string> rental_hours = {"24", "24", "24", "48", "72", "1344"};

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

// The key, the request's hash and the answer stored with the effect: here the request itself.
template <class T>
IdempotencyKey<T> idempotency_for(const std::vector<std::string>& words) {
    const std::string body = join(words);
    return IdempotencyKey<T>{words.at(1), request_hash(body),
                             [body](const T&) { return IdempotencyResponse{200, body}; }};
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

Result<World> set_up_world(Engine& engine) {
    storage::Database& db = engine.database();
    World world;
    auto tenant = find_id(db, "SELECT id FROM tenants WHERE name = :n ORDER BY id", tenant_name);
    if (!tenant) return tenant.error();
    world.tenant_id = tenant.value();
    if (world.tenant_id.empty()) {
        auto created = engine.create_tenant(NewTenant{tenant_name, "USD", "otpdesk", "", false});
        if (!created) return created.error();
        world.tenant_id = created.value().id;
    }
    for (int i = 1; i <= customers; ++i) {
        const std::string ref = "cust-" + std::to_string(i);
        auto account = find_id(db, "SELECT id FROM accounts WHERE tenant_id = :t AND external_ref = :r",
                               world.tenant_id, ref);
        if (!account) return account.error();
        std::string id = account.value();
        if (id.empty()) {
            auto created = engine.create_account(world.tenant_id, ref);
            if (!created) return created.error();
            id = created.value().id;
        }
        // Each account's first deposit, once: a kill between the account and its deposit leaves
        // the key absent, and the next start deposits it.
        const std::vector<std::string> words = {kind::deposit, "d-setup-" + std::to_string(i), id,
                                                std::to_string(setup_deposit_minor + i)};
        if (!key_in(db, world.tenant_id, words[1])) {
            auto deposited = engine.deposit(world.tenant_id, id, setup_deposit_minor + i,
                                            idempotency_for<AccountRecord>(words));
            if (!deposited) return deposited.error();
        }
        world.accounts.push_back(id);
    }
    return world;
}

Workload::Workload(Engine& engine, World world, ScaledClock& clock, std::uint64_t seed, int run)
    : engine_(engine), world_(std::move(world)), clock_(clock), rng_(seed), run_(run) {}

std::vector<std::string> Workload::next(int n) {
    const std::string tail = "r" + std::to_string(run_) + "-n" + std::to_string(n);
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng_);
    const std::string account = pick(world_.accounts);
    if (roll < 12) {
        // A unique amount per operation identifies its transfer among all deposits (see above).
        return {kind::deposit, key_prefix(kind::deposit) + tail, account, std::to_string(run_ * 1000 + n)};
    }
    if (roll >= 42 && roll < 52) {
        return {kind::rental, key_prefix(kind::rental) + tail, account, pick(rental_hours)};
    }
    if (roll >= 52 && roll < 90) {
        // Mostly orders still open (cancels inside or outside their windows, codes before and
        // after delivery); now and then any recent order, closed ones included.
        const std::vector<std::string> orders = pick_orders(std::uniform_int_distribution<int>(0, 9)(rng_) != 0);
        if (!orders.empty()) {
            const std::string order = pick(orders);
            if (roll < 70) return {kind::cancel, key_prefix(kind::cancel) + tail, order};
            std::string service = order_service(order);
            if (service.empty() || std::uniform_int_distribution<int>(0, 99)(rng_) < 15) service = pick(services);
            return {kind::message, key_prefix(kind::message) + tail, order, service};
        }
    }
    return {kind::activation, key_prefix(kind::activation) + tail, account, pick(services), pick(countries)};
}

std::vector<std::string> Workload::pick_orders(bool open_only) {
    const std::string query = std::string("SELECT id FROM orders WHERE tenant_id = :t") +
                              (open_only ? " AND is_final = 0" : "") + " ORDER BY created_at_ms DESC LIMIT 16";
    auto ids = engine_.database().read([&](soci::session& sql) -> Result<std::vector<std::string>> {
        soci::rowset<std::string> rows = (sql.prepare << query, soci::use(world_.tenant_id));
        return std::vector<std::string>(rows.begin(), rows.end());
    });
    if (!ids) die("cannot read orders: " + ids.error().message);
    return ids.value();
}

std::string Workload::order_service(const std::string& order_id) {
    auto order = engine_.get_order(world_.tenant_id, order_id);
    if (!order) die("cannot read order " + order_id + ": " + order.error().message);
    const auto found = order.value().attributes.find("service");
    return found == order.value().attributes.end() ? std::string() : found->second;
}

bool Workload::key_exists(const std::string& key) { return key_in(engine_.database(), world_.tenant_id, key); }

void Workload::run(const std::vector<std::string>& words) {
    if (words.size() < 2) die("malformed operation: " + join(words));
    emit("BEGIN " + join(words));
    const std::string& op = words[0];
    const std::string& key = words[1];
    // What the HTTP layer does with an Idempotency-Key it has seen: replay, never apply again.
    if (key_exists(key)) {
        emit("DUP " + op + " " + key);
        return;
    }
    if (op == kind::deposit) {
        expect_words(words, 4);
        auto account = engine_.deposit(world_.tenant_id, words[2], std::stoll(words[3]),
                                       idempotency_for<AccountRecord>(words));
        if (!account) return answer_error(op, key, account.error());
        if (account.value().replayed) return emit("DUP " + op + " " + key);
        emit("ACK " + op + " " + key + " " + words[2] + " " + words[3] + " " +
             std::to_string(account.value().result->balance_minor));
    } else if (op == kind::activation || op == kind::rental) {
        sdk::PurchaseRequest request;
        request.product = op;
        if (op == kind::activation) {
            expect_words(words, 5);
            request.attributes = {{"service", words[3]}, {"country", words[4]}};
        } else {
            expect_words(words, 4);
            request.numbers = {{"duration_hours", std::stoll(words[3])}};
        }
        auto order =
            engine_.purchase(world_.tenant_id, words[2], request, clock_.now_ms(), idempotency_for<OrderRecord>(words));
        if (!order) return answer_error(op, key, order.error());
        if (order.value().replayed) return emit("DUP " + op + " " + key);
        const OrderRecord& bought = *order.value().result;
        emit("ACK " + op + " " + key + " " + bought.id + " " + std::to_string(bought.price_minor));
    } else if (op == kind::cancel) {
        expect_words(words, 3);
        apply(op, key, words[2], "", idempotency_for<ApplyResult>(words));
    } else if (op == kind::message) {
        expect_words(words, 4);
        apply(op, key, words[2], words[3], idempotency_for<ApplyResult>(words));
    } else {
        die("unknown operation: " + join(words));
    }
}

void Workload::apply(const std::string& op, const std::string& key, const std::string& order_id,
                     const std::string& service, const IdempotencyKey<ApplyResult>& idem) {
    sdk::Event event;
    event.type = op;
    event.actor = "customer";
    if (!service.empty()) event.text["service"] = service;
    auto result = engine_.apply(world_.tenant_id, order_id, event, clock_.now_ms(), idem);
    if (!result) return answer_error(op, key, result.error());
    if (result.value().replayed) return emit("DUP " + op + " " + key);
    const ApplyResult& r = *result.value().result;
    emit("ACK " + op + " " + key + " " + order_id + " " + (r.allowed ? "1" : "0") + " " + r.code + " " +
         std::to_string(r.order.version) + " " + r.order.state);
}

}  // namespace billing::crash
