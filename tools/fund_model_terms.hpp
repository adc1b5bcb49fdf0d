// The pricing model's rule terms from a fund year's parameters: the one place where the
// fund's exact rulebook (fund/rules.hpp) meets the actuarial engine (pricing/), which knows
// nothing of the fund, so that the model prices under the terms the fund applies.
#pragma once

#include "fund/rules.hpp"
#include "pricing/fund_model.hpp"

namespace backstop {

// Amounts in pounds, rates as fractions. Each is the nearest double to the exact value
// (YearParameters{} gives the rulebook's defaults).
pricing::RuleTerms fund_model_terms(const YearParameters& parameters);

}  // namespace backstop
