// `backstop ledger ...`: the ledger on an embedded store, offline.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace backstop {

// Adds the `ledger` subcommands; each sets `exit_status` when it runs.
void add_ledger_commands(CLI::App& app, int& exit_status);

struct VerifyOptions {
  std::string data;
  bool as_json = false;
  std::vector<std::string> receipts, public_keys;  // receipt files; the server's .head.pub
};

// `ledger verify`: verifies the store at `data` in full, read-only, and that it still holds
// every receipted entry under its signed head; prints what it found and returns the exit code.
int run_verify(const VerifyOptions& options);

}  // namespace backstop
