#include "billing/storage/reports.hpp"

#include "billing/storage/dialect.hpp"

namespace billing::reports {

namespace {

// The range of one product in the index orders_report (tenant_id, product, closed_at_ms).
const char* const range_condition =
    " FROM orders WHERE tenant_id = :t AND product = :p AND closed_at_ms >= :f AND closed_at_ms < :u";

}  // namespace

std::vector<AttributeCount> count_by_attribute(soci::session& sql, const ClosedRange& range,
                                               const std::string& attribute, const std::string& outcome) {
    const std::string text = "SELECT " + storage::Dialect::of(sql).json_text("attributes", attribute) +
                             ", COUNT(*), SUM(CASE WHEN outcome = :o THEN 1 ELSE 0 END)" + range_condition +
                             " GROUP BY 1";
    std::string key;
    soci::indicator key_ind = soci::i_null;
    long long orders = 0, with_outcome = 0;
    const long long from = range.from_ms, to = range.to_ms;
    soci::statement st =
        (sql.prepare << text, soci::into(key, key_ind), soci::into(orders), soci::into(with_outcome),
         soci::use(outcome), soci::use(range.tenant_id), soci::use(range.product), soci::use(from), soci::use(to));
    st.execute();
    std::vector<AttributeCount> counts;
    while (st.fetch()) {
        counts.push_back(AttributeCount{key_ind == soci::i_ok ? std::optional<std::string>(key) : std::nullopt, orders,
                                        with_outcome});
    }
    return counts;
}

void each_attributes_and_outcome(soci::session& sql, const ClosedRange& range,
                                 const std::function<void(const std::vector<std::string>& attributes,
                                                          const std::vector<std::string>& outcomes)>& batch) {
    const std::string text = std::string("SELECT attributes, outcome") + range_condition;
    std::vector<std::string> attributes(batch_rows), outcomes(batch_rows);
    const long long from = range.from_ms, to = range.to_ms;
    soci::statement st = (sql.prepare << text, soci::into(attributes), soci::into(outcomes), soci::use(range.tenant_id),
                          soci::use(range.product), soci::use(from), soci::use(to));
    st.execute();
    while (st.fetch()) {
        batch(attributes, outcomes);
        attributes.resize(batch_rows);
        outcomes.resize(batch_rows);
    }
}

}  // namespace billing::reports
