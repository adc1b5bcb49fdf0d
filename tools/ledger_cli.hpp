// `backstop ledger ...`: the ledger on an embedded store, offline.
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds the `ledger` subcommands; each sets `exit_status` when it runs.
void add_ledger_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
