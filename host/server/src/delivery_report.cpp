#include "billing/server/delivery_report.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>
#include <vector>

#include "billing/core/json_reader.hpp"
#include "billing/storage/reports.hpp"

namespace billing::server::report {

namespace {

// Exact products of two counts: a count may pass 2^31, so two of them may pass 2^63.
__extension__ using Wide = __int128;

// Groups keyed by attribute value, nullopt (no such attribute) ordered first by std::map.
using Tally = std::map<std::optional<std::string>, DeliveryGroup>;

void add(Tally& tally, const std::optional<std::string>& key, std::int64_t orders, std::int64_t delivered) {
    DeliveryGroup& g = tally[key];
    g.key = key;
    g.orders += orders;
    g.delivered += delivered;
}

void count_in_sql(soci::session& sql, const DeliveryQuery& q, const std::string& product, Tally& tally) {
    const reports::ClosedRange range{q.tenant_id, product, q.from_ms, q.to_ms};
    for (const reports::AttributeCount& count :
         reports::count_by_attribute(sql, range, q.group_by, delivered_outcome)) {
        add(tally, count.value, count.orders, count.with_outcome);
    }
}

// Finds the string value of one top-level member while the reader passes over a stored
// attributes text, building nothing else.
class MemberSink final : public json::Sink {
public:
    MemberSink(std::string_view name, std::optional<std::string>& value) : name_(name), value_(value) {}

    bool null() override { return scalar(); }
    bool boolean(bool /*value*/) override { return scalar(); }
    bool integer(std::int64_t /*value*/) override { return scalar(); }
    bool big_integer(std::string_view /*digits*/) override { return scalar(); }
    bool number(double /*value*/) override { return scalar(); }
    bool string(std::string_view value) override {
        if (at_name_) value_ = std::string(value);
        return scalar();
    }
    bool key(std::string_view name) override {
        at_name_ = depth_ == 1 && name == name_;
        return true;
    }
    bool start_object() override { return open(); }
    bool start_array() override { return open(); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

private:
    bool scalar() {
        at_name_ = false;
        return true;
    }
    bool open() {
        ++depth_;
        return scalar();
    }
    bool close() {
        --depth_;
        return true;
    }

    std::string_view name_;
    std::optional<std::string>& value_;
    int depth_ = 0;
    bool at_name_ = false;
};

// What the host wrote (json_codec): an object of strings. Anything else (not JSON, a member
// named twice, a value that is no string) counts as "no such attribute" rather than failing the
// whole report.
std::optional<std::string> attribute_value(std::string_view attributes, std::string_view name) {
    std::optional<std::string> value;
    MemberSink sink(name, value);
    const json::ReadReport report = json::read_events(attributes, {.depth_max = 64, .nul_characters = true}, sink);
    if (report.failure || report.duplicate_name) return std::nullopt;
    return value;
}

void count_in_cpp(soci::session& sql, const DeliveryQuery& q, const std::string& product, Tally& tally) {
    // Counted here by value, then added to the tally once per key.
    std::map<std::string, DeliveryGroup, std::less<>> found;
    DeliveryGroup absent;
    const reports::ClosedRange range{q.tenant_id, product, q.from_ms, q.to_ms};
    reports::each_attributes_and_outcome(
        sql, range, [&](const std::vector<std::string>& attributes, const std::vector<std::string>& outcomes) {
            for (std::size_t i = 0; i < attributes.size(); ++i) {
                const std::int64_t delivered = outcomes[i] == delivered_outcome ? 1 : 0;
                if (const std::optional<std::string> value = attribute_value(attributes[i], q.group_by)) {
                    auto at = found.find(*value);
                    if (at == found.end()) at = found.emplace(*value, DeliveryGroup{}).first;
                    at->second.orders += 1;
                    at->second.delivered += delivered;
                } else {
                    absent.orders += 1;
                    absent.delivered += delivered;
                }
            }
        });
    for (const auto& [key, g] : found) add(tally, key, g.orders, g.delivered);
    if (absent.orders > 0) add(tally, std::nullopt, absent.orders, absent.delivered);
}

}  // namespace

bool valid_attribute_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

DeliveryCounts count_delivery(soci::session& sql, const DeliveryQuery& query, Grouping grouping) {
    assert(valid_attribute_name(query.group_by));
    Tally tally;
    for (const std::string& product : query.products) {
        if (grouping == Grouping::sql) {
            count_in_sql(sql, query, product, tally);
        } else {
            count_in_cpp(sql, query, product, tally);
        }
    }
    DeliveryCounts counts;
    for (auto& [key, group] : tally) {
        counts.rows_scanned += group.orders;
        counts.groups.push_back(std::move(group));
    }
    return counts;
}

std::vector<DeliveryGroup> rank(std::vector<DeliveryGroup> groups, std::size_t top, std::int64_t min_orders) {
    std::erase_if(groups, [&](const DeliveryGroup& g) { return g.orders < min_orders || g.orders <= 0; });
    std::sort(groups.begin(), groups.end(), [](const DeliveryGroup& a, const DeliveryGroup& b) {
        // a.delivered / a.orders > b.delivered / b.orders, without division.
        const Wide left = static_cast<Wide>(a.delivered) * b.orders;
        const Wide right = static_cast<Wide>(b.delivered) * a.orders;
        if (left != right) return left > right;
        if (a.orders != b.orders) return a.orders > b.orders;
        if (a.key.has_value() != b.key.has_value()) return a.key.has_value();  // null last
        return a.key < b.key;
    });
    if (groups.size() > top) groups.resize(top);
    return groups;
}

std::string rate_text(std::int64_t delivered, std::int64_t orders) {
    assert(orders > 0 && delivered >= 0 && delivered <= orders);
    // round(delivered / orders * 10^4), half up: floor((2 * delivered * 10^4 + orders) / (2 * orders)).
    const Wide scaled = (static_cast<Wide>(delivered) * 20000 + orders) / (static_cast<Wide>(orders) * 2);
    const auto units = static_cast<int>(scaled);  // 0..10000
    std::string fraction = std::to_string(units % 10000);
    fraction.insert(0, 4 - fraction.size(), '0');
    return std::to_string(units / 10000) + "." + fraction;
}

}  // namespace billing::server::report
