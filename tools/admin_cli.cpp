#include "tools/admin_cli.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "ledger/encoding.hpp"
#include "tools/api_client.hpp"
#include "tools/backup_cli.hpp"
#include "tools/csv.hpp"
#include "tools/exit_codes.hpp"
#include "tools/fund_print.hpp"
#include "tools/network_client.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using network::add_connection_options;
using network::call;
using network::Connection;
using network::fail;

// The key given, or a fresh random one, printed so that a retry can reuse it.
std::string chosen_key(const std::string& key) {
  const std::string chosen = key.empty() ? random_idempotency_key() : key;
  if (key.empty()) std::cerr << "idempotency key: " << chosen << "\n";
  return chosen;
}

struct CommandOptions {
  Connection c;
  std::string text, key;
};

void add_command_command(CLI::App* admin, int& exit_status) {
  auto o = std::make_shared<CommandOptions>();
  auto* command = admin->add_subcommand("command", "send one fund command (docs/fund.md)");
  add_connection_options(*command, o->c);
  command
      ->add_option("--command", o->text,
                   "the command as JSON, e.g. {\"type\":\"open_year\",\"year\":2023}")
      ->required();
  command->add_option("--idempotency-key", o->key, "default: a fresh random key (printed)");
  command->callback([o, &exit_status] {
    exit_status = call(o->c, "POST", "/v1/admin/commands", o->text, chosen_key(o->key));
  });
}

// Rule 10.6: money that moves after settlement, one audited command each.
struct Payment {
  const char* name;
  const char* type;  // the fund command
  const char* help;
  bool by_claim;  // --member or --claim
  bool offsets;   // --set-off
};

struct PaymentOptions {
  Connection c;
  std::string member, claim, key;
  bool set_off = false;
};

int send_payment(const Payment& payment, const PaymentOptions& o) {
  json::object body{{"type", payment.type}};
  if (!o.member.empty()) body["member"] = o.member;
  if (!o.claim.empty()) body["claim"] = o.claim;
  if (payment.offsets) body["set_off"] = o.set_off;
  const std::string key = chosen_key(o.key);
  return call(o.c, "POST", "/v1/admin/commands", json::serialize(body), key);
}

void add_payment_command(CLI::App* admin, const Payment& payment, int& exit_status) {
  auto o = std::make_shared<PaymentOptions>();
  auto* command = admin->add_subcommand(payment.name, payment.help);
  add_connection_options(*command, o->c);
  auto* member_option = command->add_option("--member", o->member, "member id");
  if (payment.by_claim) {
    auto* claim_option = command->add_option("--claim", o->claim, "claim id");
    member_option->excludes(claim_option);

  } else {
    member_option->required();
  }
  if (payment.offsets)
    command->add_flag("--set-off", o->set_off, "also set off overdue contributions and calls");
  command->add_option("--idempotency-key", o->key, "default: a fresh random key (printed)");
  command->callback([payment, o, &exit_status] {
    // Exactly one of --member and --claim (CLI11's require_option would count every option).
    if (payment.by_claim && o->member.empty() == o->claim.empty()) {
      std::cerr << "backstop: give exactly one of --member or --claim\n";
      exit_status = exit_code::usage;
      return;
    }
    exit_status = send_payment(payment, *o);
  });
}

struct YearOptions {
  Connection c;
  int year = 0;
};

// `name` is "report", "pending" or "warnings": the fund's for a year (a report as a table).
void add_year_command(CLI::App* admin, const std::string& name, int& exit_status) {
  auto o = std::make_shared<YearOptions>();
  auto* command = admin->add_subcommand(name, "the fund's " + name + " for a year");
  add_connection_options(*command, o->c);
  command->add_option("--year", o->year, "fund year")->required();
  command->callback([o, name, &exit_status] {
    exit_status =
        call(o->c, "GET", "/v1/admin/years/" + std::to_string(o->year) + "/" + name, "", "",
             name == "report" ? std::function<void(const json::object&)>(print_report) : nullptr);
  });
}

// The rows of a schedule CSV, by header name: member and contribution (the rest ignored).
// The contribution is sent as written: the fund reads it as an exact amount.
json::array schedule_rows(const CsvTable& table) {
  const std::size_t member = table.required_column("member");
  const std::size_t contribution = table.required_column("contribution");
  json::array rows;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    rows.push_back(
        {{"member", table.cell(row, member)}, {"contribution", table.cell(row, contribution)}});
  }
  return rows;
}

struct RatesApplyOptions {
  Connection c;
  std::string file;
  int year = 0;
};

int apply_rate_schedule(const RatesApplyOptions& o) {
  std::ifstream in(o.file);
  if (!in) return fail(Status::error(ErrorCode::io_error, "cannot read '" + o.file + "'"));
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json::array rows;
  try {
    rows = schedule_rows(CsvTable::parse(contents, o.file));
  } catch (const std::runtime_error& error) {
    return fail(Status::error(ErrorCode::invalid_argument, error.what()));
  }
  const json::object command_body{
      {"type", "apply_rate_schedule"}, {"year", o.year}, {"rows", rows}};
  // The same schedule file for the same year is the same request: a retry is harmless.
  const std::string key =
      "rates-" + std::to_string(o.year) + "-" + to_hex(sha256(contents)).substr(0, 32);
  return call(o.c, "POST", "/v1/admin/commands", json::serialize(command_body), key);
}

void add_rates_commands(CLI::App* admin, int& exit_status) {
  auto* rates = admin->add_subcommand("rates", "contribution rate schedules");
  rates->require_subcommand(1);
  auto o = std::make_shared<RatesApplyOptions>();
  auto* command = rates->add_subcommand(
      "apply", "apply a rate schedule CSV (from `backstop price schedule`) to a fund year");
  add_connection_options(*command, o->c);
  command->add_option("--year", o->year, "fund year")->required();
  command->add_option("--file", o->file, "schedule CSV: member,contribution,...")->required();
  command->callback([o, &exit_status] { exit_status = apply_rate_schedule(*o); });
}

}  // namespace

void add_admin_commands(CLI::App& app, int& exit_status) {
  auto* admin = app.add_subcommand(
      "admin", "administer the fund through backstopd (mutual TLS, admin certificate)");
  admin->require_subcommand(1);
  add_command_command(admin, exit_status);
  network::add_run_command(
      *admin, "send command lines {key, command, time?} (default: standard input)",
      [](json::object line) {
        return std::pair{std::string("/v1/admin/commands"), line};
      },
      exit_status);
  add_payment_command(admin,
                      {"pay", "pay_member",
                       "pay a member everything the fund owes it now, net of what it owes (four "
                       "eyes above the limit)",
                       false, true},
                      exit_status);
  add_payment_command(
      admin,
      {"collect", "collect_member", "collect everything a member owes, once nothing is owed to it",
       false, false},
      exit_status);
  add_payment_command(admin,
                      {"confirm-payment", "confirm_payment",
                       "confirm a payment another administrator proposed", true, false},
                      exit_status);
  for (const std::string name : {"report", "pending", "warnings"})
    add_year_command(admin, name, exit_status);
  add_rates_commands(admin, exit_status);
  add_admin_backup_commands(admin, exit_status);
}

}  // namespace backstop
