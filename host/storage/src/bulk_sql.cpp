#include "bulk_sql.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

#include "billing/storage/mysql_text.hpp"
#include "soci_adapter.hpp"

namespace billing::bulk_sql {

Statement::Statement(soci::session& sql) : sql_(sql), dialect_(storage::Dialect::of(sql)) {}

Statement& Statement::operator<<(std::string_view text) {
    text_ += text;
    return *this;
}

namespace {

// value as a MySQL hexadecimal literal of the connection's character set: _utf8mb4 X'6869'.
// Its digits are all the text the value adds to the statement, so no value can end the literal
// early, whatever the SQL mode or the bytes (SOCI's MySQL backend splices its bound values into
// the text on the client too, escaped by mysql_real_escape_string, which was a third of the
// sweeper's client CPU with SOCI's copies around it).
void append_mysql_hex_literal(std::string& out, const std::string& value) {
    // Each byte's two digits from one table, written straight into the grown text.
    static const auto pairs = [] {
        static constexpr char digits[] = "0123456789ABCDEF";
        std::array<char, 512> table{};
        for (std::size_t byte = 0; byte < 256; ++byte) {
            table[2 * byte] = digits[byte >> 4];
            table[2 * byte + 1] = digits[byte & 0x0F];
        }
        return table;
    }();
    out += "_utf8mb4 X'";
    const std::size_t at = out.size();
    out.resize(at + 2 * value.size() + 1);
    char* to = out.data() + at;
    for (const char c : value) {
        const char* pair = &pairs[2 * static_cast<unsigned char>(c)];
        to[0] = pair[0];
        to[1] = pair[1];
        to += 2;
    }
    *to = '\'';
}

}  // namespace

Statement& Statement::text(const std::string& value) {
    if (dialect_.values_in_text) {
        append_mysql_hex_literal(text_, value);
        return *this;
    }
    texts_.push_back(value);
    // SQLite keeps its named parameters in a list it searches linearly, for each new name and
    // for each bind: thousands of them made a batch's statements quadratic (half the sweep's
    // time went to sqlite3VListNumToName). Its anonymous "?" have no names to search.
    if (dialect_.anonymous_placeholders) {
        text_ += '?';
    } else {
        text_ += ":p";
        text_ += std::to_string(texts_.size());
    }
    return *this;
}

void Statement::reserve(std::size_t bytes) { text_.reserve(bytes); }

Statement& Statement::number(long long value) {
    text_ += std::to_string(value);
    return *this;
}

Statement& Statement::comma_unless_first(std::size_t index) {
    if (index > 0) text_ += ", ";
    return *this;
}

Statement& Statement::in_list(const std::string& column, const std::vector<std::string>& values, std::size_t begin,
                              std::size_t end) {
    if (dialect_.rows_as_arrays) {
        std::vector<Rows::Value> elements;
        for (std::size_t i = begin; i < end; ++i) elements.push_back(Rows::Value{false, values[i]});
        std::vector<const Rows::Value*> pointers;
        for (const Rows::Value& v : elements) pointers.push_back(&v);
        text_ += column + " = ANY(CAST(";
        text(postgresql_array(pointers, false));
        text_ += " AS TEXT[]))";
        return *this;
    }
    text_ += column + " IN (";
    for (std::size_t i = begin; i < end; ++i) comma_unless_first(i - begin).text(values[i]);
    text_ += ")";
    return *this;
}

long long Statement::run() {
    if (dialect_.values_in_text) return storage::mysql_text::execute(sql_, text_);  // its values are in the text
    soci::statement st(sql_);
    // Positional: each placeholder appears once, in the order its value was added.
    for (std::string& value : texts_) st.exchange(soci::use(value));
    storage::soci_adapter::prepare_one_time(st, text_);
    st.execute(true);
    return st.get_affected_rows();
}

Into& Into::add(Kind kind, void* variable, soci::indicator* indicator) {
    targets_.push_back(Target{kind, variable, indicator});
    return *this;
}

Into& Into::text(std::string& variable) { return add(Kind::text, &variable, nullptr); }
Into& Into::text(std::string& variable, soci::indicator& indicator) { return add(Kind::text, &variable, &indicator); }
Into& Into::number(long long& variable) { return add(Kind::big, &variable, nullptr); }
Into& Into::number(long long& variable, soci::indicator& indicator) { return add(Kind::big, &variable, &indicator); }
Into& Into::number(int& variable) { return add(Kind::small, &variable, nullptr); }

namespace {

template <typename Number>
void parse_number(std::string_view text, Number& out) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw soci::soci_error("not an integer column value: " + std::string(text));
    }
}

template <typename T>
void into_variable(soci::statement& st, T& variable, soci::indicator* indicator) {
    if (indicator != nullptr) {
        st.exchange(soci::into(variable, *indicator));
    } else {
        st.exchange(soci::into(variable));
    }
}

}  // namespace

void Into::bind(soci::statement& st) const {
    for (const Target& target : targets_) {
        switch (target.kind) {
            case Kind::text: into_variable(st, *static_cast<std::string*>(target.variable), target.indicator); break;
            case Kind::big: into_variable(st, *static_cast<long long*>(target.variable), target.indicator); break;
            case Kind::small: into_variable(st, *static_cast<int*>(target.variable), target.indicator); break;
        }
    }
}

void Into::fill(const storage::mysql_text::Row& row) const {
    if (row.columns() != targets_.size()) throw std::logic_error("bulk_sql: a select's columns differ from its Into");
    for (unsigned c = 0; c < row.columns(); ++c) {
        const Target& target = targets_[c];
        if (row.is_null(c)) {
            // SOCI's own words for the same case.
            if (target.indicator == nullptr) throw soci::soci_error("Null value fetched and no indicator defined.");
            *target.indicator = soci::i_null;
            continue;
        }
        if (target.indicator != nullptr) *target.indicator = soci::i_ok;
        switch (target.kind) {
            case Kind::text: static_cast<std::string*>(target.variable)->assign(row.text(c)); break;
            case Kind::big: parse_number(row.text(c), *static_cast<long long*>(target.variable)); break;
            case Kind::small: parse_number(row.text(c), *static_cast<int*>(target.variable)); break;
        }
    }
}

void Statement::select(const Into& into, const std::function<void()>& on_row) {
    if (dialect_.values_in_text) {
        // Past SOCI, whose MySQL backend converts each number through a std::istringstream
        // (a tenth of the sweeper's client CPU): the values are read from the text here.
        storage::mysql_text::query(sql_, text_, [&](const storage::mysql_text::Row& row) {
            into.fill(row);
            on_row();
        });
        return;
    }
    soci::statement st(sql_);
    into.bind(st);
    for (std::string& value : texts_) st.exchange(soci::use(value));
    storage::soci_adapter::prepare_one_time(st, text_);
    st.execute();
    while (st.fetch()) on_row();
}

Rows::Rows(std::vector<std::string> columns) : columns_(std::move(columns)) {}

Rows::Row Rows::row() {
    if (values_.size() != rows_ * columns_.size()) throw std::logic_error("bulk_sql: a row with too few values");
    ++rows_;
    return Row(*this);
}

void Rows::add(Value value, bool is_number) {
    const std::size_t column = values_.size() % columns_.size();
    if (values_.size() >= rows_ * columns_.size()) throw std::logic_error("bulk_sql: a row with too many values");
    if (rows_ == 1) {
        is_number_.push_back(is_number);
    } else if (is_number_.at(column) != is_number) {
        throw std::logic_error("bulk_sql: column " + columns_[column] + " changed its type");
    }
    values_.push_back(std::move(value));
}

Rows::Row& Rows::Row::text(const std::string& value) {
    rows_.add(Value{false, value}, false);
    return *this;
}

Rows::Row& Rows::Row::number(long long value) {
    rows_.add(Value{false, std::to_string(value)}, true);
    return *this;
}

Rows::Row& Rows::Row::number_or_null(const std::optional<long long>& value) {
    rows_.add(value ? Value{false, std::to_string(*value)} : Value{true, {}}, true);
    return *this;
}

Rows::Row& Rows::Row::text_or_null(const std::optional<std::string>& value) {
    rows_.add(value ? Value{false, *value} : Value{true, {}}, false);
    return *this;
}

void Rows::write_value(Statement& st, std::size_t row, std::size_t column, const char* null_literal) const {
    const Value& v = values_[row * columns_.size() + column];
    if (v.is_null) {
        st << null_literal;
    } else if (is_number_[column]) {
        st << v.text;  // our own digits (Row::number)
    } else {
        st.text(v.text);
    }
}

void Rows::write_values_lists(Statement& st) const {
    for (std::size_t r = 0; r < rows_; ++r) {
        st << (r == 0 ? "(" : ", (");
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            st.comma_unless_first(c);
            write_value(st, r, c, "NULL");
        }
        st << ")";
    }
}

void Rows::write_unnest(Statement& st) const {
    st << "unnest(";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        std::vector<const Value*> column;
        for (std::size_t r = 0; r < rows_; ++r) column.push_back(&values_[r * columns_.size() + c]);
        st.comma_unless_first(c) << "CAST(";
        st.text(postgresql_array(column, is_number_[c])) << (is_number_[c] ? " AS BIGINT[])" : " AS TEXT[])");
    }
    st << ")";
}

std::size_t Rows::text_bytes_max() const {
    // A hexadecimal literal, the longest spelling of a value: "_utf8mb4 X''", two digits a
    // byte, and ", " or " AS column" around it; 4 KiB for the statement's own words.
    std::size_t bytes = 4096;
    for (const Value& v : values_) bytes += 2 * v.text.size() + 16;
    for (const std::string& column : columns_) bytes += column.size() + 8;
    return bytes;
}

void Rows::column_texts(const std::string& column, std::vector<std::string>& out) const {
    const auto found = std::find(columns_.begin(), columns_.end(), column);
    if (found == columns_.end()) throw std::logic_error("bulk_sql: no column " + column);
    const auto c = static_cast<std::size_t>(found - columns_.begin());
    for (std::size_t r = 0; r < rows_; ++r) out.push_back(values_[r * columns_.size() + c].text);
}

void Rows::check_complete() const {
    if (values_.size() != rows_ * columns_.size()) throw std::logic_error("bulk_sql: a row with too few values");
}

std::vector<bool> Rows::constant_columns() const {
    std::vector<bool> constant(columns_.size(), rows_ > 1);
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const Value& first = values_[c];
        for (std::size_t r = 1; r < rows_ && constant[c]; ++r) {
            const Value& v = values_[r * columns_.size() + c];
            constant[c] = v.is_null == first.is_null && v.text == first.text;
        }
    }
    // Identical rows keep a column, so that the varying part still has one row per row.
    if (std::all_of(constant.begin(), constant.end(), [](bool b) { return b; }))
        constant.assign(constant.size(), false);
    return constant;
}

const char* Rows::mysql_null(std::size_t column) const { return is_number_[column] ? "CAST(NULL AS SIGNED)" : "NULL"; }

void Rows::write_mysql_varying(Statement& st, const std::vector<bool>& constant) const {
    st << "(";
    for (std::size_t r = 0; r < rows_; ++r) {
        st << (r == 0 ? "SELECT " : " UNION ALL SELECT ");
        std::size_t written = 0;
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            if (constant[c]) continue;
            st.comma_unless_first(written++);
            write_value(st, r, c, mysql_null(c));
            if (r == 0) st << " AS " << columns_[c];
        }
    }
    st << ") w";
}

void Rows::write_mysql_select(Statement& st, const std::vector<bool>& constant) const {
    st << "SELECT ";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        st.comma_unless_first(c);
        if (constant[c]) {
            write_value(st, 0, c, mysql_null(c));
        } else {
            st << "w." << columns_[c];
        }
        st << " AS " << columns_[c];
    }
    st << " FROM ";
    write_mysql_varying(st, constant);
}

void Rows::write_derived(Statement& st, const std::string& alias) const {
    check_complete();
    if (st.dialect().rows_as_arrays) {
        write_unnest(st);
        st << " AS " << alias << "(";
        for (std::size_t c = 0; c < columns_.size(); ++c) st.comma_unless_first(c) << columns_[c];
        st << ")";
        return;
    }
    if (st.dialect().rows_as_union_select) {
        st << "(";
        write_mysql_select(st, constant_columns());
        st << ") " << alias;
        return;
    }
    // SQLite names a VALUES table's columns column1, column2 ...: renamed here.
    st << "(SELECT ";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        st.comma_unless_first(c) << "column" << std::to_string(c + 1) << " AS " << columns_[c];
    }
    st << " FROM (VALUES ";
    write_values_lists(st);
    st << ")) AS " << alias;
}

void Rows::write_insert_source(Statement& st) const {
    check_complete();
    if (st.dialect().rows_as_arrays) {
        st << "SELECT * FROM ";
        write_unnest(st);
        return;
    }
    // MySQL too: with its shared columns written once, an INSERT ... SELECT from a UNION ALL was
    // no faster than these VALUES once the rows differed in a few columns (the sweep's transfers,
    // 5 of 9), where the derived table of an UPDATE was (see write_derived).
    st << "VALUES ";
    write_values_lists(st);
}

long long insert_rows(soci::session& sql, const std::string& table, const Rows& rows) {
    if (rows.size() == 0) return 0;
    Statement st(sql);
    st.reserve(rows.text_bytes_max());
    st << "INSERT INTO " << table << " (";
    for (std::size_t c = 0; c < rows.columns().size(); ++c) st.comma_unless_first(c) << rows.columns()[c];
    st << ") ";
    rows.write_insert_source(st);
    return st.run();
}

std::vector<Assignment> copied(const std::vector<std::string>& columns) {
    std::vector<Assignment> sets;
    for (const std::string& column : columns) sets.push_back(Assignment{column, "v." + column});
    return sets;
}

long long update_from_rows(soci::session& sql, const std::string& table, const Rows& rows,
                           const std::vector<Assignment>& sets, const std::string& match,
                           const std::string& key_column) {
    if (rows.size() == 0) return 0;
    Statement st(sql);
    st.reserve(rows.text_bytes_max());
    std::string set_list;
    for (const Assignment& a : sets) {
        // MySQL's multi-table UPDATE names the table of each column it sets; the others refuse it.
        set_list += (set_list.empty() ? "" : ", ") + std::string(st.dialect().update_join ? "t." : "") + a.column +
                    " = " + a.expression;
    }
    // SQLite and PostgreSQL: UPDATE table AS t SET ... FROM rows v WHERE match.
    st << "UPDATE " << table << (st.dialect().update_join ? " t JOIN " : " AS t SET " + set_list + " FROM ");
    rows.write_derived(st, "v");
    st << (st.dialect().update_join ? " ON " + match + " SET " + set_list : " WHERE " + match);
    if (st.dialect().update_repeats_keys) {
        // The rows' keys once more, as an index condition on the table: without it PostgreSQL
        // joined a table of 20,000 orders by hashing all of them (a sequential scan per batch,
        // growing with the table) instead of looking up the 500 it updates.
        std::vector<std::string> keys;
        rows.column_texts(key_column, keys);
        st << " AND ";
        st.in_list("t." + key_column, keys, 0, keys.size());
    }
    return st.run();
}

bool row_by_row(soci::session& sql) { return storage::Dialect::of(sql).writes_row_by_row; }

void for_each_chunk(std::size_t n, const std::function<void(std::size_t begin, std::size_t end)>& chunk) {
    for (std::size_t begin = 0; begin < n; begin += bulk_rows_max) chunk(begin, std::min(n, begin + bulk_rows_max));
}

std::string postgresql_array(const std::vector<const Rows::Value*>& values, bool numbers) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        const Rows::Value& v = *values[i];
        if (v.is_null) {
            out += "NULL";
            continue;
        }
        if (numbers) {
            out += v.text;
            continue;
        }
        out += '"';
        for (const char c : v.text) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace billing::bulk_sql
