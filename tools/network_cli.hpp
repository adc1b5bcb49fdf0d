// `backstop admin ...`, `backstop member ...` (clients of backstopd over mutual TLS) and
// `backstop pki ...` (a development PKI).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

void add_network_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
