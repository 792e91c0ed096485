// The delivery-rate report (GET /v1/reports/delivery) on a data set made through the API: ten
// activations of four countries and three services, some with a code, some cancelled at 2:00,
// the rest expired at 20:00 (a delivered activation closes at 20:00 too). Every row is asserted
// exactly (orders, delivered, rate), the range at its edges to the ms, and the audit is clean
// after each test (HostTest).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

struct Row {
    std::string key;  // "null" for a null key
    std::int64_t orders = 0;
    std::int64_t delivered = 0;
    std::int64_t rate_bp = 0;  // rate * 10,000

    bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Row& r) {
    return out << "{" << r.key << " " << r.orders << " " << r.delivered << " " << r.rate_bp << "}";
}

std::vector<Row> rows_of(const Json& report) {
    std::vector<Row> rows;
    const Json data = report["data"];
    for (std::size_t i = 0; i < data.size(); ++i) {
        const Json r = data[i];
        const double rate = std::stod(r["rate"].dump());
        rows.push_back({r["key"].is_null() ? "null" : r["key"].str(), r["orders"].i64(), r["delivered"].i64(),
                        std::llround(rate * 10000)});
    }
    return rows;
}

class ReportTest : public OtpDeskTest {
protected:
    Response report(const std::string& query, const std::string& key) {
        return http().get("/v1/reports/delivery?" + query, RequestOptions{key, std::nullopt, ""});
    }
    Response report(const std::string& query) { return report(query, api().keys().service); }
    Json report_ok(const std::string& query) {
        const Response r = report(query);
        EXPECT_EQ(r.status, 200) << r.describe();
        return r.json();
    }
    // "from=...&to=..." for [from_ms, to_ms).
    static std::string range(UtcMs from_ms, UtcMs to_ms) {
        return "from=" + format_rfc3339(from_ms) + "&to=" + format_rfc3339(to_ms);
    }

    // The data set, bought at t0_:
    //   us telegram x3: 2 codes, 1 expires          de whatsapp x4: 3 codes, 1 expires
    //   gb telegram x2: 1 code, 1 cancelled at 2:00  fr discord x1: cancelled at 2:00
    // Cancelled orders close at t0 + 2:00, all others at t0 + 20:00; the clock ends at t0 + 20:00.
    void make_data_set() {
        t0_ = api().clock_now();
        struct Buy {
            const char* service;
            const char* country;
            enum { code, cancel, expire } fate;
        };
        const Buy buys[] = {{"telegram", "us", Buy::code},   {"telegram", "us", Buy::code},
                            {"telegram", "us", Buy::expire}, {"telegram", "gb", Buy::code},
                            {"telegram", "gb", Buy::cancel}, {"whatsapp", "de", Buy::code},
                            {"whatsapp", "de", Buy::code},   {"whatsapp", "de", Buy::code},
                            {"whatsapp", "de", Buy::expire}, {"discord", "fr", Buy::cancel}};
        std::vector<std::string> to_cancel;
        for (const Buy& b : buys) {
            const std::string id = api().new_activation(account_, b.service, b.country);
            if (b.fate == Buy::code) api().message(id, b.service).expect(200);
            if (b.fate == Buy::cancel) to_cancel.push_back(id);
        }
        api().move_clock_to(at(t0_, 2));
        for (const std::string& id : to_cancel) api().cancel(id).expect(200);
        api().move_clock_to(at(t0_, 20));
    }

    UtcMs t0_ = 0;
};

TEST_F(ReportTest, ByCountryAndServiceTheRowsAreExactAndSortedByRate) {
    make_data_set();
    const std::string all = range(t0_, at(t0_, 20, 0, 1));
    const Json by_country = report_ok("group_by=country&min_orders=1&" + all);
    EXPECT_EQ(rows_of(by_country),
              (std::vector<Row>{{"de", 4, 3, 7500}, {"us", 3, 2, 6667}, {"gb", 2, 1, 5000}, {"fr", 1, 0, 0}}))
        << by_country.dump();
    EXPECT_EQ(by_country["object"].str(), "delivery_report");
    EXPECT_EQ(by_country["group_by"].str(), "country");
    EXPECT_EQ(by_country["products"].size(), 1U);
    EXPECT_EQ(by_country["products"][0].str(), "activation");
    EXPECT_EQ(by_country["rows_scanned"].i64(), 10);
    EXPECT_EQ(by_country["groups"].i64(), 4);
    EXPECT_EQ(by_country["top"].i64(), 10);
    EXPECT_EQ(by_country["min_orders"].i64(), 1);
    EXPECT_EQ(parse_rfc3339(by_country["from"].str()), t0_);
    EXPECT_EQ(parse_rfc3339(by_country["to"].str()), at(t0_, 20, 0, 1));
    // The rate is written with exactly 4 decimals.
    const std::string text = report("group_by=country&min_orders=1&" + all).body;
    EXPECT_NE(text.find("\"rate\":0.6667"), std::string::npos) << text;
    EXPECT_NE(text.find("\"rate\":0.0000"), std::string::npos) << text;

    const Json by_service = report_ok("group_by=service&product=activation&min_orders=1&" + all);
    EXPECT_EQ(rows_of(by_service),
              (std::vector<Row>{{"whatsapp", 4, 3, 7500}, {"telegram", 5, 3, 6000}, {"discord", 1, 0, 0}}))
        << by_service.dump();

    // An attribute no order has: one group of them all, under null.
    const Json by_nothing = report_ok("group_by=colour&min_orders=1&" + all);
    EXPECT_EQ(rows_of(by_nothing), (std::vector<Row>{{"null", 10, 6, 6000}})) << by_nothing.dump();
}

TEST_F(ReportTest, FromIsInclusiveAndToExclusiveToTheMs) {
    make_data_set();
    // The cancelled orders closed at exactly t0 + 2:00, all others at exactly t0 + 20:00.
    EXPECT_EQ(rows_of(report_ok("group_by=service&min_orders=1&" + range(at(t0_, 2), at(t0_, 20)))),
              (std::vector<Row>{{"discord", 1, 0, 0}, {"telegram", 1, 0, 0}}));
    EXPECT_EQ(rows_of(report_ok("group_by=service&min_orders=1&" + range(at(t0_, 2, 0, 1), at(t0_, 20)))),
              std::vector<Row>{});
    EXPECT_EQ(rows_of(report_ok("group_by=service&min_orders=1&" + range(t0_, at(t0_, 2)))), std::vector<Row>{});
    EXPECT_EQ(rows_of(report_ok("group_by=country&min_orders=1&" + range(at(t0_, 2, 0, 1), at(t0_, 20, 0, 1)))),
              (std::vector<Row>{{"gb", 1, 1, 10000}, {"de", 4, 3, 7500}, {"us", 3, 2, 6667}}));
    // The defaults: to = now (t0 + 20:00, so the orders closed then are out), from = to - 30 days.
    const Json defaults = report_ok("group_by=country&min_orders=1");
    EXPECT_EQ(rows_of(defaults), (std::vector<Row>{{"fr", 1, 0, 0}, {"gb", 1, 0, 0}})) << defaults.dump();
    EXPECT_EQ(parse_rfc3339(defaults["to"].str()), at(t0_, 20));
    EXPECT_EQ(parse_rfc3339(defaults["from"].str()), at(t0_, 20) - 30 * 24 * hour_ms);
}

TEST_F(ReportTest, TopAndMinOrdersFilterAfterRanking) {
    make_data_set();
    const std::string all = range(t0_, at(t0_, 20, 0, 1));
    EXPECT_EQ(rows_of(report_ok("group_by=country&min_orders=1&top=2&" + all)),
              (std::vector<Row>{{"de", 4, 3, 7500}, {"us", 3, 2, 6667}}));
    EXPECT_EQ(rows_of(report_ok("group_by=country&min_orders=3&" + all)),
              (std::vector<Row>{{"de", 4, 3, 7500}, {"us", 3, 2, 6667}}));
    EXPECT_EQ(rows_of(report_ok("group_by=service&min_orders=5&" + all)), (std::vector<Row>{{"telegram", 5, 3, 6000}}));
    // The default min_orders (20) leaves none of these small groups; groups still counts them.
    const Json defaults = report_ok("group_by=country&" + all);
    EXPECT_EQ(defaults["data"].size(), 0U);
    EXPECT_EQ(defaults["groups"].i64(), 4);
    EXPECT_EQ(defaults["rows_scanned"].i64(), 10);
}

TEST_F(ReportTest, AnotherProductOrAnotherTenantIsNeverCounted) {
    make_data_set();
    const std::string all = range(t0_, at(t0_, 20, 0, 1));
    // A rental cancelled in its first 20 minutes is a closed order of another product.
    const std::string rental = api().new_rental(account_, 24);
    api().cancel(rental).expect(200);
    const Json rentals = report_ok("group_by=country&product=rental&min_orders=1&" + range(t0_, at(t0_, 21)));
    EXPECT_EQ(rows_of(rentals), (std::vector<Row>{{"null", 1, 0, 0}})) << rentals.dump();
    const Json none = report_ok("group_by=country&product=nothing&min_orders=1&" + all);
    EXPECT_EQ(none["rows_scanned"].i64(), 0);

    // Another tenant on the same host, with its own test clock, closes orders of the same keys.
    TenantApi other(http(), new_tenant());
    const std::string other_account = other.new_account(10'000);
    const UtcMs other_t0 = other.clock_now();
    const std::string delivered = other.new_activation(other_account, "telegram", "us");
    other.message(delivered, "telegram").expect(200);
    other.new_activation(other_account, "whatsapp", "de");
    other.move_clock_to(at(other_t0, 20));
    const Json other_report =
        other.http()
            .get("/v1/reports/delivery?group_by=country&min_orders=1&" + range(other_t0, at(other_t0, 20, 0, 1)),
                 RequestOptions{other.keys().service, std::nullopt, ""})
            .json();
    EXPECT_EQ(rows_of(other_report), (std::vector<Row>{{"us", 1, 1, 10000}, {"de", 1, 0, 0}})) << other_report.dump();

    EXPECT_EQ(rows_of(report_ok("group_by=country&min_orders=1&" + all)),
              (std::vector<Row>{{"de", 4, 3, 7500}, {"us", 3, 2, 6667}, {"gb", 2, 1, 5000}, {"fr", 1, 0, 0}}));
}

TEST_F(ReportTest, BadParametersAre422NamingTheParameter) {
    const UtcMs now = api().clock_now();
    struct Case {
        std::string query;
        std::string parameter;
    };
    const Case cases[] = {
        {"", "group_by"},
        {"group_by=", "group_by"},
        {"group_by=Country", "group_by"},
        {"group_by=country-code", "group_by"},
        {"group_by=" + std::string(65, 'a'), "group_by"},
        {"group_by=country&product=", "product"},
        {"group_by=country&top=0", "top"},
        {"group_by=country&top=1001", "top"},
        {"group_by=country&top=ten", "top"},
        {"group_by=country&top=-1", "top"},
        {"group_by=country&min_orders=0", "min_orders"},
        {"group_by=country&min_orders=1000001", "min_orders"},
        {"group_by=country&from=yesterday", "from"},
        {"group_by=country&to=2026-13-01T00:00:00Z", "to"},
        {"group_by=country&from=2026-01-01T00:00:00+01:00", "from"},
        {"group_by=country&" + range(now, now), "from"},
        {"group_by=country&" + range(now + 1, now), "from"},
        {"group_by=country&" + range(now - 367 * 24 * hour_ms, now), "from"},
    };
    for (const Case& c : cases) {
        const Response r = report(c.query);
        EXPECT_EQ(r.status, 422) << c.query << ": " << r.describe();
        EXPECT_EQ(r.problem_code(), "validation_failed") << c.query;
        EXPECT_EQ(r.json()["detail"].str().rfind(c.parameter + ":", 0), 0U) << c.query << ": " << r.body;
    }
    // The edges that are allowed.
    EXPECT_EQ(report("group_by=" + std::string(64, 'a') + "&top=1000&min_orders=1000000").status, 200);
    EXPECT_EQ(report("group_by=country&top=1&min_orders=1&" + range(now - 366 * 24 * hour_ms, now)).status, 200);
    EXPECT_EQ(report("group_by=country&" + range(now - 1, now)).status, 200);
    // A parameter the route does not read is a typo worth reporting.
    const Response unknown = report("group_by=country&limit=5");
    EXPECT_EQ(unknown.status, 400) << unknown.describe();
    EXPECT_EQ(unknown.problem_code(), "bad_request");
}

TEST_F(ReportTest, ServiceSupportAndAdminKeysMayReadIt) {
    for (const std::string& key : {api().keys().service, api().keys().support, api().keys().admin}) {
        EXPECT_EQ(report("group_by=country", key).status, 200);
    }
    const Response anonymous = report("group_by=country", "");
    EXPECT_EQ(anonymous.status, 401) << anonymous.describe();
    EXPECT_EQ(anonymous.problem_code(), "unauthorized");
}

}  // namespace
}  // namespace billing::integration
