// `backstop price aggregate|layer|fit|credibility`: the actuarial methods on their own, on
// numbers and files given on the command line, without the fund model (docs/pricing.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace backstop {

// `name` is "aggregate" (the aggregate loss distribution) or "layer" (the cost of a layer).
void add_loss_model_command(CLI::App* price, const std::string& name, int& exit_status);
void add_fit_command(CLI::App* price, int& exit_status);
void add_credibility_command(CLI::App* price, int& exit_status);

}  // namespace backstop
