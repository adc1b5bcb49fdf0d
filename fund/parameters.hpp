// Rule 2's parameters by name, for the codec and for applying a year's overrides.
#pragma once

#include <vector>

#include "fund/commands.hpp"

namespace backstop {

struct ParameterField {
  enum class Kind { money, rate, integer };
  const char* name;
  Kind kind;
  Money YearParameters::*money = nullptr;
  Rate YearParameters::*rate = nullptr;
  int YearParameters::*integer = nullptr;
  int low = 0, high = 0;  // integers only
};

// Every parameter, in the order reports list them.
const std::vector<ParameterField>& parameter_fields();

// `base` with each parameter named in `overrides` replaced; refuses (R-less, field
// "parameters") a combination check_parameters rejects.
Result<YearParameters> apply_overrides(const YearParameters& base,
                                       const ParameterOverrides& overrides);

}  // namespace backstop
