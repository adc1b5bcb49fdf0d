#include "tools/ledger_cli.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "fund/fund.hpp"
#include "fund/verify.hpp"
#include "ledger/encoding.hpp"
#include "ledger/hledger_export.hpp"
#include "ledger/store.hpp"
#include "tools/backup_cli.hpp"
#include "tools/exit_codes.hpp"
#include "tools/receipts.hpp"

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
  auto receipt = ledger.value().execute(command);
  if (!receipt.is_ok()) return fail(receipt.status());
  if (Status done = commit_pending(*store.value(), ledger.value()); !done.is_ok())
    return fail(done);
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

// Every receipt read and its signature checked, before the store is opened.
Result<std::vector<receipts::ReceiptLine>> signed_receipts(const VerifyOptions& o) {
  auto lines = receipts::read_receipt_files(o.receipts);
  if (!lines.is_ok()) return lines.status();
  auto keys = receipts::read_public_keys(o.public_keys);
  if (!keys.is_ok()) return keys.status();
  std::vector<Status> problems;
  for (const auto& line : lines.value()) {
    if (Status signature = receipts::check_signature(line, keys.value()); !signature.is_ok())
      problems.push_back(signature);
  }
  if (Status all = receipts::summarise(problems, lines.value().size()); !all.is_ok()) return all;
  return lines;
}

int verify_failed(const Status& status, bool as_json) {
  if (as_json) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"ok", false}, {"problem", status.message()}})
              << "\n";
  }
  return fail(status);
}

void print_verified(const VerifyReport& report, std::size_t receipts_held, bool as_json) {
  if (as_json) {
    boost::json::object out{{"ok", true},
                            {"entries", report.entries},
                            {"accounts", report.accounts},
                            {"chain_head", to_hex(report.chain_head)},
                            {"receipt_results", report.results},
                            {"checkpoint", report.checkpoint},
                            {"legacy_index_records", report.legacy_indexes}};
    if (receipts_held > 0) out["receipts"] = receipts_held;
    std::cout << boost::json::serialize(out) << "\n";
    return;
  }
  std::cout << "ledger verified: " << report.entries << " entries, " << report.accounts
            << " accounts, trial balance zero, chain head " << to_hex(report.chain_head)
            << " (the stored head agrees); RocksDB checksums, " << report.results
            << " receipt results" << (report.checkpoint ? ", the checkpoint" : "") << " and "
            << report.legacy_indexes << " legacy index records checked\n";
  if (receipts_held > 0)
    std::cout << "receipts hold: " << receipts_held
              << " receipted entries present with their hashes, on the signed heads\n";
}

}  // namespace

int run_verify(const VerifyOptions& o) {
  if (!o.receipts.empty() && o.public_keys.empty()) {
    std::cerr << "backstop: --receipts needs --public-key (the server's .head.pub)\n";
    return exit_code::usage;
  }
  auto held = signed_receipts(o);
  if (!held.is_ok()) return verify_failed(held.status(), o.as_json);
  auto store = open_store(o.data, true);
  if (!store.is_ok()) return verify_failed(store.status(), o.as_json);
  // RocksDB's checksums, a full replay through the fund (every event decided again), every
  // side record and the legacy indexes (fund/verify.hpp).
  auto verified = verify_store(*store.value());
  if (!verified.is_ok()) return verify_failed(verified.status(), o.as_json);
  // The chain is whole up to its last entry; each receipt must find its entry and its
  // signed head on it.
  std::vector<Status> problems;
  for (const auto& line : held.value()) {
    Status kept = receipts::check_in_journal(line, *store.value(), verified.value().entries);
    if (!kept.is_ok()) problems.push_back(kept);
  }
  if (Status all = receipts::summarise(problems, held.value().size()); !all.is_ok())
    return verify_failed(all, o.as_json);
  print_verified(verified.value(), held.value().size(), o.as_json);
  return exit_code::ok;
}

namespace {

int run_export(const std::string& data, const std::string& format, const std::string& output) {
  if (format != "hledger")
    return fail(
        Status::error(ErrorCode::invalid_argument, "unknown export format '" + format + "'"));
  auto store = open_store(data, true);
  if (!store.is_ok()) return fail(store.status());
  auto ledger = load_ledger(*store.value());
  if (!ledger.is_ok()) return fail(ledger.status());
  if (output.empty() || output == "-") {
    if (Status done = export_hledger(ledger.value(), *store.value(), std::cout); !done.is_ok())
      return fail(done);
    return std::cout.good() ? exit_code::ok : exit_code::io_error;
  }
  std::ofstream file(output);
  if (Status done = export_hledger(ledger.value(), *store.value(), file); !done.is_ok())
    return fail(done);
  file.close();
  if (!file) return fail(Status::error(ErrorCode::io_error, "cannot write '" + output + "'"));
  return exit_code::ok;
}

struct OpenAccountOptions {
  CommonOptions common;
  Account account;
  std::string type, floor;
};

int run_open_account(const OpenAccountOptions& o) {
  Account account = o.account;
  auto parsed_type = parse_account_type(o.type);
  if (!parsed_type)
    return fail(
        Status::error(ErrorCode::invalid_argument, "unknown account type '" + o.type + "'"));
  account.type = *parsed_type;
  if (!o.floor.empty()) {
    auto amount = Money::parse(o.floor);
    if (!amount.is_ok()) return fail(amount.status());
    account.floor = amount.value();
  }
  return run_command(o.common, Command{{}, 0, {}, OpenAccount{account}});
}

void add_open_account_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<OpenAccountOptions>();
  auto* command = ledger->add_subcommand("open-account", "open an account");
  add_common_options(*command, o->common);
  command->add_option("--id", o->account.id, "account id, e.g. fund:reserve")->required();
  command->add_option("--type", o->type, "asset | liability | equity | income | expense")
      ->required();
  command->add_option("--owner", o->account.owner, "'fund' or a member id")->required();
  command->add_option("--floor", o->floor,
                      "lowest balance allowed on the account's normal side, e.g. 0");
  command->callback([o, &exit_status] { exit_status = run_open_account(*o); });
}

struct PostOptions {
  CommonOptions common;
  std::vector<std::string> postings;
};

int run_post(const PostOptions& o) {
  PostTransaction post;
  for (const auto& text : o.postings) {
    auto posting = parse_posting(text);
    if (!posting.is_ok()) return fail(posting.status());
    post.postings.push_back(posting.value());
  }
  return run_command(o.common, Command{{}, 0, {}, post});
}

void add_post_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<PostOptions>();
  auto* command = ledger->add_subcommand("post", "post a balanced transaction");
  add_common_options(*command, o->common);
  command->add_option("--posting", o->postings, "ACCOUNT=AMOUNT, debit positive; repeatable")
      ->required();
  command->callback([o, &exit_status] { exit_status = run_post(*o); });
}

struct ReverseOptions {
  CommonOptions common;
  std::uint64_t sequence = 0;
};

void add_reverse_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<ReverseOptions>();
  auto* command =
      ledger->add_subcommand("reverse", "reverse a transaction by posting its mirror image");
  add_common_options(*command, o->common);
  command->add_option("--sequence", o->sequence, "the transaction to reverse")->required();
  command->callback([o, &exit_status] {
    exit_status = run_command(o->common, Command{{}, 0, {}, ReverseTransaction{o->sequence}});
  });
}

// The read-only commands: --data and --json.
struct ReadOnlyOptions {
  std::string data;
  bool as_json = false;
};

void add_balances_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<ReadOnlyOptions>();
  auto* command = ledger->add_subcommand("balances", "list every account and its balance");
  command->add_option("--data", o->data, "store directory")->required();
  command->add_flag("--json", o->as_json, "JSON for scripts");
  command->callback([o, &exit_status] { exit_status = run_balances(o->data, o->as_json); });
}

void add_verify_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<VerifyOptions>();
  auto* command =
      ledger->add_subcommand("verify", "re-walk the hash chain and recompute every balance");
  command->add_option("--data", o->data, "store directory")->required();
  command->add_flag("--json", o->as_json, "JSON for scripts");
  command->add_option("--receipts", o->receipts,
                      "receipt files (JSON lines from --receipts-out): the store must still "
                      "hold every receipted entry and signed head");
  command->add_option("--public-key", o->public_keys,
                      "the server's head public key (.head.pub); repeatable, for rotated keys");
  command->callback([o, &exit_status] { exit_status = run_verify(*o); });
}

struct ExportOptions {
  std::string data, format, output;
};

void add_export_command(CLI::App* ledger, int& exit_status) {
  auto o = std::make_shared<ExportOptions>();
  auto* command = ledger->add_subcommand("export", "write the journal in another tool's format");
  command->add_option("--data", o->data, "store directory")->required();
  command->add_option("--format", o->format, "hledger")
      ->required()
      ->check(CLI::IsMember({"hledger"}));
  command->add_option("--output", o->output, "file to write (default: standard output)");
  // The callback owns every option it binds, `format` included, so they outlive parsing.
  command->callback([o, &exit_status] { exit_status = run_export(o->data, o->format, o->output); });
}

}  // namespace

void add_ledger_commands(CLI::App& app, int& exit_status) {
  auto* ledger = app.add_subcommand("ledger", "the ledger on an embedded store (offline)");
  ledger->require_subcommand(1);
  add_open_account_command(ledger, exit_status);
  add_post_command(ledger, exit_status);
  add_reverse_command(ledger, exit_status);
  add_balances_command(ledger, exit_status);
  add_verify_command(ledger, exit_status);
  add_export_command(ledger, exit_status);
  add_ledger_backup_commands(ledger, exit_status);
}

}  // namespace backstop
