// The host's JSON reading, request bodies and stored texts, with Google Benchmark: what a route
// does with a body (parse_json_object, its getters, canonical_json for the idempotency hash),
// what the sweeper does with an order's stored attributes and terms (json_codec), and what an
// idempotent replay does with a stored problem (parse_problem_body). Apart from
// BM_StoredAttributesAndTermsGeneralReader, it calls only functions whose signatures predate the
// RapidJSON reader, so the file without that one builds against the commit before it:
// tests/bench/README.md says how the two are compared.
#include <benchmark/benchmark.h>

#include <string>

#include "billing/http/json_input.hpp"
#include "billing/http/problem.hpp"
#include "billing/storage/json_codec.hpp"

namespace {

using namespace billing;

const std::string purchase =
    R"({"account_id":"acc_01HZX3N8M2Q4R5T6V7W8Y9Z0AB","product":"activation",)"
    R"("attributes":{"service":"telegram","country":"us","operator":"any"},"numbers":{"duration_hours":24}})";

// A refund with a customer's note: a message of about 300 bytes with escapes and non-ASCII text.
const std::string message =
    R"({"reason":"customer_request","amount_minor":1500,"note":"Customer wrote: \"the code never arrived\")"
    R"( \u2014 tried twice at 10:42 and 10:47 (UTC), number +1 555 0100.\nSecond line: r\u00e9sum\u00e9 )"
    R"(attached; ticket #48213, agent J\u00fcrgen. Please refund the full amount and close the order."})";

// The largest body a route takes: a tenant's policy config of just under 64 KiB in one string.
std::string big_body() {
    std::string config;
    for (int i = 0; config.size() < 65'000; ++i) {
        config += "[product_" + std::to_string(i) + "]\\nprice_minor = " + std::to_string(100 + i) +
                  "\\nwindow_ms = 1200000\\nname = \\\"Activation \\u00e9 " + std::to_string(i) + "\\\"\\n";
    }
    return R"({"name":"tenant_big","currency":"USD","policy":"otpdesk","policy_config":")" + config + R"("})";
}

// As deep as a body may nest (4), and one refused for nesting far deeper.
const std::string deep_accepted = R"({"attributes":{"a":[{"b":[1,2,3]}]}})";
const std::string deep_refused = std::string(32'768, '[') + std::string(32'768, ']');

constexpr http::StringBounds id_bounds{1, 64};
constexpr http::MapBounds attribute_bounds{};
constexpr http::StringBounds attribute_value_bounds{1, 256};
constexpr http::IntegerRange number_range{0, 1'000'000'000};

void BM_Purchase(benchmark::State& state) {
    for (auto _ : state) {
        auto body = http::parse_json_object(purchase, {}, {"account_id", "product", "attributes", "numbers"});
        const http::JsonObject& b = body.value();
        benchmark::DoNotOptimize(b.required_string("account_id", id_bounds));
        benchmark::DoNotOptimize(b.required_string("product", id_bounds));
        benchmark::DoNotOptimize(b.string_map("attributes", attribute_bounds, attribute_value_bounds));
        benchmark::DoNotOptimize(b.integer_map("numbers", attribute_bounds, number_range));
        benchmark::DoNotOptimize(http::canonical_json(purchase, http::JsonLimits{}.depth_max));
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(purchase.size()));
}
BENCHMARK(BM_Purchase);

void BM_Message(benchmark::State& state) {
    for (auto _ : state) {
        auto body = http::parse_json_object(message, {}, {"reason", "amount_minor", "note"});
        const http::JsonObject& b = body.value();
        benchmark::DoNotOptimize(b.required_string("reason", id_bounds));
        benchmark::DoNotOptimize(b.required_money("amount_minor", {1, 1'000'000'000'000'000}));
        benchmark::DoNotOptimize(b.optional_string("note", {1, 1000}));
        benchmark::DoNotOptimize(http::canonical_json(message, http::JsonLimits{}.depth_max));
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
BENCHMARK(BM_Message);

void BM_Body64KiB(benchmark::State& state) {
    const std::string body_text = big_body();
    for (auto _ : state) {
        auto body = http::parse_json_object(body_text, {}, {"name", "currency", "policy", "policy_config"});
        benchmark::DoNotOptimize(body.value().optional_string("policy_config", {1, 65'536, /*multiline=*/true}));
        benchmark::DoNotOptimize(http::canonical_json(body_text, http::JsonLimits{}.depth_max));
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body_text.size()));
}
BENCHMARK(BM_Body64KiB);

void BM_DeepAccepted(benchmark::State& state) {
    for (auto _ : state) {
        auto body = http::parse_json_object(deep_accepted, {}, {"attributes"});
        benchmark::DoNotOptimize(body.ok());
        benchmark::DoNotOptimize(http::canonical_json(deep_accepted, http::JsonLimits{}.depth_max));
    }
}
BENCHMARK(BM_DeepAccepted);

void BM_DeepRefused(benchmark::State& state) {
    for (auto _ : state) {
        auto body = http::parse_json_object(deep_refused, {}, {});
        benchmark::DoNotOptimize(body.ok());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(deep_refused.size()));
}
BENCHMARK(BM_DeepRefused);

// An order's stored attributes and terms, as the sweeper reads them for every order of a batch:
// through the plain-text reader json_codec uses (BM_StoredAttributesAndTerms), and through the
// general JSON reader alone (BM_StoredAttributesAndTermsGeneralReader), side by side in one run,
// which is what justifies json_codec keeping a reader of its own for these texts.
const std::string stored_attributes = R"({"country":"us","operator":"any","service":"telegram"})";
const std::string stored_terms = R"({"duration_hours":24,"price_minor":150,"window_ms":1200000})";

void BM_StoredAttributesAndTerms(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(json_codec::decode_attributes(stored_attributes));
        benchmark::DoNotOptimize(json_codec::decode_numbers(stored_terms));
    }
}
BENCHMARK(BM_StoredAttributesAndTerms);

void BM_StoredAttributesAndTermsGeneralReader(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            json_codec::decode_attributes(stored_attributes, json_codec::StoredTextReader::general));
        benchmark::DoNotOptimize(json_codec::decode_numbers(stored_terms, json_codec::StoredTextReader::general));
    }
}
BENCHMARK(BM_StoredAttributesAndTermsGeneralReader);

// A stored problem read back for an idempotent replay.
void BM_StoredProblem(benchmark::State& state) {
    http::Problem problem = http::policy_denial("too_soon", "Wait for the window to open.", 1'700'000'000'000);
    problem.request_id = "req_01HZX3N8M2Q4R5T6V7W8Y9Z0AB";
    const std::string text = http::problem_body(problem);
    for (auto _ : state) benchmark::DoNotOptimize(http::parse_problem_body(text));
}
BENCHMARK(BM_StoredProblem);

}  // namespace

BENCHMARK_MAIN();
