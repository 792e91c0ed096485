#include "support/json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>
#include <stdexcept>

namespace billing::integration {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw std::runtime_error("JSON " + path + ": " + what);
}

}  // namespace

Json Json::parse(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return Json(parser.parse(text));
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("not JSON (" + e.displayText() + "): " + text.substr(0, 400));
    }
}

bool Json::is_object() const { return value_.type() == typeid(Poco::JSON::Object::Ptr); }

bool Json::is_array() const { return value_.type() == typeid(Poco::JSON::Array::Ptr); }

bool Json::has(const std::string& member) const {
    if (!is_object()) fail(path_, "is not an object, looking for " + member);
    return value_.extract<Poco::JSON::Object::Ptr>()->has(member);
}

Json Json::operator[](const std::string& member) const {
    if (!has(member)) fail(path_, "has no member " + member + " in " + dump());
    return Json(value_.extract<Poco::JSON::Object::Ptr>()->get(member), path_ + "." + member);
}

Json Json::operator[](std::size_t index) const {
    if (!is_array()) fail(path_, "is not an array");
    const auto array = value_.extract<Poco::JSON::Array::Ptr>();
    if (index >= array->size()) fail(path_, "has no element " + std::to_string(index));
    return Json(array->get(static_cast<unsigned>(index)), path_ + "[" + std::to_string(index) + "]");
}

std::size_t Json::size() const {
    if (is_array()) return value_.extract<Poco::JSON::Array::Ptr>()->size();
    if (is_object()) return value_.extract<Poco::JSON::Object::Ptr>()->size();
    fail(path_, "is neither an array nor an object");
}

std::string Json::str() const {
    if (!value_.isString()) fail(path_, "is not a string: " + dump());
    return value_.extract<std::string>();
}

std::int64_t Json::i64() const {
    if (!value_.isInteger()) fail(path_, "is not an integer: " + dump());
    try {
        return value_.convert<Poco::Int64>();
    } catch (const Poco::Exception& e) {
        fail(path_, "is out of the int64 range: " + e.displayText());
    }
}

bool Json::boolean() const {
    if (!value_.isBoolean()) fail(path_, "is not a boolean: " + dump());
    return value_.extract<bool>();
}

std::string Json::dump() const {
    if (value_.isEmpty()) return "null";
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value_, out);
    return out.str();
}

}  // namespace billing::integration
