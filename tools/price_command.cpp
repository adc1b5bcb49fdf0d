#include "tools/price_command.hpp"

#include <iostream>

#include "tools/exit_codes.hpp"

namespace backstop {

int price_refusal(const std::string& message) {
  std::cerr << "backstop: " << message << "\n";
  return exit_code::refused;
}

void run_price_command(CLI::App* command, int& exit_status, std::function<int()> run) {
  command->callback([run = std::move(run), &exit_status] {
    try {
      exit_status = run();
    } catch (const std::exception& error) {
      exit_status = price_refusal(error.what());
    }
  });
}

}  // namespace backstop
