// A database url whose user and password hold '%', a space, '@', ':', '/', a quote and a
// backslash, percent-encoded as README says, reaches the server decoded: read from billing.toml
// text by the config loader, then opened by Database::open through the backend's driver.
//
// The PostgreSQL of tests/db/db_servers.sh trusts every local login (initdb -A trust), so there
// the user name proves the decoding (a role that does not exist is refused) and the password
// only that the connect string still parses; MariaDB checks both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>

#include "billing/config/database_url.hpp"
#include "billing/config/load.hpp"
#include "billing/storage/database.hpp"

namespace billing::storage {
namespace {

#ifdef BILLING_TEST_BACKEND_POSTGRESQL
constexpr bool postgresql = true;
constexpr const char* url_variable = "BILLING_TEST_POSTGRESQL_URL";
#else
constexpr bool postgresql = false;
constexpr const char* url_variable = "BILLING_TEST_MYSQL_URL";
#endif
constexpr const char* scheme = postgresql ? "postgresql" : "mysql";
// Any login may connect to it without a grant.
constexpr const char* open_database = postgresql ? "billing" : "information_schema";

const std::string odd_password = "p%w d@:/'\\x";

// Every byte but letters and digits as %XX.
std::string encoded(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
            out += c;
        } else {
            char escape[4];
            std::snprintf(escape, sizeof escape, "%%%02X", static_cast<unsigned char>(c));
            out += escape;
        }
    }
    return out;
}

// A quoted SQL string literal: PostgreSQL doubles quotes (backslashes are plain); MySQL escapes both.
std::string literal(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') out += postgresql ? "'" : "\\";
        if (c == '\\' && !postgresql) out += '\\';
        out += c;
    }
    return out + "'";
}

class ServerUrl : public ::testing::Test {
protected:
    void SetUp() override {
        const char* url = std::getenv(url_variable);
        ASSERT_NE(url, nullptr) << url_variable << " is not set: start the servers with tests/db/db_servers.sh";
        const std::string text(url);
        auto parsed = config::parse_server_address(postgresql ? config::DatabaseBackend::postgresql
                                                              : config::DatabaseBackend::mysql,
                                                   text.substr(text.find("://") + 3));
        ASSERT_TRUE(parsed.ok()) << parsed.error().message;
        server_ = parsed.value();
        user_ = "bill ing%@:'\\" + std::to_string(::getpid());
        // PostgreSQL: the superuser, whom the trusting server lets in; MariaDB: the test user,
        // who holds CREATE USER.
        const soci::backend_factory& backend = postgresql ? static_cast<const soci::backend_factory&>(soci::postgresql)
                                                          : static_cast<const soci::backend_factory&>(soci::mysql);
        admin_.open(backend,
                    "host=" + server_.host + " port=" + server_.port + " dbname=" + server_.database +
                        (postgresql ? " user=postgres" : " user=" + server_.user + " password=" + server_.password));
        if (postgresql) admin_ << "SET client_min_messages TO WARNING";
        drop_login();
        admin_ << (postgresql
                       ? "CREATE ROLE \"" + user_ + "\" LOGIN PASSWORD " + literal(odd_password)
                       : "CREATE USER " + literal(user_) + "@'127.0.0.1' IDENTIFIED BY " + literal(odd_password));
    }
    void TearDown() override {
        if (admin_.is_connected()) drop_login();
    }
    void drop_login() {
        admin_ << (postgresql ? "DROP ROLE IF EXISTS \"" + user_ + "\""
                              : "DROP USER IF EXISTS " + literal(user_) + "@'127.0.0.1'");
    }

    // billing.toml's [database] with this url, loaded as the host loads it.
    Result<config::HostConfig> load(const std::string& user, const std::string& password) {
        const std::string url = std::string(scheme) + "://" + encoded(user) + ":" + encoded(password) + "@" +
                                server_.host + ":" + server_.port + "/" + open_database;
        return config::parse_host_config("[database]\nurl = \"" + url + "\"\npool_size = 1\n", "billing.toml");
    }

    config::ServerAddress server_;
    std::string user_;
    soci::session admin_;
};

TEST_F(ServerUrl, AnEncodedUserAndPasswordReachTheServerDecoded) {
    auto config = load(user_, odd_password);
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto db = Database::open(DatabaseOptions::from(config.value().database));
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto who = db.value()->read([](soci::session& sql) -> Result<std::string> {
        std::string name;
        sql << (postgresql ? "SELECT current_user" : "SELECT CURRENT_USER()"), soci::into(name);
        return name;
    });
    ASSERT_TRUE(who.ok()) << who.error().message;
    EXPECT_EQ(who.value(), postgresql ? user_ : user_ + "@127.0.0.1");
}

TEST_F(ServerUrl, TheUndecodedFormsAreOtherLogins) {
    // The user as written in the url (still encoded) is no role the server knows.
    auto config = load(encoded(user_), odd_password);
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_FALSE(Database::open(DatabaseOptions::from(config.value().database)).ok());
    if (!postgresql) {
        // The password as written in the url is the wrong password (PostgreSQL here trusts logins).
        config = load(user_, encoded(odd_password));
        ASSERT_TRUE(config.ok()) << config.error().message;
        EXPECT_FALSE(Database::open(DatabaseOptions::from(config.value().database)).ok());
    }
}

}  // namespace
}  // namespace billing::storage
