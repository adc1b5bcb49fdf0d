// The `backstop ledger` CLI end to end on a real RocksDB store: exit codes, verify,
// and the hledger export checked by Debian's hledger itself.
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>

#include "ledger/encoding.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/shell.hpp"
#include "tests/store_tamper.hpp"

using namespace backstop::testing;

namespace {

using Run = CommandOutput;
Run run(const std::string& command) { return shell(command); }

std::string cli(const std::string& arguments) {
  return std::string(BACKSTOP_CLI) + " " + arguments;
}

// A store with a fund, two members and a few movements, including a reversal.
void build_books(const std::string& data) {
  const std::string d = "--data " + data + " --actor alice ";
  int t = 1'680'307'200;  // 2023-04-01
  auto at = [&] { return " --time " + std::to_string(t++); };
  for (const auto& [key, id, type, owner] :
       std::vector<std::array<std::string, 4>>{{"o1", "fund:bank", "asset", "fund"},
                                               {"o2", "fund:reserve", "equity", "fund"},
                                               {"o3", "fund:contributions", "income", "fund"},
                                               {"o4", "fund:recoveries", "expense", "fund"},
                                               {"o5", "member:05A:receivable", "asset", "05A"},
                                               {"o6", "member:07B:payable", "liability", "07B"}}) {
    REQUIRE(run(cli("ledger open-account " + d + "--key " + key + " --id " + id + " --type " +
                    type + " --owner " + owner + at()))
                .exit_status == 0);
  }
  const std::vector<std::string> posts = {
      "--key p1 --reason 'opening reserve' --posting fund:bank=£5,000,000.00 --posting "
      "fund:reserve=-5000000",
      "--key p2 --reason 'contribution due' --fund-year 2023 --posting "
      "member:05A:receivable=123456.78 --posting fund:contributions=-123456.78",
      "--key p3 --reason 'receipt' --fund-year 2023 --ref 'BACS;42' --posting fund:bank=100000 "
      "--posting member:05A:receivable=-100000",
      "--key p4 --reason 'claim approved' --fund-year 2023 --posting fund:recoveries=250000.01 "
      "--posting member:07B:payable=-250000.01",
      "--key p5 --reason 'claim paid' --fund-year 2023 --posting member:07B:payable=200000 "
      "--posting fund:bank=-200000",
  };
  for (const auto& post : posts)
    REQUIRE(run(cli("ledger post " + d + post + at())).exit_status == 0);
  REQUIRE(run(cli("ledger reverse " + d + "--key r1 --reason 'paid twice' --sequence 11" + at()))
              .exit_status == 0);
}

std::map<std::string, std::string> our_balances(const std::string& data) {
  auto listed = run(cli("ledger balances --json --data " + data));
  REQUIRE(listed.exit_status == 0);
  std::map<std::string, std::string> out;
  const boost::json::value parsed = boost::json::parse(listed.output);
  for (const auto& row : parsed.as_array()) {
    const auto& object = row.as_object();
    const std::string type(object.at("type").as_string());
    const std::string top = type == "asset"       ? "assets"
                            : type == "liability" ? "liabilities"
                            : type == "income"    ? "revenues"
                            : type == "expense"   ? "expenses"
                                                  : "equity";
    out[top + ":" + std::string(object.at("account").as_string())] =
        std::string(object.at("balance").as_string());
  }
  return out;
}

// hledger prints "£1000.50", "£-1000.50" or "0"; bring it to our plain form.
std::string plain_amount(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "\xC2\xA3") == 0) {
      ++i;
      continue;
    }
    if (text[i] != ',' && text[i] != '"') out += text[i];
  }
  return out == "0" ? "0.00" : out;
}

}  // namespace

TEST_CASE("cli: commands answer with stable exit codes and refusals change nothing") {
  TemporaryDirectory directory;
  const std::string data = directory.path() + "/store";
  build_books(data);
  const auto before = run(cli("ledger verify --json --data " + data));
  REQUIRE(before.exit_status == 0);

  const std::string d = "--data " + data + " --actor alice --time 1690000000 ";
  CHECK(run(cli("ledger post " + d + "--key p2 --posting fund:bank=1 --posting fund:reserve=-1"))
            .exit_status == 1);  // key reuse
  CHECK(run(cli("ledger post " + d + "--key x1 --posting fund:bank=1 --posting fund:reserve=-2"))
            .exit_status == 1);  // unbalanced
  CHECK(run(cli("ledger post " + d +
                "--key x2 --posting fund:bank=1.001 --posting fund:reserve=-1.001"))
            .exit_status == 1);
  CHECK(run(cli("ledger reverse " + d + "--key x3 --sequence 11")).exit_status ==
        1);  // reversed already
  CHECK(run(cli("ledger post " + d + "--posting fund:bank=1 --posting fund:reserve=-1"))
            .exit_status == 2);  // no key
  CHECK(run(cli("ledger frobnicate")).exit_status == 2);
  CHECK(run(cli("ledger verify --data " + directory.path() + "/missing")).exit_status == 4);

  const auto retry =
      run(cli("ledger post --data " + data +
              " --actor alice --time 1690000000 --key p2 --reason 'contribution due' "
              "--fund-year 2023 --posting member:05A:receivable=123456.78 --posting "
              "fund:contributions=-123456.78"));
  CHECK(retry.exit_status == 0);
  CHECK_THAT(retry.output, Catch::Contains("already recorded"));
  CHECK(run(cli("ledger verify --json --data " + data)).output ==
        before.output);  // same chain head
}

TEST_CASE("cli: the hledger export passes hledger's checks and gives our balances") {
  TemporaryDirectory directory;
  const std::string data = directory.path() + "/store";
  const std::string journal = directory.path() + "/fund.journal";
  build_books(data);
  REQUIRE(run(cli("ledger export --format hledger --data " + data + " --output " + journal))
              .exit_status == 0);

  // --strict: every account and commodity declared; the balance assertions re-check our sums.
  const auto checked = run("hledger -f " + journal + " check --strict");
  INFO(checked.output);
  REQUIRE(checked.exit_status == 0);

  const auto listed = run("hledger -f " + journal + " balance --flat --empty --no-total -O csv");
  REQUIRE(listed.exit_status == 0);
  std::map<std::string, std::string> theirs;
  std::istringstream lines(listed.output);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    const auto comma = line.find("\",\"");
    if (comma == std::string::npos) continue;
    theirs[line.substr(1, comma - 1)] = plain_amount(line.substr(comma + 3));
  }
  const auto ours = our_balances(data);
  CHECK(theirs == ours);
  CHECK(ours.at("assets:fund:bank") == "5100000.00");  // the £200,000 payment was reversed
}

TEST_CASE("cli: verify fails on a tampered store and names the first bad transaction") {
  TemporaryDirectory directory;
  const std::string data = directory.path() + "/store";
  build_books(data);
  tamper(data, "journal", backstop::encode_sequence_key(9),
         [](std::string& record) { record[40] ^= 0x01; });
  const auto verified = run(cli("ledger verify --data " + data));
  CHECK(verified.exit_status == 3);
  CHECK_THAT(verified.output, Catch::Contains("transaction 9"));
}

TEST_CASE(
    "cli: fund run applies request lines once, a retried file is harmless, and a bad line stops "
    "with nothing written") {
  TemporaryDirectory directory;
  const std::string data = directory.path() + "/store";
  const std::string setup = directory.path() + "/setup.jsonl";
  REQUIRE(run(cli("fund synthesize --members 5 --phase setup > " + setup)).exit_status == 0);
  const auto first = run(cli("fund run --quiet --data " + data + " --file " + setup));
  REQUIRE(first.exit_status == 0);
  CHECK_THAT(first.output, Catch::Contains("18 applied, 0 already recorded"));
  const auto head = run(cli("ledger verify --json --data " + data)).output;
  const auto again = run(cli("fund run --quiet --data " + data + " --file " + setup));
  CHECK_THAT(again.output, Catch::Contains("0 applied, 18 already recorded"));
  CHECK(run(cli("ledger verify --json --data " + data)).output == head);

  for (const std::string bad :
       {"not json", R"({"actor":"admin:alice","key":"b1","time":1900000000})",
        R"({"actor":"admin:alice","key":"b2","time":1900000000,"command":{"type":"no_such"}})",
        R"({"actor":"member:C001","key":"b3","time":1900000000,)"
        R"("command":{"type":"open_year","year":2023}})"}) {
    INFO(bad);
    const auto refused = run("echo '" + bad + "' | " + cli("fund run --data " + data));
    CHECK(refused.exit_status == 1);
    CHECK(run(cli("ledger verify --json --data " + data)).output == head);
  }
  const auto statement =
      run(cli("fund statement --json --data " + data + " --member C001 --year 2023"));
  REQUIRE(statement.exit_status == 0);
  const auto parsed = boost::json::parse(statement.output);
  CHECK(parsed.at("contribution").as_string() != "0.00");
}

TEST_CASE(
    "cli: admin confirm-payment takes exactly one of --member or --claim beside the "
    "connection options") {
  const std::string connection =
      " --port 1 --cert /nonexistent --key /nonexistent --ca /nonexistent";
  // One of the two with the connection options is a well-formed command line: it gets as far
  // as setting up TLS (and fails there, exit 1), not a usage error.
  CHECK(run(cli("admin confirm-payment" + connection + " --member M1")).exit_status == 1);
  CHECK(run(cli("admin confirm-payment" + connection + " --claim S1")).exit_status == 1);
  CHECK(run(cli("admin confirm-payment" + connection)).exit_status == 2);
  CHECK(run(cli("admin confirm-payment" + connection + " --member M1 --claim S1")).exit_status ==
        2);
}
