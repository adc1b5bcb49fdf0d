// The price commands' inputs: members.csv and model.toml (docs/pricing.md).
#pragma once

#include <string>
#include <vector>

#include "pricing/fund_model.hpp"

namespace backstop {

// members.csv, read by header name: member, population, allocation, status, then any
// further columns as the fund's past cost per head. Throws std::runtime_error naming the
// file, line and column of the first problem.
std::vector<pricing::MemberRisk> read_members(const std::string& file);

// The model under `terms` (a fund year's rules), with the [model] overrides of a TOML
// `file` (none if empty) applied to any of its fields, the rule terms included. Throws on
// an unknown key.
pricing::FundModel read_model(const std::string& file, const pricing::RuleTerms& terms);

}  // namespace backstop
