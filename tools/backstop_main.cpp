// backstop: the command-line tool of the fund (ledger today; admin, member, price, pki later).
#include <CLI/CLI.hpp>

#include "tools/admin_cli.hpp"
#include "tools/exit_codes.hpp"
#include "tools/fund_cli.hpp"
#include "tools/ledger_cli.hpp"
#include "tools/member_cli.hpp"
#include "tools/pki_cli.hpp"
#include "tools/price_cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Backstop: the books of the national mutual stop-loss fund"};
  app.require_subcommand(1);
  int exit_status = backstop::exit_code::ok;
  backstop::add_ledger_commands(app, exit_status);
  backstop::add_fund_commands(app, exit_status);
  backstop::add_admin_commands(app, exit_status);
  backstop::add_member_commands(app, exit_status);
  backstop::add_pki_commands(app, exit_status);
  backstop::add_price_commands(app, exit_status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : backstop::exit_code::usage;
  }
  return exit_status;
}
