// `backstop member ...`: a consortium's client of backstopd (mutual TLS, member certificate).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds the `member` subcommands; each sets `exit_status` when it runs.
void add_member_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
