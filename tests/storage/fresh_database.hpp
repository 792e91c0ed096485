// A fixture for the tests of what only one backend or SOCI's internals have: each test gets an
// empty database of the executable's backend (backend_context.hpp), opened, and removed after it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "backend_context.hpp"
#include "billing/storage/database.hpp"

namespace billing::storage::test_context {

class FreshDatabase : public ::testing::Test {
protected:
    // A fixture that adds to the set-up calls this first and stops if HasFatalFailure().
    void SetUp() override {
        options_ = fresh_database(::testing::UnitTest::GetInstance()->current_test_info()->name());
        auto opened = Database::open(options_);
        ASSERT_TRUE(opened.ok()) << backend_name() << ": " << opened.error().message;
        db_ = std::move(opened).value();
    }
    void TearDown() override {
        db_.reset();
        cleanup(options_);
    }

    DatabaseOptions options_;
    std::unique_ptr<Database> db_;
};

}  // namespace billing::storage::test_context
