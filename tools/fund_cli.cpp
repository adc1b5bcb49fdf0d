#include "tools/fund_cli.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>

#include "fund/codec.hpp"
#include "fund/fund.hpp"
#include "fund/sequencer.hpp"
#include "tools/exit_codes.hpp"
#include "tools/fund_print.hpp"
#include "tools/synthetic_year.hpp"

namespace backstop {
namespace {
namespace json = boost::json;

constexpr std::size_t commit_group_max = 256;

int fail(const Status& status) {
  std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

// Opens the store and loads the fund from it: a writer through open_fund (which brings an
// older store's side records up to date), a reader from the checkpoint if it checks out.
Result<Fund> load_from(const std::string& data, bool read_only, std::unique_ptr<RocksStore>& store,
                       LoadReport* report = nullptr) {
  RocksStoreOptions options;
  options.read_only = read_only;
  auto opened = RocksStore::open(data, options);
  if (!opened.is_ok()) return opened.status();
  store = std::move(opened).value();
  return read_only ? load_fund(*store, {}, report) : open_fund(*store, report);
}

// Reads one request line: {"actor", "key", "time", "command"}.
Result<FundRequest> parse_request(const std::string& line) {
  json::value parsed;
  try {
    parsed = json::parse(line);
  } catch (const std::exception& error) {
    return Status::error(ErrorCode::invalid_argument, std::string("not JSON: ") + error.what());
  }
  const auto* object = parsed.if_object();
  if (object == nullptr)
    return Status::error(ErrorCode::invalid_argument, "a request line must be a JSON object");
  const auto* actor = object->if_contains("actor");
  const auto* key = object->if_contains("key");
  const auto* time = object->if_contains("time");
  const auto* command = object->if_contains("command");
  if (actor == nullptr || !actor->is_string() || key == nullptr || !key->is_string() ||
      time == nullptr || !time->is_int64() || command == nullptr || !command->is_object()) {
    return Status::error(ErrorCode::invalid_argument,
                         "a request line needs actor, key, time (Unix seconds) and command");
  }
  const auto who = Actor::parse(actor->as_string());
  if (!who) {
    return Status::refusal(ErrorCode::invalid_argument,
                           "actor must be admin:<name>, member:<id> or actuary:<name>", "actor");
  }
  auto decoded = decode_command(command->as_object());
  if (!decoded.is_ok()) return decoded.status();
  return FundRequest{std::string(key->as_string()), time->as_int64(), *who,
                     std::move(decoded).value()};
}

// Whether another line can be read without waiting: a program that drives the fund one
// request at a time waits for each receipt, so a group must not wait for more input.
bool more_input_ready(std::istream& input, bool from_stdin) {
  if (!from_stdin) return input.good();
  pollfd ready{STDIN_FILENO, POLLIN, 0};
  return ::poll(&ready, 1, 0) > 0;
}

// How the lines of one run are reported: receipts once durable, refusals as they come.
struct RunReport {
  bool quiet = false, keep_going = false;
  std::size_t applied = 0, replayed = 0;

  // Prints one outcome; false when the run must stop here.
  bool print(const Result<FundReceipt>& outcome, std::size_t line_number, int& status) {
    if (!outcome.is_ok() && keep_going) {
      json::object error{{"code", error_code_name(outcome.status().code())},
                         {"message", outcome.status().message()}};
      if (!outcome.status().field().empty()) error["field"] = outcome.status().field();
      std::cout << json::serialize(json::object{{"error", error}}) << std::endl;
      return true;
    }
    if (!outcome.is_ok()) {
      std::cerr << "line " << line_number << ": ";
      status = fail(outcome.status());
      return false;
    }
    (outcome.value().replayed ? replayed : applied) += 1;
    if (!quiet) {
      std::cout << outcome.value().sequence << " "
                << json::serialize(to_json(outcome.value().result)) << std::endl;
    }
    return true;
  }
};

// A checkpoint only shortens the next start; the receipts printed are durable without it.
void write_checkpoint(Sequencer& sequencer) {
  if (Status written = sequencer.checkpoint(); !written.is_ok())
    std::cerr << "backstop: warning: no checkpoint written: " << written.message() << "\n";
}

// Applies request lines in order through the Sequencer: each group is durable before its
// receipts are printed. Stops at the first refusal, or (keep_going) prints it as
// {"error": {code, message, field}} and goes on. Each printed line is flushed, so that a
// program can drive the fund one request at a time.
int run_requests(const std::string& data, std::istream& input, bool from_stdin, RunReport report) {
  std::unique_ptr<RocksStore> store;
  LoadReport loaded;
  auto fund = load_from(data, false, store, &loaded);
  if (!fund.is_ok()) return fail(fund.status());
  Sequencer sequencer(*store, fund.value(), loaded.checkpoint_sequence);
  const Sequencer::Options options{.clamp_time = false, .stop_at_refusal = !report.keep_going};
  std::vector<FundRequest> group;
  std::vector<std::size_t> lines;  // the line number of each request in the group
  int status = exit_code::ok;
  // Runs the group and prints its outcomes; false when the run must stop.
  auto flush = [&]() -> bool {
    auto outcomes = sequencer.run(std::exchange(group, {}), options);
    if (!outcomes.is_ok()) return status = fail(outcomes.status()), false;
    for (std::size_t i = 0; i < outcomes.value().size(); ++i) {
      if (!report.print(outcomes.value()[i], lines[i], status)) return false;
    }
    lines.clear();
    if (sequencer.checkpoint_due()) write_checkpoint(sequencer);
    return true;
  };
  std::size_t line_number = 0;
  std::string line;
  bool going = true;
  while (going && std::getline(input, line)) {
    ++line_number;
    auto request = line.empty() ? std::optional<Result<FundRequest>>()
                                : std::optional<Result<FundRequest>>(parse_request(line));
    const bool refused = request && !request->is_ok();
    if (request && !refused) {
      group.push_back(std::move(*request).value());
      lines.push_back(line_number);
    }
    // A blank line too may be the last before the driver waits for its receipts.
    const bool full = group.size() >= commit_group_max || !more_input_ready(input, from_stdin);
    if ((refused || full) && !group.empty()) going = flush();
    if (going && refused) going = report.print(request->status(), line_number, status);
  }
  if (going && !group.empty()) flush();
  if (fund.value().ledger().pending().empty()) write_checkpoint(sequencer);
  std::cerr << "fund: " << report.applied << " applied, " << report.replayed
            << " already recorded\n";
  return status;
}

// Runs a read against a read-only fund and prints it as JSON or a table.
int run_read(const std::string& data, bool as_json,
             const std::function<Result<json::object>(const Fund&)>& read,
             const std::function<void(const json::object&)>& print) {
  std::unique_ptr<RocksStore> store;
  auto fund = load_from(data, true, store);
  if (!fund.is_ok()) return fail(fund.status());
  auto result = read(fund.value());
  if (!result.is_ok()) return fail(result.status());
  if (as_json)
    std::cout << json::serialize(result.value()) << "\n";
  else
    print(result.value());
  return exit_code::ok;
}

struct ReadOptions {
  std::string data;
  bool as_json = false;
  std::uint32_t year = 0;
  std::string member;
  std::string claim;
};

void add_run_command(CLI::App* fund, int& exit_status) {
  auto data = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto keep_going = std::make_shared<bool>(false);
  auto* command =
      fund->add_subcommand("run", "apply request lines {actor, key, time, command} (docs/fund.md)");
  command->add_option("--data", *data, "store directory")->required();
  command->add_option("--file", *file, "JSON lines (default: standard input)");
  command->add_flag("--quiet", *quiet, "print only the summary");
  command->add_flag("--keep-going", *keep_going, "print a refusal as a JSON line and go on");
  command->callback([data, file, quiet, keep_going, &exit_status] {
    if (file->empty() || *file == "-") {
      exit_status = run_requests(*data, std::cin, true, RunReport{*quiet, *keep_going});
      return;
    }
    std::ifstream input(*file);
    if (!input) {
      exit_status = fail(Status::error(ErrorCode::io_error, "cannot read '" + *file + "'"));
      return;
    }
    exit_status = run_requests(*data, input, false, RunReport{*quiet, *keep_going});
  });
}

void add_read_commands(CLI::App* fund, int& exit_status) {
  auto add_read = [&](const char* name, const char* help, bool needs_member, bool needs_claim,
                      auto read, auto print) {
    auto options = std::make_shared<ReadOptions>();
    auto* command = fund->add_subcommand(name, help);
    command->add_option("--data", options->data, "store directory")->required();
    command->add_flag("--json", options->as_json, "JSON for scripts");
    if (needs_claim)
      command->add_option("--claim", options->claim, "claim id")->required();
    else
      command->add_option("--year", options->year, "fund year, e.g. 2023")->required();
    if (needs_member) command->add_option("--member", options->member, "member id")->required();
    command->callback([options, read, print, &exit_status] {
      exit_status = run_read(
          options->data, options->as_json,
          [&](const Fund& f) -> Result<json::object> {
            auto view = read(f, *options);
            if (!view.is_ok()) return view.status();
            return to_json(view.value());  // the table printers read the API's JSON
          },
          print);
    });
  };
  add_read(
      "report", "the fund report for a year", false, false,
      [](const Fund& f, const ReadOptions& o) { return f.fund_report(o.year); }, print_report);
  add_read(
      "statement", "a member's statement for a year", true, false,
      [](const Fund& f, const ReadOptions& o) { return f.member_statement(o.member, o.year); },
      print_statement);
  add_read(
      "warnings", "the early-warning report (rule 4)", false, false,
      [](const Fund& f, const ReadOptions& o) { return f.early_warnings(o.year); },
      [](const json::object& o) { std::cout << json::serialize(o) << "\n"; });
  add_read(
      "claim", "one claim with its decisions", false, true,
      [](const Fund& f, const ReadOptions& o) { return f.claim(o.claim); },
      [](const json::object& o) { std::cout << json::serialize(o) << "\n"; });
  add_read(
      "pending", "claims of a year awaiting an administrator (one per line)", false, false,
      [](const Fund& f, const ReadOptions& o) { return f.pending_claims(o.year); },
      [](const json::object& o) {
        for (const auto& claim : o.at("claims").as_array())
          std::cout << json::serialize(claim) << "\n";
      });
}

void add_synthesize_command(CLI::App* fund, int& exit_status) {
  auto options = std::make_shared<SyntheticYearOptions>();
  auto* command =
      fund->add_subcommand("synthesize", "print request lines for a realistic synthetic fund year");
  command->add_option("--members", options->members, "number of consortia")
      ->check(CLI::Range(2, 1000));
  command->add_option("--year", options->year, "fund year")->check(CLI::Range(2000, 2200));
  command->add_option("--seed", options->seed, "random seed");
  command->add_option("--phase", options->phase, "setup | filing | closing | members")
      ->check(CLI::IsMember({"setup", "filing", "closing", "members"}));
  command->add_flag("--no-schedule", options->without_schedule,
                    "setup without the flat 0.8% schedule and receipts (price it instead)");
  command
      ->add_option("--specific-claims", options->specific_claims,
                   "filing: exactly N specific claims, one per patient (default: drawn)")
      ->check(CLI::Range(0, 10'000'000));
  command->add_flag("--continuing", options->continuing,
                    "a later year of the same fund: members already registered, and nothing "
                    "earlier than the close of year - 1 (its --phase closing)");
  command->callback([options, &exit_status] {
    write_synthetic_year(*options, std::cout);
    exit_status = exit_code::ok;
  });
}

}  // namespace

void add_fund_commands(CLI::App& app, int& exit_status) {
  auto* fund =
      app.add_subcommand("fund", "the fund's commands and reports on an embedded store (offline)");
  fund->require_subcommand(1);
  add_run_command(fund, exit_status);
  add_read_commands(fund, exit_status);
  add_synthesize_command(fund, exit_status);
}

}  // namespace backstop
