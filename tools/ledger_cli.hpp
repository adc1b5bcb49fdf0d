// `backstop ledger ...`: the ledger on an embedded store, offline.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace backstop {

// Adds the `ledger` subcommands; each sets `exit_status` when it runs.
void add_ledger_commands(CLI::App& app, int& exit_status);

// `ledger verify`: replays the store at `data` in full, read-only; prints what it found and
// returns the exit code.
int run_verify(const std::string& data, bool as_json);

}  // namespace backstop
