#include "tools/member_cli.hpp"

#include <boost/json.hpp>
#include <map>
#include <memory>

#include "tools/api_client.hpp"
#include "tools/fund_print.hpp"
#include "tools/member_receipts.hpp"
#include "tools/network_client.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using network::add_connection_options;
using network::call;
using network::Connection;

// A member command goes to its member route, without the fields the route supplies.
std::pair<std::string, json::object> member_route(json::object command) {
  const auto* type = command.if_contains("type");
  const auto* member = command.if_contains("member");
  if (type == nullptr || member == nullptr || !type->is_string() || !member->is_string())
    return {"", {}};
  static const std::map<std::string, std::string> paths = {
      {"file_return", "returns"},
      {"file_specific_claim", "specific-claims"},
      {"file_aggregate_claim", "aggregate-claims"}};
  auto path = paths.find(std::string(type->as_string()));
  if (path == paths.end()) return {"", {}};
  const std::string target = "/v1/members/" + std::string(member->as_string()) + "/" + path->second;
  command.erase("type");
  command.erase("member");
  return {target, command};
}

struct YearOptions {
  Connection c;
  std::string member;
  int year = 0;
};

// `name` is "statement" or "claims": the member's for a year (a statement as a table).
void add_year_command(CLI::App* member, const std::string& name, int& exit_status) {
  auto o = std::make_shared<YearOptions>();
  auto* command = member->add_subcommand(name, "the member's " + name + " for a year");
  add_connection_options(*command, o->c);
  command->add_option("--member", o->member, "member id")->required();
  command->add_option("--year", o->year, "fund year")->required();
  command->callback([o, name, &exit_status] {
    exit_status = call(
        o->c, "GET", "/v1/members/" + o->member + "/years/" + std::to_string(o->year) + "/" + name,
        "", "",
        name == "statement" ? std::function<void(const json::object&)>(print_statement) : nullptr);
  });
}

struct ClaimOptions {
  Connection c;
  std::string claim, grounds, key;
};

void add_claim_command(CLI::App* member, int& exit_status) {
  auto o = std::make_shared<ClaimOptions>();
  auto* command = member->add_subcommand("claim", "one claim with its decisions");
  add_connection_options(*command, o->c);
  command->add_option("--claim", o->claim, "claim id")->required();
  command->callback(
      [o, &exit_status] { exit_status = call(o->c, "GET", "/v1/claims/" + o->claim, "", ""); });
}

// `name` is "withdraw" or "appeal" (with its grounds): a claim's.
void add_claim_action_command(CLI::App* member, const std::string& name, int& exit_status) {
  auto o = std::make_shared<ClaimOptions>();
  auto* command = member->add_subcommand(name, name + " a claim");
  add_connection_options(*command, o->c);
  command->add_option("--claim", o->claim, "claim id")->required();
  if (name == "appeal")
    command->add_option("--grounds", o->grounds, "why the decision is wrong")->required();
  command->add_option("--idempotency-key", o->key, "default: a fresh random key");
  command->callback([o, name, &exit_status] {
    json::object body;
    if (name == "appeal") body["grounds"] = o->grounds;
    exit_status = call(o->c, "POST", "/v1/claims/" + o->claim + "/" + name, json::serialize(body),
                       o->key.empty() ? random_idempotency_key() : o->key);
  });
}

}  // namespace

void add_member_commands(CLI::App& app, int& exit_status) {
  auto* member = app.add_subcommand(
      "member", "a consortium's client of backstopd (mutual TLS, member certificate)");
  member->require_subcommand(1);
  network::add_run_command(
      *member, "file returns and claims from lines {key, command} (default: standard input)",
      member_route, exit_status);
  for (const std::string name : {"statement", "claims"})
    add_year_command(member, name, exit_status);
  add_claim_command(member, exit_status);
  for (const std::string name : {"withdraw", "appeal"})
    add_claim_action_command(member, name, exit_status);
  add_check_receipts_command(member, exit_status);
}

}  // namespace backstop
