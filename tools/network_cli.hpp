// `backstop admin ...`: administer the fund through backstopd (mutual TLS, admin certificate).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

void add_network_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
