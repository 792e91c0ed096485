// Everything a policy plugin needs: include this one header.
#pragma once

#include "billing/sdk/abi.hpp"
#include "billing/sdk/export.hpp"
#include "billing/sdk/policy.hpp"
#include "billing/sdk/types.hpp"
