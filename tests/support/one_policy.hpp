// A policy directory that serves one instance to every tenant: the sweeper's directory where a
// test, a benchmark or the crash driver runs a single policy.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "billing/engine/sweeper.hpp"

namespace billing::test {

class OnePolicy final : public PolicyDirectory {
public:
    explicit OnePolicy(std::shared_ptr<const plugin::PolicyInstance> policy) : policy_(std::move(policy)) {}
    [[nodiscard]] std::shared_ptr<const plugin::PolicyInstance> serving(const std::string&) const override {
        return policy_;
    }

private:
    std::shared_ptr<const plugin::PolicyInstance> policy_;
};

}  // namespace billing::test
