#include "tools/network_cli.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ledger/encoding.hpp"
#include "tools/api_client.hpp"
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
using network::run_file;

}  // namespace

void add_network_commands(CLI::App& app, int& exit_status) {
  auto* admin = app.add_subcommand(
      "admin", "administer the fund through backstopd (mutual TLS, admin certificate)");
  admin->require_subcommand(1);

  {
    auto c = std::make_shared<Connection>();
    auto text = std::make_shared<std::string>();
    auto key = std::make_shared<std::string>();
    auto* command = admin->add_subcommand("command", "send one fund command (docs/fund.md)");
    add_connection_options(*command, *c);
    command
        ->add_option("--command", *text,
                     "the command as JSON, e.g. {\"type\":\"open_year\",\"year\":2023}")
        ->required();
    command->add_option("--idempotency-key", *key, "default: a fresh random key (printed)");
    command->callback([c, text, key, &exit_status] {
      const std::string chosen = key->empty() ? random_idempotency_key() : *key;
      if (key->empty()) std::cerr << "idempotency key: " << chosen << "\n";
      exit_status = call(*c, "POST", "/v1/admin/commands", *text, chosen);
    });
  }
  {
    auto c = std::make_shared<Connection>();
    auto file = std::make_shared<std::string>();
    auto* command = admin->add_subcommand(
        "run", "send command lines {key, command, time?} (default: standard input)");
    add_connection_options(*command, *c);
    command->add_option("--file", *file, "JSON lines");
    command->callback([c, file, &exit_status] {
      exit_status = run_file(*c, *file, [](json::object line) {
        return std::pair{std::string("/v1/admin/commands"), line};
      });
    });
  }
  // Rule 10.6: money that moves after settlement, one audited command each.
  struct PaymentOptions {
    Connection c;
    std::string member, claim, key;
    bool set_off = false;
  };
  auto add_payment = [&](const char* name, const char* type, const char* help, bool by_claim,
                         bool offsets) {
    auto o = std::make_shared<PaymentOptions>();
    auto* command = admin->add_subcommand(name, help);
    add_connection_options(*command, o->c);
    auto* member_option = command->add_option("--member", o->member, "member id");
    if (by_claim) {
      auto* claim_option = command->add_option("--claim", o->claim, "claim id");
      member_option->excludes(claim_option);
      command->require_option(1);
    } else {
      member_option->required();
    }
    if (offsets)
      command->add_flag("--set-off", o->set_off, "also set off overdue contributions and calls");
    command->add_option("--idempotency-key", o->key, "default: a fresh random key (printed)");
    const std::string command_type = type;
    command->callback([o, command_type, offsets, &exit_status] {
      json::object body{{"type", command_type}};
      if (!o->member.empty()) body["member"] = o->member;
      if (!o->claim.empty()) body["claim"] = o->claim;
      if (offsets) body["set_off"] = o->set_off;
      const std::string chosen = o->key.empty() ? random_idempotency_key() : o->key;
      if (o->key.empty()) std::cerr << "idempotency key: " << chosen << "\n";
      exit_status = call(o->c, "POST", "/v1/admin/commands", json::serialize(body), chosen);
    });
  };
  add_payment("pay", "pay_member",
              "pay a member everything the fund owes it now, net of what it owes (four eyes above "
              "the limit)",
              false, true);
  add_payment("collect", "collect_member",
              "collect everything a member owes, once nothing is owed to it", false, false);
  add_payment("confirm-payment", "confirm_payment",
              "confirm a payment another administrator proposed", true, false);
  for (const char* name : {"report", "pending", "warnings"}) {
    auto c = std::make_shared<Connection>();
    auto year = std::make_shared<int>(0);
    auto* command = admin->add_subcommand(name, std::string("the fund's ") + name + " for a year");
    add_connection_options(*command, *c);
    command->add_option("--year", *year, "fund year")->required();
    const std::string what = name;
    command->callback([c, year, what, &exit_status] {
      exit_status =
          call(*c, "GET", "/v1/admin/years/" + std::to_string(*year) + "/" + what, "", "",
               what == "report" ? std::function<void(const json::object&)>(print_report) : nullptr);
    });
  }
  {
    auto* rates = admin->add_subcommand("rates", "contribution rate schedules");
    rates->require_subcommand(1);
    auto c = std::make_shared<Connection>();
    auto file = std::make_shared<std::string>();
    auto year = std::make_shared<int>(0);
    auto* command = rates->add_subcommand(
        "apply", "apply a rate schedule CSV (from `backstop price schedule`) to a fund year");
    add_connection_options(*command, *c);
    command->add_option("--year", *year, "fund year")->required();
    command->add_option("--file", *file, "schedule CSV: member,contribution,...")->required();
    command->callback([c, file, year, &exit_status] {
      std::ifstream in(*file);
      if (!in) {
        exit_status = fail(Status::error(ErrorCode::io_error, "cannot read '" + *file + "'"));
        return;
      }
      std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::istringstream lines(contents);
      std::string line;
      std::getline(lines, line);
      if (!line.starts_with("member,contribution")) {
        exit_status = fail(Status::error(ErrorCode::invalid_argument,
                                         "the schedule's header must start member,contribution"));
        return;
      }
      json::array rows;
      while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const auto comma = line.find(',');
        const auto next = line.find(',', comma + 1);
        rows.push_back(
            {{"member", line.substr(0, comma)},
             {"contribution",
              line.substr(comma + 1, next == std::string::npos ? next : next - comma - 1)}});
      }
      const json::object command_body{
          {"type", "apply_rate_schedule"}, {"year", *year}, {"rows", rows}};
      // The same schedule file for the same year is the same request: a retry is harmless.
      const std::string key =
          "rates-" + std::to_string(*year) + "-" + to_hex(sha256(contents)).substr(0, 32);
      exit_status = call(*c, "POST", "/v1/admin/commands", json::serialize(command_body), key);
    });
  }
}

}  // namespace backstop
