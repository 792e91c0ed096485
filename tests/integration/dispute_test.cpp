// Disputes through the HTTP API: the storefront opens one for its customer
// (POST /v1/orders/{id}/disputes, service key), support resolves it with a refund or a rejection
// (POST /v1/disputes/{id}/resolve, support key and an Idempotency-Key), anyone of the tenant
// reads them. The policy (plugins/otpdesk/README.md) decides: nothing left to refund means
// nothing to dispute; from [disputes] evidence_required_after = 2 recent refunds + disputes of
// the account (in (now-30d, now]) on, a dispute needs evidence_url; a refund moves money out of
// escrow first, then out of revenue, never more than is left. The host keeps the record: one
// open dispute per order, resolved once.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

inline constexpr std::int64_t day_ms = 24 * hour_ms;
// PolicyInfo::history_window_ms of OTPDesk: the window the host counts recent refunds in.
inline constexpr std::int64_t history_window_ms = 30 * day_ms;
inline constexpr const char* evidence = "https://recordings.example.com/r/42.mp4";

std::string open_body(const std::string& description, const std::optional<std::string>& evidence_url = std::nullopt) {
    std::string body = R"({"description":)" + json_quote(description);
    if (evidence_url) body += R"(,"evidence_url":)" + json_quote(*evidence_url);
    return body + "}";
}

std::string resolve_body(const std::string& resolution, std::optional<std::int64_t> amount_minor = std::nullopt,
                         const std::string& note = "") {
    return case_body("resolution", resolution, amount_minor, note);
}

// The ids of a dispute list page, in the order given.
std::vector<std::string> ids_of(const Json& page) {
    std::vector<std::string> ids;
    const Json data = page["data"];
    for (std::size_t i = 0; i < data.size(); ++i) ids.push_back(data[i]["id"].str());
    return ids;
}

class DisputeTest : public OtpDeskTest {
protected:
    // A telegram/us activation bought now, its code delivered 30 s later (captured in full).
    // The clock ends at the code's time.
    std::string delivered_activation() {
        std::string id = api().new_activation(account_);
        api().move_clock_to(at(api().created_at(id), 0, 30));
        api().message(id, "telegram").expect(200);
        return id;
    }

    // The id of a dispute opened on order_id (expects 201).
    std::string open(const std::string& order_id, const std::optional<std::string>& evidence_url = std::nullopt) {
        const Response opened = api().open_dispute(order_id, open_body("the code never worked", evidence_url));
        if (opened.status != 201) ADD_FAILURE() << opened.describe();
        return opened.status == 201 ? opened.json()["id"].str() : std::string();
    }

    std::vector<std::string> listed(const std::string& query = "") {
        const Json page = api().disputes(query).expect(200).json();
        return ids_of(page);
    }

    Json events(const std::string& order_id) { return api().events(order_id).expect(200).json()["data"]; }

    void advance_ms(std::int64_t ms) { api().move_clock_to(api().clock_now() + ms); }
};

TEST_F(DisputeTest, ARefundOnADeliveredActivationRestoresTheBalanceExactly) {
    const std::string id = delivered_activation();
    const UtcMs created = api().created_at(id);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    api().move_clock_to(at(created, 1));
    const Response opened = api().open_dispute(id, open_body("number already registered", evidence));
    ASSERT_EQ(opened.status, 201) << opened.describe();
    const Json d = opened.json();
    const std::string dispute_id = d["id"].str();
    EXPECT_EQ(dispute_id.rfind("dsp", 0), 0U) << dispute_id;
    EXPECT_EQ(d["object"].str(), "dispute");
    EXPECT_EQ(d["order_id"].str(), id);
    EXPECT_EQ(d["account_id"].str(), account_);
    EXPECT_EQ(d["state"].str(), "open");
    EXPECT_EQ(d["description"].str(), "number already registered");
    EXPECT_EQ(d["evidence_url"].str(), evidence);
    EXPECT_EQ(parse_rfc3339(d["opened_at"].str()), at(created, 1));
    EXPECT_TRUE(d["resolved_at"].is_null());
    EXPECT_TRUE(d["resolution"].is_null());
    EXPECT_TRUE(d["resolution_note"].is_null());
    EXPECT_EQ(d["refunded_minor"].i64(), 0);
    EXPECT_EQ(d["currency"].str(), "USD");
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json().dump(), d.dump());
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor) << "opening a dispute moves no money";

    api().move_clock_to(at(created, 3));
    const Response resolved =
        api().resolve_dispute(dispute_id, resolve_body("refund", telegram_us_minor, "recording confirms it"));
    ASSERT_EQ(resolved.status, 200) << resolved.describe();
    const Json r = resolved.json();
    EXPECT_EQ(r["state"].str(), "refunded");
    EXPECT_EQ(r["resolution"].str(), "refund");
    EXPECT_EQ(r["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(r["resolution_note"].str(), "recording confirms it");
    EXPECT_EQ(parse_rfc3339(r["resolved_at"].str()), at(created, 3));
    EXPECT_EQ(parse_rfc3339(r["opened_at"].str()), at(created, 1));
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json().dump(), r.dump());

    // The capture stays; the refund comes back out of revenue, and the order's story is unchanged.
    const Json after = order(id);
    EXPECT_EQ(after["state"].str(), "delivered");
    EXPECT_EQ(after["captured_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(after["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(after["held_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "refund_captured");
    EXPECT_EQ(rows[2].direction, "credit");
    EXPECT_EQ(rows[2].amount_minor, telegram_us_minor);
    EXPECT_EQ(rows[2].order_id, id);

    // The history: who opened it and why, who resolved it, how, and for how much.
    const Json history = events(id);
    ASSERT_GE(history.size(), 2U) << history.dump();
    const Json opened_event = history[history.size() - 2];
    EXPECT_EQ(opened_event["type"].str(), "dispute_opened");
    EXPECT_EQ(opened_event["actor"].str(), "customer");
    EXPECT_TRUE(opened_event["allowed"].boolean());
    EXPECT_EQ(opened_event["request"]["text"]["description"].str(), "number already registered");
    EXPECT_EQ(opened_event["request"]["text"]["evidence_url"].str(), evidence);
    const Json resolved_event = history[history.size() - 1];
    EXPECT_EQ(resolved_event["type"].str(), "dispute_resolved");
    EXPECT_EQ(resolved_event["actor"].str(), "support");
    EXPECT_EQ(resolved_event["request"]["text"]["resolution"].str(), "refund");
    EXPECT_EQ(resolved_event["request"]["numbers"]["amount_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(parse_rfc3339(resolved_event["decided_at"].str()), at(created, 3));
}

TEST_F(DisputeTest, ARefundOnAnActivationStillInEscrowComesOutOfEscrow) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 1));
    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());
    const Response resolved = api().resolve_dispute(dispute_id, resolve_body("refund", 100));
    ASSERT_EQ(resolved.status, 200) << resolved.describe();
    EXPECT_EQ(resolved.json()["refunded_minor"].i64(), 100);
    const Json after = order(id);
    EXPECT_EQ(after["state"].str(), "active");
    EXPECT_EQ(after["held_minor"].i64(), telegram_us_minor - 100);
    EXPECT_EQ(after["captured_minor"].i64(), 0);
    EXPECT_EQ(transfers().back().kind, "refund");
    EXPECT_EQ(transfers().back().amount_minor, 100);

    // No code by 20:00: the expiry refunds what escrow still holds, not the price again.
    api().move_clock_to(at(created, 20));
    EXPECT_EQ(order(id)["state"].str(), "expired");
    EXPECT_EQ(order(id)["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(DisputeTest, APartialRefundThenASecondDisputeForTheRestUpToExactlyWhatIsLeft) {
    const std::string id = delivered_activation();
    const std::string first = open(id);
    ASSERT_FALSE(first.empty());
    ASSERT_EQ(api().resolve_dispute(first, resolve_body("refund", 100)).status, 200);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);

    // The first dispute and its refund count 2 together: the second one needs evidence.
    advance_ms(minute_ms);
    EXPECT_TRUE(refused(api().open_dispute(id, open_body("still broken")), "evidence_required"));
    const std::string second = open(id, evidence);
    ASSERT_FALSE(second.empty());

    // 150 left: 151 is denied and leaves the dispute open, exactly 150 refunds it.
    const Response too_much = api().resolve_dispute(second, resolve_body("refund", telegram_us_minor - 100 + 1));
    EXPECT_TRUE(denied(too_much, "refund_exceeds_charge"));
    const Json still = api().dispute(second).expect(200).json();
    EXPECT_EQ(still["state"].str(), "open");
    EXPECT_EQ(still["refunded_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);

    const Response rest = api().resolve_dispute(second, resolve_body("refund", telegram_us_minor - 100));
    ASSERT_EQ(rest.status, 200) << rest.describe();
    EXPECT_EQ(rest.json()["state"].str(), "refunded");
    EXPECT_EQ(rest.json()["refunded_minor"].i64(), telegram_us_minor - 100);
    EXPECT_EQ(order(id)["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(balance(), deposit_minor);

    // Nothing left: nothing to dispute, and no dispute is created.
    EXPECT_TRUE(denied(api().open_dispute(id, open_body("once more", evidence)), "nothing_to_dispute"));
    EXPECT_EQ(listed(), (std::vector<std::string>{second, first}));
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 4U) << "deposit, purchase and the two refunds";
    EXPECT_EQ(rows[2].kind, "refund_captured");
    EXPECT_EQ(rows[2].amount_minor, 100);
    EXPECT_EQ(rows[3].kind, "refund_captured");
    EXPECT_EQ(rows[3].amount_minor, telegram_us_minor - 100);
}

TEST_F(DisputeTest, ARefundWhenSupportRefundedEverythingMeanwhileIsNothingToRefund) {
    const std::string id = delivered_activation();
    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());
    ASSERT_EQ(api().refund(id, R"({"reason":"provider_error"})").status, 200);
    EXPECT_EQ(balance(), deposit_minor);

    EXPECT_TRUE(denied(api().resolve_dispute(dispute_id, resolve_body("refund", 1)), "nothing_to_refund"));
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");
    // A rejection still closes it, and moves nothing.
    const Response rejected = api().resolve_dispute(dispute_id, resolve_body("reject"));
    ASSERT_EQ(rejected.status, 200) << rejected.describe();
    EXPECT_EQ(rejected.json()["state"].str(), "rejected");
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 3U);
}

TEST_F(DisputeTest, ARejectionMovesNothing) {
    const std::string id = delivered_activation();
    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());
    const std::size_t transfers_before = transfers().size();

    // A rejection carries no amount: refused before anything happens.
    EXPECT_TRUE(refused(api().resolve_dispute(dispute_id, resolve_body("reject", 100)), "validation_failed"));
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");

    advance_ms(second_ms);
    const UtcMs now = api().clock_now();
    const Response rejected = api().resolve_dispute(dispute_id, resolve_body("reject", std::nullopt, "code was used"));
    ASSERT_EQ(rejected.status, 200) << rejected.describe();
    const Json r = rejected.json();
    EXPECT_EQ(r["state"].str(), "rejected");
    EXPECT_EQ(r["resolution"].str(), "reject");
    EXPECT_EQ(r["refunded_minor"].i64(), 0);
    EXPECT_EQ(r["resolution_note"].str(), "code was used");
    EXPECT_EQ(parse_rfc3339(r["resolved_at"].str()), now);

    const Json after = order(id);
    EXPECT_EQ(after["captured_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(after["refunded_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(transfers().size(), transfers_before);
    const Json history = events(id);
    const Json last = history[history.size() - 1];
    EXPECT_EQ(last["type"].str(), "dispute_resolved");
    EXPECT_EQ(last["request"]["text"]["resolution"].str(), "reject");
    EXPECT_FALSE(last["request"].has("numbers") && last["request"]["numbers"].has("amount_minor")) << last.dump();
}

TEST_F(DisputeTest, AnOrderHasOneOpenDisputeAtATime) {
    const std::string id = delivered_activation();
    const std::string first = open(id);
    ASSERT_FALSE(first.empty());
    const std::size_t events_before = events(id).size();

    const Response again = api().open_dispute(id, open_body("me again"));
    EXPECT_EQ(again.status, 409) << again.describe();
    EXPECT_EQ(again.problem_code(), "dispute_already_open");
    EXPECT_EQ(listed(), std::vector<std::string>{first});
    EXPECT_EQ(events(id).size(), events_before);

    // Once it is resolved, the order may be disputed again (one dispute counted: no evidence).
    ASSERT_EQ(api().resolve_dispute(first, resolve_body("reject")).status, 200);
    advance_ms(second_ms);
    const std::string second = open(id);
    ASSERT_FALSE(second.empty());
    EXPECT_NE(second, first);
    EXPECT_EQ(listed("state=open"), std::vector<std::string>{second});
}

TEST_F(DisputeTest, AResolvedDisputeIsNotResolvedAgain) {
    const std::string refunded_order = delivered_activation();
    const std::string rejected_order = delivered_activation();
    const std::string refunded = open(refunded_order);
    const std::string rejected = open(rejected_order);
    ASSERT_FALSE(refunded.empty());
    ASSERT_FALSE(rejected.empty());
    ASSERT_EQ(api().resolve_dispute(refunded, resolve_body("refund", 50)).status, 200);
    ASSERT_EQ(api().resolve_dispute(rejected, resolve_body("reject")).status, 200);
    const std::int64_t balance_before = balance();
    EXPECT_EQ(balance_before, deposit_minor - 2 * telegram_us_minor + 50);

    for (const std::string& dispute_id : {refunded, rejected}) {
        for (const std::string& body : {resolve_body("refund", 50), resolve_body("reject")}) {
            const Response again = api().resolve_dispute(dispute_id, body);
            EXPECT_EQ(again.status, 409) << again.describe();
            EXPECT_EQ(again.problem_code(), "dispute_not_open") << again.describe();
        }
    }
    EXPECT_EQ(api().dispute(refunded).expect(200).json()["refunded_minor"].i64(), 50);
    EXPECT_EQ(api().dispute(rejected).expect(200).json()["state"].str(), "rejected");
    EXPECT_EQ(balance(), balance_before);
}

TEST_F(DisputeTest, AnExpiredActivationRefundedInFullHasNothingToDispute) {
    const std::string id = api().new_activation(account_);
    api().move_clock_to(at(api().created_at(id), 20));
    ASSERT_EQ(order(id)["state"].str(), "expired");
    ASSERT_EQ(order(id)["refunded_minor"].i64(), telegram_us_minor);
    const std::size_t events_before = events(id).size();

    EXPECT_TRUE(denied(api().open_dispute(id, open_body("no code came")), "nothing_to_dispute"));
    EXPECT_TRUE(denied(api().open_dispute(id, open_body("no code came", evidence)), "nothing_to_dispute"));
    EXPECT_TRUE(listed().empty());
    EXPECT_EQ(events(id).size(), events_before);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(DisputeTest, EvidenceIsRequiredFromTwoRecentRefundsAndDisputesOn) {
    const std::string refunded = delivered_activation();
    const std::string first_order = delivered_activation();
    const std::string second_order = delivered_activation();
    // Count 1: one support refund. A dispute needs no evidence yet.
    ASSERT_EQ(api().refund(refunded, R"({"reason":"wrong_code","amount_minor":10})").status, 200);
    const std::string first = open(first_order);
    ASSERT_FALSE(first.empty());
    EXPECT_TRUE(api().dispute(first).expect(200).json()["evidence_url"].is_null());

    // Count 2: the refund and that dispute. Without evidence: 422, and nothing is created.
    const std::size_t events_before = events(second_order).size();
    const std::int64_t balance_before = balance();
    const Response without = api().open_dispute(second_order, open_body("broken too"));
    EXPECT_TRUE(refused(without, "evidence_required"));
    EXPECT_NE(without.body.find("1 support refunds and 1 disputes"), std::string::npos) << without.body;
    EXPECT_EQ(listed(), std::vector<std::string>{first});
    EXPECT_EQ(events(second_order).size(), events_before);
    EXPECT_EQ(balance(), balance_before);

    const Response with = api().open_dispute(second_order, open_body("broken too", evidence));
    ASSERT_EQ(with.status, 201) << with.describe();
    EXPECT_EQ(with.json()["evidence_url"].str(), evidence);
    EXPECT_EQ(listed(), (std::vector<std::string>{with.json()["id"].str(), first}));
}

TEST_F(DisputeTest, ARefundGrantedExactly30DaysAgoNoLongerCountsAndOneMsLaterItStillDoes) {
    const std::string refunded = delivered_activation();
    const std::string first_order = delivered_activation();
    const std::string second_order = delivered_activation();
    advance_ms(minute_ms);
    const UtcMs granted = api().clock_now();
    ASSERT_EQ(api().refund(refunded, R"({"reason":"wrong_code","amount_minor":10})").status, 200);
    advance_ms(day_ms);
    const std::string first = open(first_order);  // count 1: the refund
    ASSERT_FALSE(first.empty());

    // 29 d 23:59:59.999 after the grant: the refund and the dispute count 2.
    api().move_clock_to(granted + history_window_ms - 1);
    EXPECT_TRUE(refused(api().open_dispute(second_order, open_body("broken")), "evidence_required"));
    EXPECT_EQ(listed(), std::vector<std::string>{first});

    // 30 d 00:00:00.000 after it: the window is (now-30d, now], the grant is out, the count 1.
    api().move_clock_to(granted + history_window_ms);
    const Response opened = api().open_dispute(second_order, open_body("broken"));
    ASSERT_EQ(opened.status, 201) << opened.describe();
    EXPECT_TRUE(opened.json()["evidence_url"].is_null());
    EXPECT_EQ(parse_rfc3339(opened.json()["opened_at"].str()), granted + history_window_ms);
}

TEST_F(DisputeTest, InvalidRequestsAre422AndChangeNothing) {
    const std::string id = delivered_activation();
    const std::size_t events_before = events(id).size();
    const std::string too_long(2001, 'x');
    const std::string longest(2000, 'x');

    const std::vector<std::string> bad_opens{
        open_body("broken", "http://recordings.example.com/r/42.mp4"),
        open_body("broken", "https://"),
        open_body("broken", "https://recordings.example.com/my recording.mp4"),
        open_body("broken", ""),
        R"({"evidence_url":"https://recordings.example.com/r/42.mp4"})",
        open_body(""),
        open_body(too_long),
        R"({"description":"broken","amount_minor":100})",
        R"({"description":42})",
    };
    for (const std::string& body : bad_opens) {
        EXPECT_TRUE(refused(api().open_dispute(id, body), "validation_failed")) << body.substr(0, 80);
    }
    const Response not_json = api().open_dispute(id, "not json");
    EXPECT_EQ(not_json.status, 400) << not_json.describe();
    EXPECT_EQ(not_json.problem_code(), "malformed_json");
    EXPECT_TRUE(listed().empty());
    EXPECT_EQ(events(id).size(), events_before);

    // The longest description is fine.
    const Response opened = api().open_dispute(id, open_body(longest));
    ASSERT_EQ(opened.status, 201) << opened.describe();
    const std::string dispute_id = opened.json()["id"].str();
    EXPECT_EQ(opened.json()["description"].str(), longest);
    const std::size_t events_open = events(id).size();

    const std::vector<std::string> bad_resolves{
        resolve_body("refund_all", 100), resolve_body(""),
        R"({"amount_minor":100})",       resolve_body("refund"),
        resolve_body("refund", 0),       resolve_body("refund", -1),
        resolve_body("reject", 1),       R"({"resolution":"reject","currency":"USD"})",
    };
    for (const std::string& body : bad_resolves) {
        EXPECT_TRUE(refused(api().resolve_dispute(dispute_id, body), "validation_failed")) << body;
    }
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");
    EXPECT_EQ(events(id).size(), events_open);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    const Response bad_state = api().disputes("state=closed");
    EXPECT_TRUE(refused(bad_state, "validation_failed"));
}

TEST_F(DisputeTest, TheServiceOpensSupportResolvesEveryoneReads) {
    const std::string id = delivered_activation();
    const TenantKeys& keys = api().keys();
    const std::string open_target = "/v1/orders/" + id + "/disputes";
    const std::string body = open_body("broken");
    EXPECT_EQ(http().post(open_target, body, {keys.support, std::nullopt, ""}).status, 403);
    EXPECT_EQ(http().post(open_target, body, {keys.admin, std::nullopt, ""}).status, 403);
    EXPECT_EQ(http().post(open_target, body, {"", std::nullopt, ""}).status, 401);
    EXPECT_TRUE(listed().empty());

    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());
    const std::string resolve_target = "/v1/disputes/" + dispute_id + "/resolve";
    const std::string refund = resolve_body("refund", telegram_us_minor);
    EXPECT_EQ(http().post(resolve_target, refund, {keys.service, fresh_key(), ""}).status, 403);
    EXPECT_EQ(http().post(resolve_target, refund, {keys.admin, fresh_key(), ""}).status, 403);
    EXPECT_EQ(http().post(resolve_target, refund, {"", fresh_key(), ""}).status, 401);
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    for (const std::string& key : {keys.service, keys.support, keys.admin}) {
        const Response one = http().get("/v1/disputes/" + dispute_id, {key, std::nullopt, ""});
        EXPECT_EQ(one.status, 200) << one.describe();
        const Response list = http().get("/v1/disputes", {key, std::nullopt, ""});
        ASSERT_EQ(list.status, 200) << list.describe();
        EXPECT_EQ(ids_of(list.json()), std::vector<std::string>{dispute_id});
    }
    EXPECT_EQ(http().get("/v1/disputes/" + dispute_id, {"", std::nullopt, ""}).status, 401);

    const Response resolved = api().resolve_dispute(dispute_id, refund);
    ASSERT_EQ(resolved.status, 200) << resolved.describe();
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(DisputeTest, AResolutionReplayedWithItsKeyRefundsOnceAndAnotherBodyIs422) {
    const std::string id = delivered_activation();
    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());
    const std::string target = "/v1/disputes/" + dispute_id + "/resolve";

    const Response keyless = http().post(target, resolve_body("refund", 100), {api().keys().support, std::nullopt, ""});
    EXPECT_EQ(keyless.status, 400) << keyless.describe();
    EXPECT_EQ(keyless.problem_code(), "idempotency_key_required");
    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");

    const std::string key = fresh_key();
    const Response first = api().resolve_dispute(dispute_id, resolve_body("refund", 100), key);
    ASSERT_EQ(first.status, 200) << first.describe();
    EXPECT_FALSE(first.has_header("idempotent-replayed"));
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);

    advance_ms(minute_ms);
    const Response replay = api().resolve_dispute(dispute_id, resolve_body("refund", 100), key);
    ASSERT_EQ(replay.status, 200) << replay.describe();
    EXPECT_EQ(replay.header("idempotent-replayed"), "true");
    EXPECT_EQ(replay.body, first.body);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100) << "refunded once";

    const Response reused = api().resolve_dispute(dispute_id, resolve_body("refund", 150), key);
    EXPECT_TRUE(refused(reused, "idempotency_key_reused"));
    const Response reused_reject = api().resolve_dispute(dispute_id, resolve_body("reject"), key);
    EXPECT_TRUE(refused(reused_reject, "idempotency_key_reused"));
    const Json d = api().dispute(dispute_id).expect(200).json();
    EXPECT_EQ(d["state"].str(), "refunded");
    EXPECT_EQ(d["refunded_minor"].i64(), 100);
    EXPECT_EQ(order(id)["refunded_minor"].i64(), 100);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);
    EXPECT_EQ(transfers().size(), 3U);
}

TEST_F(DisputeTest, AnotherTenantSeesNoDisputeAndCannotResolveIt) {
    const std::string id = delivered_activation();
    const std::string dispute_id = open(id);
    ASSERT_FALSE(dispute_id.empty());

    TenantApi other(http(), new_tenant());
    const Response get = other.dispute(dispute_id);
    EXPECT_EQ(get.status, 404) << get.describe();
    EXPECT_EQ(get.problem_code(), "dispute_not_found");
    const Json list = other.disputes().expect(200).json();
    EXPECT_EQ(list["data"].size(), 0U) << list.dump();
    EXPECT_FALSE(list["has_more"].boolean());
    const Response resolve = other.resolve_dispute(dispute_id, resolve_body("refund", telegram_us_minor));
    EXPECT_EQ(resolve.status, 404) << resolve.describe();
    EXPECT_EQ(resolve.problem_code(), "dispute_not_found");
    const Response open_there = other.open_dispute(id, open_body("not mine"));
    EXPECT_EQ(open_there.status, 404) << open_there.describe();
    EXPECT_EQ(open_there.problem_code(), "order_not_found");
    const Response cursor = other.disputes("starting_after=" + dispute_id);
    EXPECT_EQ(cursor.status, 404) << cursor.describe();

    EXPECT_EQ(api().dispute(dispute_id).expect(200).json()["state"].str(), "open");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    // And in its own tenant, an id that names nothing is 404 as well.
    const Response unknown = api().resolve_dispute("dsp_unknown", resolve_body("reject"));
    EXPECT_EQ(unknown.status, 404) << unknown.describe();
    EXPECT_EQ(unknown.problem_code(), "dispute_not_found");
    EXPECT_EQ(api().dispute("dsp_unknown").status, 404);
}

TEST_F(DisputeTest, DisputesAreListedNewestFirstByStateAndPaged) {
    // Four disputes opened a second apart (with evidence: from the third on it is required).
    std::vector<std::string> d;
    for (int i = 0; i < 4; ++i) {
        const std::string order_id = delivered_activation();
        advance_ms(second_ms);
        d.push_back(open(order_id, evidence));
        ASSERT_FALSE(d.back().empty());
    }
    ASSERT_EQ(api().resolve_dispute(d[0], resolve_body("refund", 100)).status, 200);
    ASSERT_EQ(api().resolve_dispute(d[1], resolve_body("reject")).status, 200);

    EXPECT_EQ(listed(), (std::vector<std::string>{d[3], d[2], d[1], d[0]}));
    EXPECT_EQ(listed("state=open"), (std::vector<std::string>{d[3], d[2]}));
    EXPECT_EQ(listed("state=refunded"), std::vector<std::string>{d[0]});
    EXPECT_EQ(listed("state=rejected"), std::vector<std::string>{d[1]});

    const Json first_page = api().disputes("limit=3").expect(200).json();
    EXPECT_EQ(ids_of(first_page), (std::vector<std::string>{d[3], d[2], d[1]}));
    EXPECT_TRUE(first_page["has_more"].boolean());
    const Json second_page = api().disputes("limit=3&starting_after=" + d[1]).expect(200).json();
    EXPECT_EQ(ids_of(second_page), std::vector<std::string>{d[0]});
    EXPECT_FALSE(second_page["has_more"].boolean());

    const Json open_page = api().disputes("state=open&limit=1").expect(200).json();
    EXPECT_EQ(ids_of(open_page), std::vector<std::string>{d[3]});
    EXPECT_TRUE(open_page["has_more"].boolean());
    const Json open_rest = api().disputes("state=open&limit=1&starting_after=" + d[3]).expect(200).json();
    EXPECT_EQ(ids_of(open_rest), std::vector<std::string>{d[2]});
    EXPECT_FALSE(open_rest["has_more"].boolean());

    // A page holds 1 to 100 (a bad limit is a malformed query: 400); a cursor of the tenant's
    // own list is found whatever its state.
    EXPECT_EQ(api().disputes("limit=0").status, 400);
    EXPECT_EQ(api().disputes("limit=101").problem_code(), "bad_request");
    EXPECT_EQ(ids_of(api().disputes("limit=100").expect(200).json()).size(), 4U);
    EXPECT_EQ(ids_of(api().disputes("state=open&starting_after=" + d[1]).expect(200).json()),
              std::vector<std::string>{});
    EXPECT_EQ(api().disputes("starting_after=dsp_unknown").problem_code(), "cursor_not_found");
}

}  // namespace
}  // namespace billing::integration
