// `backstop pki ...`: a development PKI for backstopd (tools/pki.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace backstop {

// Adds the `pki` subcommands; each sets `exit_status` when it runs.
void add_pki_commands(CLI::App& app, int& exit_status);

}  // namespace backstop
