// `backstop fund ...`: the fund's commands and reports on an embedded store, offline.
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

void add_fund_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
