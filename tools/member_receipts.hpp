// `backstop member check-receipts FILE...`: whether the running daemon still serves every
// receipted entry, and every signed head a receipt names, with the receipted hashes.
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds `check-receipts` to `member`; it sets `exit_status` when it runs.
void add_check_receipts_command(CLI::App* member, int& exit_status);

}  // namespace backstop
