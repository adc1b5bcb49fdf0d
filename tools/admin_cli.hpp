// `backstop admin ...`: administer the fund through backstopd (mutual TLS, admin certificate).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds the `admin` subcommands; each sets `exit_status` when it runs.
void add_admin_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
