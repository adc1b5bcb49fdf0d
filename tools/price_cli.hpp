// `backstop price ...`: the actuary's commands on CSV/TOML inputs (docs/pricing.md).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

void add_price_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
