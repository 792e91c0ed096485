// A table's columns, defined once: a row type lists its columns (name, bound variable, whether an
// UPDATE writes it), and every statement of the table is spelled and bound from that one list,
// the single-row prepared statements and the bulk writers alike. A column added to the list is
// then inserted, selected, updated and written in batches everywhere at once, in the same order.
//
// A row type R holds the variables SOCI binds (texts, BIGINTs as long long, SMALLINTs as int, an
// indicator beside a column that may be NULL) and lists them, in table order, in
//     template <class Visit> void columns(Visit&& visit);
// calling visit(Column{...}, variable) or visit(Column{...}, variable, indicator) per column.
// Binding is positional: a statement's text and its binds walk the same list.
#pragma once

#include <soci/soci.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "bulk_sql.hpp"

namespace billing::storage::row_schema {

// Whether an UPDATE writes a column: set once by INSERT (ids, owner, price, creation) or always.
enum class Written { on_insert, always };

struct Column {
    const char* name;
    Written written = Written::always;
};

// "a, b, c": every column of R, in table order, each after prefix ("t.").
template <class R>
std::string names(const std::string& prefix = "") {
    R row;
    std::string out;
    row.columns([&](const Column& column, auto&...) {
        if (!out.empty()) out += ", ";
        out += prefix + column.name;
    });
    return out;
}

// The names of R's columns, in table order.
template <class R>
std::vector<std::string> name_list() {
    R row;
    std::vector<std::string> out;
    row.columns([&](const Column& column, auto&...) { out.emplace_back(column.name); });
    return out;
}

// "INSERT INTO table (a, b) VALUES (:a, :b)"; bind with use_all.
template <class R>
std::string insert_text(const std::string& table) {
    R row;
    std::string values;
    row.columns(
        [&](const Column& column, auto&...) { values += (values.empty() ? ":" : ", :") + std::string(column.name); });
    return "INSERT INTO " + table + " (" + names<R>() + ") VALUES (" + values + ")";
}

// "INSERT INTO table (a, b, c) VALUES (:a, :b, 0)": every column of R, those of Bound (a part of
// R's list) as placeholders, bound with use_all on a Bound; every other one as the literal of its
// value in fresh (NULL where its indicator says so). For a row whose other columns always start
// alike (a new timer's lease), where binding them would cost more than the statement's own work.
template <class R, class Bound>
std::string insert_text_bound(const std::string& table, R& fresh) {
    const std::vector<std::string> bound = name_list<Bound>();
    std::string values;
    fresh.columns([&](const Column& column, auto& variable, auto&... indicator) {
        if (!values.empty()) values += ", ";
        bool is_null = false;
        ((is_null = indicator == soci::i_null), ...);
        if (std::find(bound.begin(), bound.end(), column.name) != bound.end()) {
            values += ":" + std::string(column.name);
        } else if (is_null) {
            values += "NULL";
        } else if constexpr (std::is_same_v<std::decay_t<decltype(variable)>, std::string>) {
            // A text's quoting differs per backend (MySQL reads backslashes): not spelled here.
            throw std::logic_error(std::string("insert_text_bound: a constant text in column ") + column.name);
        } else {
            values += std::to_string(variable);
        }
    });
    return "INSERT INTO " + table + " (" + names<R>() + ") VALUES (" + values + ")";
}

// "SELECT a, b FROM table"; the caller appends its WHERE. Bind with into_all.
template <class R>
std::string select_text(const std::string& table) {
    return "SELECT " + names<R>() + " FROM " + table;
}

// "a = :a AND b = :b" of every column of R: a row matched whole. Bind with use_all.
template <class R>
std::string equal_all() {
    R row;
    std::string out;
    row.columns([&](const Column& column, auto&...) {
        if (!out.empty()) out += " AND ";
        out += std::string(column.name) + " = :" + column.name;
    });
    return out;
}

// "l.a = r.a AND l.b = r.b" of every column of R: two aliases' rows matched whole.
template <class R>
std::string equal_columns(const std::string& left, const std::string& right) {
    R row;
    std::string out;
    row.columns([&](const Column& column, auto&...) {
        if (!out.empty()) out += " AND ";
        out += left + "." + column.name + " = " + right + "." + column.name;
    });
    return out;
}

// "a = :a, b = :b" of the columns an UPDATE writes; bind with use_updated.
template <class R>
std::string update_assignments() {
    R row;
    std::string out;
    row.columns([&](const Column& column, auto&...) {
        if (column.written != Written::always) return;
        if (!out.empty()) out += ", ";
        out += std::string(column.name) + " = :" + column.name;
    });
    return out;
}

// Binds every column of row as a use, in table order, to a statement built step by step
// (exchange, then alloc, prepare, define_and_bind).
template <class R>
void use_all(soci::statement& st, R& row) {
    row.columns(
        [&](const Column&, auto& variable, auto&... indicator) { st.exchange(soci::use(variable, indicator...)); });
}

// Binds the columns an UPDATE writes as uses, in table order.
template <class R>
void use_updated(soci::statement& st, R& row) {
    row.columns([&](const Column& column, auto& variable, auto&... indicator) {
        if (column.written == Written::always) st.exchange(soci::use(variable, indicator...));
    });
}

// Binds every column of row as an into, in table order.
template <class R>
void into_all(soci::statement& st, R& row) {
    row.columns(
        [&](const Column&, auto& variable, auto&... indicator) { st.exchange(soci::into(variable, indicator...)); });
}

// The bulk reader's targets for every column of row, in table order.
template <class R>
bulk_sql::Into bulk_into(R& row) {
    bulk_sql::Into into;
    row.columns([&](const Column&, auto& variable, auto&... indicator) {
        if constexpr (std::is_same_v<std::decay_t<decltype(variable)>, std::string>) {
            into.text(variable, indicator...);
        } else {
            into.number(variable, indicator...);
        }
    });
    return into;
}

// add_values' wanted for a multi-row INSERT: every column.
inline bool every_column(const Column& /*column*/) { return true; }

// Appends the value of every column of row for which wanted(column) holds, in table order; a
// column whose indicator is i_null is written as NULL.
template <class R, class Wanted>
void add_values(bulk_sql::Rows::Row& out, R& row, Wanted&& wanted) {
    row.columns([&](const Column& column, auto& variable, auto&... indicator) {
        if (!wanted(column)) return;
        bool is_null = false;
        ((is_null = indicator == soci::i_null), ...);
        if constexpr (std::is_same_v<std::decay_t<decltype(variable)>, std::string>) {
            if (is_null) {
                out.text_or_null(std::nullopt);
            } else {
                out.text(variable);
            }
        } else {
            out.number_or_null(is_null ? std::nullopt : std::optional<long long>(variable));
        }
    });
}

// A statement of text prepared with the binds bind(st) adds (row_schema's use_all, into_all, and
// any further use): SOCI wants every bind before prepare.
template <class Bind>
soci::statement prepared(soci::session& sql, const std::string& text, Bind&& bind) {
    soci::statement st(sql);
    bind(st);
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    return st;
}

}  // namespace billing::storage::row_schema
