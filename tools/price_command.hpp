// What the price commands share: a refusal printed as "backstop: ...", and a command's
// callback that turns what it throws (a bad file, a bad number) into one.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace backstop {

// Prints `message` to stderr and returns exit_code::refused.
int price_refusal(const std::string& message);

// Makes `run` the command's callback: its exit status, or a refusal for what it throws.
void run_price_command(CLI::App* command, int& exit_status, std::function<int()> run);

}  // namespace backstop
