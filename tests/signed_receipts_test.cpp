// Signed receipts: every write's receipt carries the chain head its group was committed
// under, signed by backstopd's head key, so that history cannot be shortened or rewritten
// unseen. A real daemon over TLS hands out the receipts; the store is then truncated or
// rewritten through RocksDB's own API, as someone with the disk could, and `ledger verify
// --receipts` and `member check-receipts` must tell.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "fund/receipt_json.hpp"
#include "tests/daemon_fixture.hpp"
#include "tests/store_truncate.hpp"

using namespace backstop;
using namespace backstop::testing;
namespace json = boost::json;

namespace {

constexpr int year = 2026;

// Writes request lines to a file and sends them with `backstop <role> run`, saving receipts.
void run_lines(const Daemon& daemon, const std::string& role, const std::string& as,
               const std::vector<json::object>& lines, const std::string& receipts) {
  static int file_number = 0;
  const std::string file =
      daemon.directory.path() + "/lines-" + std::to_string(++file_number) + ".jsonl";
  {
    std::ofstream out(file);
    for (const auto& line : lines) out << json::serialize(line) << "\n";
  }
  const auto sent =
      Daemon::cli(role + " run --pki " + daemon.pki + " --as " + as + " --port " +
                  std::to_string(daemon.port) + " --file " + file + " --receipts-out " + receipts);
  INFO(sent.output);
  REQUIRE(sent.exit_status == 0);
}

json::object admin_line(const std::string& key, json::object command) {
  return {{"key", key}, {"command", std::move(command)}};
}

// Two members in an open year, contributions paid: nine entries.
void set_up_fund(const Daemon& daemon, const std::string& receipts) {
  run_lines(daemon, "admin", "admin-alice",
            {admin_line("r1", {{"type", "register_member"},
                               {"member", "05A"},
                               {"name", "North"},
                               {"population", 250'000}}),
             admin_line("r2", {{"type", "register_member"},
                               {"member", "07B"},
                               {"name", "South"},
                               {"population", 610'000}}),
             admin_line("y1", {{"type", "create_year"},
                               {"year", year},
                               {"parameters", {{"review_sample", "0"}}}}),
             admin_line("a1", {{"type", "set_allocation"},
                               {"year", year},
                               {"member", "05A"},
                               {"allocation", "300000000.00"}}),
             admin_line("a2", {{"type", "set_allocation"},
                               {"year", year},
                               {"member", "07B"},
                               {"allocation", "732000000.00"}}),
             admin_line("o1", {{"type", "open_year"}, {"year", year}})},
            receipts);
}

// A member's request line filing a specific claim for `patient`.
json::object claim_line(const std::string& member, const std::string& patient) {
  return {{"key", "claim-" + patient},
          {"command",
           {{"type", "file_specific_claim"},
            {"member", member},
            {"year", year},
            {"patient", patient},
            {"episode", "E1"},
            {"kind", "final"},
            {"cumulative_cost", "300000.00"},
            {"evidence", true}}}};
}

std::vector<json::object> read_receipts(const std::string& file) {
  std::vector<json::object> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line).as_object());
  return out;
}

void write_receipts(const std::string& file, const std::vector<json::object>& receipts) {
  std::ofstream out(file);
  for (const auto& receipt : receipts) out << json::serialize(receipt) << "\n";
}

std::string verify_with(const Daemon& daemon, const std::string& receipts) {
  return "ledger verify --data " + daemon.directory.path() + "/store --receipts " + receipts +
         " --public-key " + daemon.pki + "/server.head.pub";
}

std::string check_receipts(const Daemon& daemon, const std::string& receipts) {
  return "member check-receipts --pki " + daemon.pki + " --as member-05A --port " +
         std::to_string(daemon.port) + " " + receipts;
}

std::string store(const Daemon& daemon) { return daemon.directory.path() + "/store"; }

}  // namespace

TEST_CASE("receipts: a write's receipt carries its entry and a signed head that verifies") {
  Daemon daemon;
  const std::string receipts = daemon.directory.path() + "/receipts.jsonl";
  set_up_fund(daemon, receipts);
  const auto saved = read_receipts(receipts);
  REQUIRE(saved.size() == 6);
  auto key = HeadPublicKey::from_pem([&] {
    std::ifstream in(daemon.pki + "/server.head.pub");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }());
  REQUIRE(key.is_ok());
  for (std::size_t i = 0; i < saved.size(); ++i) {
    auto held = held_receipt_from_json(saved[i]);
    INFO(json::serialize(saved[i]));
    REQUIRE(held.is_ok());
    CHECK(held.value().sequence == i + 1);
    CHECK(held.value().head.sequence >= held.value().sequence);
    CHECK(key.value().verifies(held.value().head));
    SignedHead forged = held.value().head;
    forged.sequence += 1;
    CHECK_FALSE(key.value().verifies(forged));
  }
  // The head the daemon publishes is signed by the same key, and so is the administrators'.
  auto head = daemon.curl("member-07B", "GET", "/v1/head");
  REQUIRE(head.status == 200);
  auto published = signed_head_from_json(json::parse(head.body).at("head"));
  REQUIRE(published.is_ok());
  CHECK(published.value().sequence == 6);
  CHECK(key.value().verifies(published.value()));
  auto admin_head = json::parse(daemon.curl("admin-alice", "GET", "/v1/admin/ledger/head").body);
  CHECK(signed_head_from_json(admin_head.at("head")).value() == published.value());

  // A retry returns the same entry and hash (200, replayed), under a head that verifies.
  auto again =
      daemon.curl("admin-alice", "POST", "/v1/admin/commands",
                  json::serialize(json::object{{"type", "open_year"}, {"year", year}}), "o1");
  REQUIRE(again.status == 200);
  auto retried = held_receipt_from_json(json::parse(again.body));
  REQUIRE(retried.is_ok());
  CHECK(retried.value().sequence == 6);
  CHECK(to_hex(retried.value().hash) == std::string(saved[5].at("hash").as_string()));
  CHECK(key.value().verifies(retried.value().head));
  // `admin command` saves the receipt it prints, with the key it was made under.
  const std::string one = daemon.directory.path() + "/one.jsonl";
  const auto sent = Daemon::cli("admin command --pki " + daemon.pki + " --as admin-alice --port " +
                                std::to_string(daemon.port) +
                                " --command '{\"type\":\"open_year\",\"year\":2026}' "
                                "--idempotency-key o1 --receipts-out " +
                                one);
  INFO(sent.output);
  REQUIRE(sent.exit_status == 0);
  const auto single = read_receipts(one);
  REQUIRE(single.size() == 1);
  CHECK(single[0].at("idempotency_key") == "o1");
  CHECK(single[0].at("hash") == saved[5].at("hash"));
  CHECK(single[0].at("replayed") == true);

  daemon.stop(SIGTERM);
  const auto verified = Daemon::cli(verify_with(daemon, receipts));
  INFO(verified.output);
  CHECK(verified.exit_status == 0);
  CHECK(verified.output.find("receipts hold: 6") != std::string::npos);
}

TEST_CASE(
    "receipts: a store truncated through RocksDB passes plain verify, not verify --receipts") {
  Daemon daemon;
  const std::string receipts = daemon.directory.path() + "/receipts.jsonl";
  set_up_fund(daemon, receipts);
  run_lines(daemon, "member", "member-05A", {claim_line("05A", "p1"), claim_line("05A", "p2")},
            receipts);
  daemon.stop(SIGTERM);
  REQUIRE(Daemon::cli(verify_with(daemon, receipts)).exit_status == 0);

  truncate_journal(store(daemon), 6);  // the two claims are gone
  const auto plain = Daemon::cli("ledger verify --data " + store(daemon));
  INFO(plain.output);
  CHECK(plain.exit_status == 0);  // the store alone cannot tell
  const auto checked = Daemon::cli(verify_with(daemon, receipts));
  INFO(checked.output);
  CHECK(checked.exit_status == 3);
  CHECK(checked.output.find("receipts.jsonl:7 (transaction 7)") != std::string::npos);
  CHECK(checked.output.find("truncated") != std::string::npos);
  // The receipts from before the cut still hold on their own.
  const auto kept = read_receipts(receipts);
  const std::string early = daemon.directory.path() + "/early.jsonl";
  write_receipts(early, {kept.begin(), kept.begin() + 6});
  CHECK(Daemon::cli(verify_with(daemon, early)).exit_status == 0);
}

TEST_CASE("receipts: history rewritten after a cut fails verify --receipts, naming the receipt") {
  Daemon daemon;
  const std::string receipts = daemon.directory.path() + "/receipts.jsonl";
  set_up_fund(daemon, receipts);
  run_lines(daemon, "member", "member-05A", {claim_line("05A", "p1")}, receipts);
  daemon.stop(SIGTERM);
  truncate_journal(store(daemon), 6);
  daemon.start();  // another claim takes transaction 7's place
  run_lines(daemon, "member", "member-07B", {claim_line("07B", "q1")},
            daemon.directory.path() + "/other.jsonl");
  daemon.stop(SIGTERM);
  REQUIRE(Daemon::cli("ledger verify --data " + store(daemon)).exit_status == 0);
  const auto checked = Daemon::cli(verify_with(daemon, receipts));
  INFO(checked.output);
  CHECK(checked.exit_status == 3);
  CHECK(checked.output.find("receipts.jsonl:7 (transaction 7)") != std::string::npos);
  CHECK(checked.output.find("rewritten") != std::string::npos);
}

TEST_CASE("receipts: a forged or altered receipt fails verify --receipts as a bad receipt") {
  Daemon daemon;
  const std::string receipts = daemon.directory.path() + "/receipts.jsonl";
  set_up_fund(daemon, receipts);
  daemon.stop(SIGTERM);
  auto saved = read_receipts(receipts);
  const std::string forged = daemon.directory.path() + "/forged.jsonl";

  SECTION("a signature changed in one digit") {
    std::string signature(saved[2].at("head").at("signature").as_string());
    signature[10] = signature[10] == '0' ? '1' : '0';
    saved[2]["head"].as_object()["signature"] = signature;
    write_receipts(forged, saved);
    const auto checked = Daemon::cli(verify_with(daemon, forged));
    INFO(checked.output);
    CHECK(checked.exit_status == 1);
    CHECK(checked.output.find("forged.jsonl:3 (transaction 3)") != std::string::npos);
    CHECK(checked.output.find("does not verify") != std::string::npos);
  }
  SECTION("a signed head moved to a sequence it was not signed for") {
    saved[2]["head"].as_object()["sequence"] = 5;
    write_receipts(forged, saved);
    const auto checked = Daemon::cli(verify_with(daemon, forged));
    INFO(checked.output);
    CHECK(checked.exit_status == 1);
    CHECK(checked.output.find("does not verify") != std::string::npos);
  }
  SECTION("the entry's hash changed under a genuine head") {
    std::string hash(saved[2].at("hash").as_string());
    hash[0] = hash[0] == '0' ? '1' : '0';
    saved[2]["hash"] = hash;
    write_receipts(forged, saved);
    const auto checked = Daemon::cli(verify_with(daemon, forged));
    INFO(checked.output);
    CHECK(checked.exit_status == 1);
    CHECK(checked.output.find("the receipt was altered") != std::string::npos);
  }
  SECTION("signed by another key") {
    REQUIRE(Daemon::cli("pki issue --dir " + daemon.pki + " --name other --server").exit_status ==
            0);
    const auto checked = Daemon::cli("ledger verify --data " + store(daemon) + " --receipts " +
                                     receipts + " --public-key " + daemon.pki + "/other.head.pub");
    INFO(checked.output);
    CHECK(checked.exit_status == 1);
    CHECK(checked.output.find("not among the public keys given") != std::string::npos);
  }
}

TEST_CASE("receipts: check-receipts holds on an honest daemon, fails on one over a cut store") {
  Daemon daemon;
  const std::string receipts = daemon.directory.path() + "/receipts.jsonl";
  set_up_fund(daemon, daemon.directory.path() + "/admin.jsonl");
  run_lines(daemon, "member", "member-05A", {claim_line("05A", "p1"), claim_line("05A", "p2")},
            receipts);
  run_lines(daemon, "member", "member-07B", {claim_line("07B", "q1")},
            daemon.directory.path() + "/other.jsonl");
  const auto honest = Daemon::cli(check_receipts(daemon, receipts));
  INFO(honest.output);
  CHECK(honest.exit_status == 0);
  CHECK(honest.output.find("receipts hold: 2") != std::string::npos);

  // A member may confirm only a hash it holds: another's entry is not shown to it.
  const auto own = read_receipts(receipts);
  const std::string own_hash(own[0].at("hash").as_string());
  CHECK(daemon.curl("member-07B", "GET", "/v1/journal/7").status == 403);
  CHECK(daemon.curl("member-07B", "GET", "/v1/journal/7?hash=" + std::string(64, '0')).status ==
        404);
  CHECK(daemon.curl("member-05A", "GET", "/v1/journal/7?hash=" + own_hash).status == 200);
  CHECK(daemon.curl("admin-alice", "GET", "/v1/journal/7").status == 200);

  daemon.stop(SIGTERM);
  truncate_journal(store(daemon), 7);  // 05A's second claim and 07B's go
  REQUIRE(Daemon::cli("ledger verify --data " + store(daemon)).exit_status == 0);
  daemon.start();
  const auto cut = Daemon::cli(check_receipts(daemon, receipts));
  INFO(cut.output);
  CHECK(cut.exit_status == 3);
  CHECK(cut.output.find("receipts.jsonl:2 (transaction 8)") != std::string::npos);
  CHECK(cut.output.find("truncated") != std::string::npos);
}
