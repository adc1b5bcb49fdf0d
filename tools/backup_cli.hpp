// Backups (docs/operations.md#backups): `backstop ledger backup|backups|restore` on the
// embedded store and its backup directory, `backstop admin backup|backups` through backstopd.
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds `backup`, `backups` and `restore` under `ledger`; each sets `exit_status` when it runs.
void add_ledger_backup_commands(CLI::App* ledger, int& exit_status);
// Adds `backup` and `backups` under `admin`.
void add_admin_backup_commands(CLI::App* admin, int& exit_status);

}  // namespace backstop
