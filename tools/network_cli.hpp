// `backstop admin ...` and `backstop member ...`: clients of backstopd over mutual TLS.
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

void add_network_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
