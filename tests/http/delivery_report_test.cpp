// The delivery report's own logic (billing/server/delivery_report.hpp): the ranking with its
// tie-breaks, the rate's rounding at its exact edges, and the counting over a real SQLite
// database, where the C++ scan and the SQL grouping must agree on every attributes text,
// including the ones the scan hands to Poco's parser.
#include "billing/server/delivery_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "billing/core/ids.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::server::report {
namespace {

DeliveryGroup group(const char* key, std::int64_t orders, std::int64_t delivered) {
    return {key ? std::optional<std::string>(key) : std::nullopt, orders, delivered};
}

std::vector<std::string> keys(const std::vector<DeliveryGroup>& groups) {
    std::vector<std::string> out;
    for (const DeliveryGroup& g : groups) out.push_back(g.key.value_or("null"));
    return out;
}

TEST(DeliveryReport, RanksByExactRateThenOrdersThenKeyWithNullLast) {
    const std::vector<DeliveryGroup> groups{
        group("b", 3, 2),                                                 // 0.666...
        group("a", 6, 4),                                                 // 0.666..., more orders
        group(nullptr, 3, 2), group("c", 3, 2), group("d", 10000, 6667),  // 0.6667: above 2/3 though it rounds the same
        group("e", 1, 1),     group("f", 2, 0),
    };
    EXPECT_EQ(keys(rank(groups, 10, 1)), (std::vector<std::string>{"e", "d", "a", "b", "c", "null", "f"}));
    EXPECT_EQ(keys(rank(groups, 2, 1)), (std::vector<std::string>{"e", "d"}));
    EXPECT_EQ(keys(rank(groups, 10, 3)), (std::vector<std::string>{"d", "a", "b", "c", "null"}));
    EXPECT_EQ(keys(rank(groups, 10, 6)), (std::vector<std::string>{"d", "a"}));
    EXPECT_EQ(keys(rank(groups, 10, 10001)), std::vector<std::string>{});
}

TEST(DeliveryReport, RateIsRoundedHalfUpToFourDecimalsFromIntegers) {
    EXPECT_EQ(rate_text(0, 1), "0.0000");
    EXPECT_EQ(rate_text(1, 1), "1.0000");
    EXPECT_EQ(rate_text(2, 3), "0.6667");
    EXPECT_EQ(rate_text(1, 3), "0.3333");
    EXPECT_EQ(rate_text(1, 20000), "0.0001");      // 0.00005: half up
    EXPECT_EQ(rate_text(1, 20001), "0.0000");      // just below half
    EXPECT_EQ(rate_text(19999, 20000), "1.0000");  // 0.99995: half up
    EXPECT_EQ(rate_text(19998, 20000), "0.9999");
    EXPECT_EQ(rate_text(3'000'000'000LL, 4'000'000'000LL), "0.7500");  // counts past 2^31
}

TEST(DeliveryReport, AttributeNamesAreOneTo64OfLowerCaseDigitsAndUnderscore) {
    EXPECT_TRUE(valid_attribute_name("country"));
    EXPECT_TRUE(valid_attribute_name("a_1"));
    EXPECT_TRUE(valid_attribute_name(std::string(64, 'a')));
    EXPECT_FALSE(valid_attribute_name(""));
    EXPECT_FALSE(valid_attribute_name(std::string(65, 'a')));
    EXPECT_FALSE(valid_attribute_name("Country"));
    EXPECT_FALSE(valid_attribute_name("a-b"));
    EXPECT_FALSE(valid_attribute_name("a'b"));
    EXPECT_FALSE(valid_attribute_name("a\"b"));
}

class DeliveryCountsTest : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = std::filesystem::temp_directory_path() / (new_id("report-test") + ".sqlite");
        storage::DatabaseOptions options;
        options.target = file_.string();
        options.pool_size = 1;
        auto opened = storage::Database::open(options);
        ASSERT_TRUE(opened) << opened.error().message;
        db_ = std::move(opened).value();
        ASSERT_TRUE(storage::migrate(*db_, 0));
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file_.string() + suffix, ignored);
    }

    void insert(const std::string& tenant, const std::string& product, const std::string& attributes,
                const std::string& outcome, std::optional<long long> closed) {
        storage::Database::Lease lease(*db_);
        const std::string id = new_id("ord");
        soci::indicator closed_ind = closed ? soci::i_ok : soci::i_null;
        long long closed_ms = closed.value_or(0);
        const int is_final = closed ? 1 : 0;
        lease.sql() << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, price_minor, "
                       "charged_minor, captured_minor, refunded_from_escrow_minor, refunded_from_revenue_minor, "
                       "outcome, policy, is_final, version, created_at_ms, updated_at_ms, closed_at_ms) VALUES "
                       "(:id, :t, 'acc', :p, 's', :a, '{}', 1, 1, 0, 0, 0, :o, 'p@1', :f, 1, 0, 0, :c)",
            soci::use(id), soci::use(tenant), soci::use(product), soci::use(attributes), soci::use(outcome),
            soci::use(is_final), soci::use(closed_ms, closed_ind);
    }

    std::map<std::string, std::pair<std::int64_t, std::int64_t>> counted(Grouping grouping, const std::string& by,
                                                                         std::int64_t* rows_scanned = nullptr) {
        const DeliveryQuery query{"t1", {"activation"}, by, 100, 200};
        storage::Database::Lease lease(*db_);
        const DeliveryCounts counts = count_delivery(lease.sql(), query, grouping);
        std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
        for (const DeliveryGroup& g : counts.groups) out[g.key.value_or("null")] = {g.orders, g.delivered};
        if (rows_scanned) *rows_scanned = counts.rows_scanned;
        return out;
    }

    std::filesystem::path file_;
    std::unique_ptr<storage::Database> db_;
};

TEST_F(DeliveryCountsTest, TheScanAndSqlAgreeOnEveryAttributesText) {
    insert("t1", "activation", R"({"country":"us","service":"telegram"})", "delivered", 100);  // at from: in
    insert("t1", "activation", R"({"country":"us","service":"telegram"})", "not_delivered", 199);
    insert("t1", "activation", R"({"codes_received":"1","country":"gb","service":"wa"})", "delivered", 150);
    // Not the host's compact text: whitespace, an escaped value, the name as another member's value.
    insert("t1", "activation", R"({ "country" : "gb" })", "delivered", 150);
    insert("t1", "activation", R"({"note":"country","country":"d\u00e9"})", "cancelled", 150);
    insert("t1", "activation", R"({"country":"x\"y"})", "delivered", 150);
    // Without the attribute, and not an object of strings: both grouped under null.
    insert("t1", "activation", R"({"service":"telegram"})", "delivered", 150);
    insert("t1", "activation", R"({})", "not_delivered", 150);
    insert("t1", "activation", R"({"country":1})", "not_delivered", 150);
    // Never counted: closed at to, before from, open, another product, another tenant.
    insert("t1", "activation", R"({"country":"us"})", "delivered", 200);
    insert("t1", "activation", R"({"country":"us"})", "delivered", 99);
    insert("t1", "activation", R"({"country":"us"})", "delivered", std::nullopt);
    insert("t1", "rental", R"({"country":"us"})", "delivered", 150);
    insert("t2", "activation", R"({"country":"us"})", "delivered", 150);

    std::int64_t scanned = 0;
    const auto cpp = counted(Grouping::cpp, "country", &scanned);
    const std::map<std::string, std::pair<std::int64_t, std::int64_t>> expected{
        {"us", {2, 1}}, {"gb", {2, 2}}, {"d\xc3\xa9", {1, 0}}, {"x\"y", {1, 1}}, {"null", {2, 1}}};
    // SQLite's json_extract gives the number 1 as "1"; the scan (like the host, whose attributes
    // are strings) counts a value that is no string as no attribute.
    auto expected_cpp = expected;
    expected_cpp["null"] = {3, 1};
    EXPECT_EQ(cpp, expected_cpp);
    EXPECT_EQ(scanned, 9);
    auto expected_sql = expected;
    expected_sql["1"] = {1, 0};
    EXPECT_EQ(counted(Grouping::sql, "country"), expected_sql);
}

}  // namespace
}  // namespace billing::server::report
