// The OpenAPI document served at /openapi.json (host/server/openapi.json, compiled into the
// server) against the route table (billing::server::api_routes(), which the Api's router is built
// from): it lists exactly the routes the host serves with exactly their methods, in both
// directions, each under its route name, with its roles, its security, its Idempotency-Key rule
// and exactly the query parameters the route reads; every $ref in it resolves; every 401 names
// the Bearer scheme; and every problem code it names is one the host really answers with, under
// the status it really has.
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "billing/http/problem.hpp"
#include "billing/http/roles.hpp"
#include "billing/http/router.hpp"
#include "billing/server/api.hpp"
#include "billing/server/api_routes.hpp"

namespace billing::server {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The methods a path item may hold (OpenAPI 3.1 §4.8.9); its other members are not operations.
const std::set<std::string> operation_methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

Object::Ptr parsed_document() {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(Api::openapi_document()).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string route_key(http::Method method, std::string_view path) {
    return std::string(http::method_name(method)) + " " + std::string(path);
}

// The value a local reference ("#/components/schemas/Order") points at, or an empty Var.
Var resolve_pointer(const Object::Ptr& document, const std::string& ref) {
    if (ref.rfind("#/", 0) != 0) return {};
    Var at = document;
    std::size_t start = 2;
    while (start <= ref.size()) {
        const std::size_t slash = ref.find('/', start);
        std::string token = ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        std::string name;
        for (std::size_t i = 0; i < token.size(); ++i) {
            if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
                name += token[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                name += token[i];
            }
        }
        if (at.type() == typeid(Object::Ptr)) {
            const Object::Ptr object = at.extract<Object::Ptr>();
            if (!object->has(name)) return {};
            at = object->get(name);
        } else if (at.type() == typeid(Array::Ptr)) {
            const Array::Ptr array = at.extract<Array::Ptr>();
            if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                std::stoul(name) >= array->size()) {
                return {};
            }
            at = array->get(static_cast<unsigned>(std::stoul(name)));
        } else {
            return {};
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return at;
}

// An object that may be a Reference Object: what it points at (one level, as the document uses).
Object::Ptr dereferenced(const Object::Ptr& document, const Object::Ptr& object) {
    if (object.isNull() || !object->has("$ref")) return object;
    const Var target = resolve_pointer(document, object->getValue<std::string>("$ref"));
    return target.type() == typeid(Object::Ptr) ? target.extract<Object::Ptr>() : nullptr;
}

void collect_refs(const Var& value, std::vector<std::string>& refs) {
    if (value.type() == typeid(Object::Ptr)) {
        const Object::Ptr& object = value.extract<Object::Ptr>();
        for (const auto& [name, member] : *object) {
            if (name == "$ref" && member.isString()) refs.push_back(member.extract<std::string>());
            collect_refs(member, refs);
        }
    } else if (value.type() == typeid(Array::Ptr)) {
        for (const Var& item : *value.extract<Array::Ptr>()) collect_refs(item, refs);
    }
}

std::set<std::string> strings_of(const Array::Ptr& array) {
    std::set<std::string> out;
    if (array.isNull()) return out;
    for (const Var& item : *array) {
        if (item.isString()) out.insert(item.extract<std::string>());
    }
    return out;
}

struct Operation {
    std::string key;  // "POST /v1/orders/{id}/cancel"
    Object::Ptr path_item;
    Object::Ptr operation;
};

std::vector<Operation> operations_of(const Object::Ptr& document) {
    std::vector<Operation> out;
    const Object::Ptr paths = document->getObject("paths");
    if (paths.isNull()) return out;
    for (const auto& [path, item] : *paths) {
        if (item.type() != typeid(Object::Ptr)) continue;
        const Object::Ptr path_item = item.extract<Object::Ptr>();
        for (const auto& [method, op] : *path_item) {
            if (operation_methods.count(method) == 0 || op.type() != typeid(Object::Ptr)) continue;
            std::string upper = method;
            std::transform(upper.begin(), upper.end(), upper.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            out.push_back(Operation{upper + " " + path, path_item, op.extract<Object::Ptr>()});
        }
    }
    return out;
}

// The operation's parameters and its path item's, references followed.
std::vector<Object::Ptr> parameters_of(const Object::Ptr& document, const Operation& op) {
    std::vector<Object::Ptr> out;
    for (const Object::Ptr& holder : {op.path_item, op.operation}) {
        const Array::Ptr list = holder->getArray("parameters");
        if (list.isNull()) continue;
        for (const Var& item : *list) {
            if (item.type() != typeid(Object::Ptr)) continue;
            if (const Object::Ptr p = dereferenced(document, item.extract<Object::Ptr>()); !p.isNull()) {
                out.push_back(p);
            }
        }
    }
    return out;
}

// status -> the host's problem codes an operation's response for that status lists.
std::map<std::string, std::set<std::string>> problem_codes_of(const Object::Ptr& document, const Operation& op) {
    std::map<std::string, std::set<std::string>> out;
    const Object::Ptr responses = op.operation->getObject("responses");
    if (responses.isNull()) return out;
    for (const auto& [status, response] : *responses) {
        if (response.type() != typeid(Object::Ptr)) continue;
        const Object::Ptr resolved = dereferenced(document, response.extract<Object::Ptr>());
        if (resolved.isNull()) continue;
        const auto codes = strings_of(resolved->getArray("x-problem-codes"));
        out[status].insert(codes.begin(), codes.end());
    }
    return out;
}

std::map<std::string, const http::RouteSpec*> served_routes() {
    std::map<std::string, const http::RouteSpec*> served;
    const http::Router router(api_routes());  // routes() is a member of it: the router must outlive the loop
    for (const http::RouteSpec* route : router.routes()) {
        served[route_key(route->method, route->path)] = route;
    }
    return served;
}

// A route without a handler would be dispatched to a null function pointer.
TEST(OpenApi, EveryRouteHasAHandler) {
    for (const ApiRoute& route : api_routes()) EXPECT_NE(route.handler, nullptr) << route.name;
}

TEST(OpenApi, IsOpenApi31Json) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull()) << "host/server/openapi.json is not a JSON object";
    EXPECT_EQ(document->optValue<std::string>("openapi", ""), "3.1.0");
    EXPECT_FALSE(document->getObject("info").isNull());
    EXPECT_FALSE(document->getObject("paths").isNull());
}

TEST(OpenApi, ListsExactlyTheServedRoutesUnderTheirNames) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto served = served_routes();
    EXPECT_EQ(served.size(), api_routes().size()) << "two routes of the table share a method and a path";

    std::map<std::string, std::string> documented;  // "METHOD path" -> operationId
    std::set<std::string> operation_ids;
    for (const Operation& op : operations_of(document)) {
        const std::string id = op.operation->optValue<std::string>("operationId", "");
        EXPECT_FALSE(id.empty()) << op.key << " has no operationId";
        EXPECT_TRUE(operation_ids.insert(id).second) << "operationId " << id << " is used twice";
        documented[op.key] = id;
    }
    for (const auto& [key, route] : served) {
        const auto found = documented.find(key);
        if (found == documented.end()) {
            ADD_FAILURE() << "served but not documented: " << key << " (" << route->name << ")";
        } else {
            EXPECT_EQ(found->second, route->name) << key << ": the operationId is not the route's name";
        }
    }
    for (const auto& [key, id] : documented) {
        if (served.count(key) == 0) ADD_FAILURE() << "documented but not a route: " << key << " (" << id << ")";
    }
}

TEST(OpenApi, SecurityAndRolesAreTheRouteTables) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const Object::Ptr components = document->getObject("components");
    ASSERT_FALSE(components.isNull());
    const Object::Ptr schemes = components->getObject("securitySchemes");
    ASSERT_FALSE(schemes.isNull());
    const Object::Ptr bearer = schemes->getObject("bearerAuth");
    ASSERT_FALSE(bearer.isNull()) << "components.securitySchemes.bearerAuth is missing";
    EXPECT_EQ(bearer->optValue<std::string>("type", ""), "http");
    EXPECT_EQ(lower(bearer->optValue<std::string>("scheme", "")), "bearer");

    const auto served = served_routes();
    for (const Operation& op : operations_of(document)) {
        const auto route = served.find(op.key);
        if (route == served.end()) continue;  // reported by ListsExactlyTheServedRoutesUnderTheirNames
        const http::RouteSpec& spec = *route->second;
        // Operation-level security, always: a public route must say [] to override the document's default.
        const Array::Ptr security = op.operation->getArray("security");
        ASSERT_FALSE(security.isNull()) << op.key << " has no security of its own";
        if (spec.roles.is_public()) {
            EXPECT_EQ(security->size(), 0U) << op.key << " is public: its security must be []";
        } else {
            EXPECT_GT(security->size(), 0U) << op.key << " needs a key: its security may not be empty";
            for (const Var& requirement : *security) {
                const bool bearer_required =
                    requirement.type() == typeid(Object::Ptr) && requirement.extract<Object::Ptr>()->has("bearerAuth");
                EXPECT_TRUE(bearer_required) << op.key << ": every security requirement must name bearerAuth";
            }
        }
        std::set<std::string> roles;
        for (const http::Role role : http::all_roles) {
            if (spec.roles.contains(role)) roles.insert(std::string(http::role_name(role)));
        }
        const Array::Ptr x_roles = op.operation->getArray("x-roles");
        ASSERT_FALSE(x_roles.isNull()) << op.key << " has no x-roles";
        EXPECT_EQ(strings_of(x_roles), roles) << op.key << ": x-roles differ from the route table's roles";
    }
}

// The components.parameters entry an operation's Idempotency-Key header refers to ("" when it
// declares none, "inline" when it declares one in place).
std::string idempotency_parameter_of(const Object::Ptr& document, const Operation& op) {
    std::string found;
    for (const Object::Ptr& holder : {op.path_item, op.operation}) {
        const Array::Ptr list = holder->getArray("parameters");
        if (list.isNull()) continue;
        for (const Var& item : *list) {
            if (item.type() != typeid(Object::Ptr)) continue;
            const Object::Ptr& raw = item.extract<Object::Ptr>();
            const Object::Ptr p = dereferenced(document, raw);
            if (p.isNull() || p->optValue<std::string>("in", "") != "header" ||
                lower(p->optValue<std::string>("name", "")) != "idempotency-key") {
                continue;
            }
            const std::string ref = raw->optValue<std::string>("$ref", "");
            found = ref.empty() ? "inline" : ref.substr(ref.rfind('/') + 1);
        }
    }
    return found;
}

TEST(OpenApi, IdempotencyKeyIsDocumentedAsTheRouteTableTreatsIt) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto served = served_routes();
    for (const Operation& op : operations_of(document)) {
        const auto route = served.find(op.key);
        if (route == served.end()) continue;
        std::optional<bool> required;
        for (const Object::Ptr& p : parameters_of(document, op)) {
            if (p->optValue<std::string>("in", "") == "header" &&
                lower(p->optValue<std::string>("name", "")) == "idempotency-key") {
                required = p->optValue<bool>("required", false);
            }
        }
        const std::string parameter = idempotency_parameter_of(document, op);
        switch (route->second->idempotency) {
            case http::Idempotency::required: {
                EXPECT_TRUE(required.value_or(false)) << op.key << " needs a required Idempotency-Key header parameter";
                EXPECT_EQ(parameter, "IdempotencyKeyRequired") << op.key;
                const auto codes = problem_codes_of(document, op);
                EXPECT_EQ(codes.count("400") != 0 ? codes.at("400").count("idempotency_key_required") : 0U, 1U)
                    << op.key << ": 400 must list idempotency_key_required";
                break;
            }
            case http::Idempotency::optional:
                EXPECT_FALSE(required.value_or(false)) << op.key << ": the server does not require an Idempotency-Key";
                EXPECT_EQ(parameter, "IdempotencyKeyOptional") << op.key << ": a key sent here is stored and replayed";
                break;
            case http::Idempotency::ignored:
                EXPECT_FALSE(required.value_or(false)) << op.key << ": the server does not require an Idempotency-Key";
                EXPECT_TRUE(parameter.empty() || parameter == "IdempotencyKeyIgnored")
                    << op.key << ": a key sent here is ignored, but the document says " << parameter;
                break;
        }
    }
}

TEST(OpenApi, PathParametersAreDeclared) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    for (const Operation& op : operations_of(document)) {
        const std::string path = op.key.substr(op.key.find(' ') + 1);
        std::set<std::string> in_template;
        for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
            in_template.insert(path.substr(open + 1, path.find('}', open) - open - 1));
        }
        std::set<std::string> declared;
        for (const Object::Ptr& p : parameters_of(document, op)) {
            if (p->optValue<std::string>("in", "") != "path") continue;
            EXPECT_TRUE(p->optValue<bool>("required", false)) << op.key << ": path parameters are required";
            declared.insert(p->optValue<std::string>("name", ""));
        }
        EXPECT_EQ(declared, in_template) << op.key;
    }
}

TEST(OpenApi, EveryReferenceResolves) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    std::vector<std::string> refs;
    collect_refs(document, refs);
    EXPECT_FALSE(refs.empty());
    for (const std::string& ref : refs) {
        EXPECT_TRUE(ref.rfind("#/", 0) == 0) << ref << ": only references inside the document";
        EXPECT_FALSE(resolve_pointer(document, ref).isEmpty()) << ref << " resolves to nothing";
    }
}

// components.x-problem-codes: [{code, status, title, when}], the host's stable codes.
std::map<std::string, Object::Ptr> listed_problem_codes(const Object::Ptr& document) {
    std::map<std::string, Object::Ptr> out;
    const Object::Ptr components = document->getObject("components");
    if (components.isNull()) return out;
    const Array::Ptr list = components->getArray("x-problem-codes");
    if (list.isNull()) return out;
    for (const Var& item : *list) {
        if (item.type() != typeid(Object::Ptr)) continue;
        const Object::Ptr& entry = item.extract<Object::Ptr>();
        out[entry->optValue<std::string>("code", "")] = entry;
    }
    return out;
}

TEST(OpenApi, ListsEveryProblemCodeOfTheCatalogueWithItsStatusAndTitle) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto listed = listed_problem_codes(document);
    ASSERT_FALSE(listed.empty()) << "components.x-problem-codes is missing";
    for (const http::ProblemKind& kind : http::problem_catalogue()) {
        const auto found = listed.find(std::string(kind.code));
        if (found == listed.end()) {
            ADD_FAILURE() << "problem code " << kind.code << " is not in components.x-problem-codes";
            continue;
        }
        EXPECT_EQ(found->second->optValue<int>("status", 0), kind.status) << kind.code;
        EXPECT_EQ(found->second->optValue<std::string>("title", ""), kind.title) << kind.code;
    }
    // Every listed code is one the host answers with as it is (a mapped engine code keeps its name,
    // status and title); a code the host does not know would come out as a policy's refusal.
    for (const auto& [code, entry] : listed) {
        const http::Problem problem = http::problem_for_error(Error{code, "a message"});
        EXPECT_EQ(problem.code, code) << code << " is renamed by the host: it never reaches a client";
        EXPECT_EQ(entry->optValue<int>("status", 0), problem.status) << code;
        EXPECT_EQ(entry->optValue<std::string>("title", ""), problem.title) << code;
    }
}

TEST(OpenApi, EveryOperationsProblemCodesAreListedUnderTheirStatus) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto listed = listed_problem_codes(document);
    std::set<std::string> used;
    for (const Operation& op : operations_of(document)) {
        for (const auto& [status, codes] : problem_codes_of(document, op)) {
            for (const std::string& code : codes) {
                used.insert(code);
                const auto found = listed.find(code);
                if (found == listed.end()) {
                    ADD_FAILURE() << op.key << " " << status << ": " << code << " is not in components.x-problem-codes";
                    continue;
                }
                EXPECT_EQ(std::to_string(found->second->optValue<int>("status", 0)), status)
                    << op.key << ": " << code << " is listed under the wrong status";
            }
        }
    }
    // method_not_allowed belongs to a path (its other methods), and the transport's codes to the
    // connection, not to any operation.
    for (const http::ProblemKind& kind : http::problem_catalogue()) {
        if (kind.code == http::problem_code::method_not_allowed) continue;
        if (std::find(http::transport_problem_codes.begin(), http::transport_problem_codes.end(), kind.code) !=
            http::transport_problem_codes.end()) {
            continue;
        }
        EXPECT_EQ(used.count(std::string(kind.code)), 1U) << kind.code << " is not listed by any operation";
    }
}

// What every request of a route can meet before its handler runs (api.cpp's pipeline).
TEST(OpenApi, ThePipelinesProblemsAreDocumented) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto served = served_routes();
    for (const Operation& op : operations_of(document)) {
        const auto route = served.find(op.key);
        if (route == served.end()) continue;
        const auto codes = problem_codes_of(document, op);
        const auto has = [&codes](const std::string& status, const std::string& code) {
            const auto found = codes.find(status);
            return found != codes.end() && found->second.count(code) != 0;
        };
        EXPECT_TRUE(has("400", "bad_request")) << op.key;
        EXPECT_TRUE(has("500", "internal")) << op.key;
        if (!route->second->roles.is_public()) {
            EXPECT_TRUE(has("401", "unauthorized")) << op.key;
            EXPECT_TRUE(has("403", "forbidden")) << op.key;
            EXPECT_TRUE(has("503", "storage_unavailable")) << op.key;
        }
        if (route->second->method == http::Method::post) {
            EXPECT_TRUE(has("400", "malformed_json")) << op.key;
            EXPECT_TRUE(has("413", "payload_too_large")) << op.key;
            EXPECT_TRUE(has("415", "unsupported_media_type")) << op.key;
            EXPECT_TRUE(has("422", "validation_failed")) << op.key;
            EXPECT_FALSE(op.operation->getObject("requestBody").isNull()) << op.key << " has no requestBody";
        }
    }
}

TEST(OpenApi, EachOperationDeclaresExactlyTheQueryParametersItsRouteReads) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto served = served_routes();
    for (const Operation& op : operations_of(document)) {
        const auto route = served.find(op.key);
        if (route == served.end()) continue;
        std::set<std::string> declared;
        for (const Object::Ptr& p : parameters_of(document, op)) {
            if (p->optValue<std::string>("in", "") == "query") declared.insert(p->optValue<std::string>("name", ""));
        }
        const std::set<std::string> read(route->second->query.begin(), route->second->query.end());
        EXPECT_EQ(declared, read) << op.key << " (" << route->second->name << ")";
    }
}

// api.cpp adds WWW-Authenticate: Bearer realm="billing-host" to every 401 (RFC 9110 section 11.6.1).
TEST(OpenApi, UnauthorizedAnswersNameTheBearerScheme) {
    const Object::Ptr document = parsed_document();
    ASSERT_FALSE(document.isNull());
    const auto served = served_routes();
    for (const Operation& op : operations_of(document)) {
        const auto route = served.find(op.key);
        if (route == served.end() || route->second->roles.is_public()) continue;
        const Object::Ptr responses = op.operation->getObject("responses");
        ASSERT_FALSE(responses.isNull()) << op.key;
        ASSERT_TRUE(responses->has("401") && responses->get("401").type() == typeid(Object::Ptr)) << op.key;
        const Object::Ptr unauthorized = dereferenced(document, responses->getObject("401"));
        ASSERT_FALSE(unauthorized.isNull()) << op.key;
        const Object::Ptr headers = unauthorized->getObject("headers");
        Object::Ptr header;
        if (!headers.isNull()) {
            for (const auto& [name, value] : *headers) {
                if (lower(name) == "www-authenticate" && value.type() == typeid(Object::Ptr)) {
                    header = dereferenced(document, value.extract<Object::Ptr>());
                }
            }
        }
        ASSERT_FALSE(header.isNull()) << op.key << ": its 401 has no WWW-Authenticate header";
        const Object::Ptr schema = header->getObject("schema");
        ASSERT_FALSE(schema.isNull()) << op.key;
        EXPECT_EQ(schema->optValue<std::string>("const", ""), "Bearer realm=\"billing-host\"") << op.key;
    }
}

}  // namespace
}  // namespace billing::server
