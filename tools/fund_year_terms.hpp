// The pricing model's rule terms for a fund year recorded in a store: the year's latest
// parameters, so that an actuary prices a year under the terms the fund will apply to it.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/status.hpp"
#include "pricing/fund_model.hpp"

namespace backstop {

// Opens the store in `data` read-only, replays and verifies it (as every reader does), and
// builds the terms from the parameters of fund year `year`.
Result<pricing::RuleTerms> read_fund_year_terms(const std::string& data, std::uint32_t year);

}  // namespace backstop
