#include "tools/ledger_cli.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "fund/fund.hpp"
#include "ledger/encoding.hpp"
#include "ledger/hledger_export.hpp"
#include "ledger/store.hpp"
#include "tools/exit_codes.hpp"

namespace backstop {
namespace {

struct CommonOptions {
  std::string data;
  std::string key;
  std::string actor;
  std::string reason;
  std::uint32_t fund_year = 0;
  std::vector<std::string> references;
  std::optional<std::int64_t> time_unix_s;
};

int fail(const Status& status) {
  std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

Result<std::unique_ptr<RocksStore>> open_store(const std::string& data, bool read_only) {
  RocksStoreOptions options;
  options.read_only = read_only;
  return RocksStore::open(data, options);
}

// Opens the store, replays it, applies one command and commits it durably.
int run_command(const CommonOptions& common, Command command) {
  command.idempotency_key = common.key;
  command.metadata = Metadata{common.actor, common.reason, common.fund_year, common.references};
  command.time_unix_s =
      common.time_unix_s.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  auto store = open_store(common.data, false);
  if (!store.is_ok()) return fail(store.status());
  auto ledger = load_ledger(*store.value());
  if (!ledger.is_ok()) return fail(ledger.status());
  const std::size_t committed = ledger.value().journal().size();
  auto receipt = ledger.value().execute(command);
  if (!receipt.is_ok()) return fail(receipt.status());
  if (auto done = commit_pending(*store.value(), ledger.value(), committed); !done.is_ok())
    return fail(done.status());
  std::cout << "transaction " << receipt.value().sequence << " " << to_hex(receipt.value().hash)
            << (receipt.value().replayed ? " (already recorded under this key)" : "") << "\n";
  return exit_code::ok;
}

void add_common_options(CLI::App& command, CommonOptions& common) {
  command.add_option("--data", common.data, "store directory")->required();
  command.add_option("--key", common.key, "idempotency key: a retry with the same key is harmless")
      ->required();
  command.add_option("--actor", common.actor, "who makes the change")->required();
  command.add_option("--reason", common.reason, "why");
  command.add_option("--fund-year", common.fund_year, "fund year, e.g. 2013 for 2013/14");
  command.add_option("--ref", common.references, "a reference (claim id, document); repeatable");
  command.add_option("--time", common.time_unix_s,
                     "time of the change, Unix seconds (default: now)");
}

Result<Posting> parse_posting(const std::string& text) {
  const auto equals = text.rfind('=');
  if (equals == std::string::npos || equals == 0) {
    return Status::error(ErrorCode::invalid_argument,
                         "a posting is ACCOUNT=AMOUNT (debit positive): '" + text + "'");
  }
  auto amount = Money::parse(text.substr(equals + 1));
  if (!amount.is_ok()) return amount.status();
  return Posting{text.substr(0, equals), amount.value()};
}

int run_balances(const std::string& data, bool as_json) {
  auto store = open_store(data, true);
  if (!store.is_ok()) return fail(store.status());
  auto ledger = load_ledger(*store.value());
  if (!ledger.is_ok()) return fail(ledger.status());
  boost::json::array rows;
  for (const auto& [id, state] : ledger.value().accounts()) {
    if (as_json) {
      rows.push_back({{"account", id},
                      {"type", account_type_name(state.account.type)},
                      {"owner", state.account.owner},
                      {"balance", state.balance.to_string()}});
    } else {
      std::cout << std::left << std::setw(40) << id << std::setw(10)
                << account_type_name(state.account.type) << std::right << std::setw(22)
                << state.balance.to_display() << "\n";
    }
  }
  if (as_json) std::cout << boost::json::serialize(rows) << "\n";
  return exit_code::ok;
}

int run_verify(const std::string& data, bool as_json) {
  auto store = open_store(data, true);
  if (!store.is_ok()) return fail(store.status());
  // Replaying through the fund also decides every fund event again (docs/fund.md).
  auto ledger = load_fund(*store.value());
  if (!ledger.is_ok()) {
    if (as_json) {
      std::cout << boost::json::serialize(
                       boost::json::object{{"ok", false}, {"problem", ledger.status().message()}})
                << "\n";
    }
    return fail(ledger.status());
  }
  const auto& verified = ledger.value().ledger();
  if (!verified.trial_balance().is_zero())
    return fail(Status::error(ErrorCode::corruption, "trial balance is not zero"));
  if (as_json) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"ok", true},
                                         {"entries", verified.last_sequence()},
                                         {"accounts", verified.accounts().size()},
                                         {"chain_head", to_hex(verified.chain_head())}})
              << "\n";
  } else {
    std::cout << "ledger verified: " << verified.last_sequence() << " entries, "
              << verified.accounts().size() << " accounts, trial balance zero, chain head "
              << to_hex(verified.chain_head()) << "\n";
  }
  return exit_code::ok;
}

int run_export(const std::string& data, const std::string& format, const std::string& output) {
  if (format != "hledger")
    return fail(
        Status::error(ErrorCode::invalid_argument, "unknown export format '" + format + "'"));
  auto store = open_store(data, true);
  if (!store.is_ok()) return fail(store.status());
  auto ledger = load_ledger(*store.value());
  if (!ledger.is_ok()) return fail(ledger.status());
  if (output.empty() || output == "-") {
    export_hledger(ledger.value(), std::cout);
    return std::cout.good() ? exit_code::ok : exit_code::io_error;
  }
  std::ofstream file(output);
  export_hledger(ledger.value(), file);
  file.close();
  if (!file) return fail(Status::error(ErrorCode::io_error, "cannot write '" + output + "'"));
  return exit_code::ok;
}

}  // namespace

void add_ledger_commands(CLI::App& app, int& exit_status) {
  auto* ledger = app.add_subcommand("ledger", "the ledger on an embedded store (offline)");
  ledger->require_subcommand(1);

  {
    auto common = std::make_shared<CommonOptions>();
    auto account = std::make_shared<Account>();
    auto type = std::make_shared<std::string>();
    auto floor = std::make_shared<std::string>();
    auto* command = ledger->add_subcommand("open-account", "open an account");
    add_common_options(*command, *common);
    command->add_option("--id", account->id, "account id, e.g. fund:reserve")->required();
    command->add_option("--type", *type, "asset | liability | equity | income | expense")
        ->required();
    command->add_option("--owner", account->owner, "'fund' or a member id")->required();
    command->add_option("--floor", *floor,
                        "lowest balance allowed on the account's normal side, e.g. 0");
    command->callback([common, account, type, floor, &exit_status] {
      auto parsed_type = parse_account_type(*type);
      if (!parsed_type) {
        exit_status = fail(
            Status::error(ErrorCode::invalid_argument, "unknown account type '" + *type + "'"));
        return;
      }
      account->type = *parsed_type;
      if (!floor->empty()) {
        auto amount = Money::parse(*floor);
        if (!amount.is_ok()) {
          exit_status = fail(amount.status());
          return;
        }
        account->floor = amount.value();
      }
      exit_status = run_command(*common, Command{{}, 0, {}, OpenAccount{*account}});
    });
  }
  {
    auto common = std::make_shared<CommonOptions>();
    auto postings = std::make_shared<std::vector<std::string>>();
    auto* command = ledger->add_subcommand("post", "post a balanced transaction");
    add_common_options(*command, *common);
    command->add_option("--posting", *postings, "ACCOUNT=AMOUNT, debit positive; repeatable")
        ->required();
    command->callback([common, postings, &exit_status] {
      PostTransaction post;
      for (const auto& text : *postings) {
        auto posting = parse_posting(text);
        if (!posting.is_ok()) {
          exit_status = fail(posting.status());
          return;
        }
        post.postings.push_back(posting.value());
      }
      exit_status = run_command(*common, Command{{}, 0, {}, post});
    });
  }
  {
    auto common = std::make_shared<CommonOptions>();
    auto sequence = std::make_shared<std::uint64_t>(0);
    auto* command =
        ledger->add_subcommand("reverse", "reverse a transaction by posting its mirror image");
    add_common_options(*command, *common);
    command->add_option("--sequence", *sequence, "the transaction to reverse")->required();
    command->callback([common, sequence, &exit_status] {
      exit_status = run_command(*common, Command{{}, 0, {}, ReverseTransaction{*sequence}});
    });
  }
  {
    auto data = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* command = ledger->add_subcommand("balances", "list every account and its balance");
    command->add_option("--data", *data, "store directory")->required();
    command->add_flag("--json", *as_json, "JSON for scripts");
    command->callback(
        [data, as_json, &exit_status] { exit_status = run_balances(*data, *as_json); });
  }
  {
    auto data = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* command =
        ledger->add_subcommand("verify", "re-walk the hash chain and recompute every balance");
    command->add_option("--data", *data, "store directory")->required();
    command->add_flag("--json", *as_json, "JSON for scripts");
    command->callback([data, as_json, &exit_status] { exit_status = run_verify(*data, *as_json); });
  }
  {
    auto data = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto* command = ledger->add_subcommand("export", "write the journal in another tool's format");
    command->add_option("--data", *data, "store directory")->required();
    command->add_option("--format", *format, "hledger")
        ->required()
        ->check(CLI::IsMember({"hledger"}));
    command->add_option("--output", *output, "file to write (default: standard output)");
    // The callback owns every option it binds, `format` included, so they outlive parsing.
    command->callback([data, format, output, &exit_status] {
      exit_status = run_export(*data, *format, *output);
    });
  }
}

}  // namespace backstop
