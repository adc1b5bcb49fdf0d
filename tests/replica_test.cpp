// A standby replica end to end: real daemons over mutual TLS on loopback, real RocksDB. A
// replica started empty catches up with a leader under write load, agrees with it, verifies,
// refuses writes and reports its lag; promoted, it continues the same chain; pointed at a
// leader whose history differs, it stops following and keeps serving what it verified.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "daemon/journal_stream.hpp"
#include "tests/daemon_fixture.hpp"

using namespace backstop;
using namespace backstop::testing;
namespace json = boost::json;

namespace {

constexpr int year = 2026;
int next_key = 0;
std::string key() { return "r-" + std::to_string(++next_key); }

HttpResult admin(const Daemon& daemon, const json::object& command) {
  return daemon.curl("admin-alice", "POST", "/v1/admin/commands", json::serialize(command), key());
}

// Two members with allocations in an open year; `name` tells one leader's history from another's.
void set_up_fund(const Daemon& daemon, const std::string& name = "North") {
  for (const json::object& command : std::vector<json::object>{
           {{"type", "register_member"},
            {"member", "05A"},
            {"name", name},
            {"population", 250'000}},
           {{"type", "register_member"},
            {"member", "07B"},
            {"name", "South"},
            {"population", 610'000}},
           {{"type", "create_year"}, {"year", year}, {"parameters", {{"review_sample", "0"}}}},
           {{"type", "set_allocation"},
            {"year", year},
            {"member", "05A"},
            {"allocation", "300000000.00"}},
           {{"type", "set_allocation"},
            {"year", year},
            {"member", "07B"},
            {"allocation", "732000000.00"}},
           {{"type", "open_year"}, {"year", year}}}) {
    INFO(json::serialize(command));
    REQUIRE(admin(daemon, command).status == 201);
  }
}

// Files `count` claims, alternating between the two members, over one connection.
void file_claims(const Daemon& leader, const std::string& tag, int count) {
  const std::string file = leader.directory.path() + "/claims-" + tag + ".jsonl";
  {
    std::ofstream out(file);
    for (int i = 0; i < count; ++i) {
      const json::object command{{"type", "file_specific_claim"},
                                 {"year", year},
                                 {"member", i % 2 ? "07B" : "05A"},
                                 {"patient", tag + "-" + std::to_string(i)},
                                 {"episode", "E1"},
                                 {"kind", "final"},
                                 {"cumulative_cost", "300000.00"},
                                 {"evidence", true}};
      out << json::serialize(
                 json::object{{"key", tag + "-" + std::to_string(i)}, {"command", command}})
          << "\n";
    }
  }
  const auto sent = Daemon::cli("admin run --pki " + leader.pki + " --as admin-alice --port " +
                                std::to_string(leader.port) + " --file " + file);
  INFO(sent.output);
  REQUIRE(sent.exit_status == 0);
}

// Turns `replica` (a daemon with its own PKI, for its own clients) into a replica of `leader`
// with an empty store, reading the stream with the leader's replica certificate.
void follow(Daemon& replica, const Daemon& leader) {
  replica.stop(SIGTERM);
  std::filesystem::remove_all(replica.directory.path() + "/store");
  REQUIRE(Daemon::cli("pki issue --dir " + leader.pki +
                      " --name replica-1 --uri backstop:replica:standby-1")
              .exit_status == 0);
  std::ofstream(replica.directory.path() + "/backstop.toml", std::ios::app)
      << "[follow]\nleader = \"127.0.0.1\"\nport_file = \"" << leader.directory.path()
      << "/port\"\ncertificate = \"" << leader.pki << "/replica-1.pem\"\nprivate_key = \""
      << leader.pki << "/replica-1.key\"\nca = \"" << leader.pki << "/ca.pem\"\n"
      << "wait_seconds = 2\npage_entries = 64\n";
  replica.mode = "--follow";
  replica.start();
}

json::object readiness(const Daemon& daemon) {
  const auto ready = daemon.curl("admin-alice", "GET", "/readyz");
  REQUIRE(ready.status == 200);
  return json::parse(ready.body).as_object();
}

// Waits (bounded) until `replica` holds the leader's head.
void wait_until_caught_up(const Daemon& replica, const Daemon& leader) {
  const std::string head = leader.chain_head();
  for (int i = 0; i < 400 && replica.chain_head() != head; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(replica.chain_head() == head);
}

std::uint64_t sequence_of(const std::string& head) {
  return json::value_to<std::uint64_t>(json::parse(head).at("sequence"));
}

}  // namespace

TEST_CASE("replica: started empty, it catches up under load, agrees, verifies and refuses writes") {
  Daemon leader;
  set_up_fund(leader);
  file_claims(leader, "before", 40);
  Daemon replica;
  follow(replica, leader);
  std::thread load([&] { file_claims(leader, "during", 300); });
  load.join();
  wait_until_caught_up(replica, leader);

  // Reads agree: a member's statement and claims, a claim, the head.
  for (const std::string path :
       {"/v1/members/05A/years/2026/statement", "/v1/members/07B/years/2026/claims"}) {
    INFO(path);
    const auto ours = replica.curl("admin-alice", "GET", path);
    CHECK(ours.status == 200);
    CHECK(ours.body == leader.curl("admin-alice", "GET", path).body);
  }
  const auto claims =
      json::parse(leader.curl("admin-alice", "GET", "/v1/members/05A/years/2026/claims").body);
  const std::string claim(claims.at("claims").as_array().at(7).at("claim").as_string());
  CHECK(replica.curl("member-05A", "GET", "/v1/claims/" + claim).body ==
        leader.curl("member-05A", "GET", "/v1/claims/" + claim).body);

  // Writes are refused, naming the leader; nothing changes.
  const std::string head = replica.chain_head();
  const auto refused = admin(replica, {{"type", "open_year"}, {"year", year}});
  CHECK(refused.status == 503);
  CHECK(refused.body.find("read_only_replica") != std::string::npos);
  CHECK(refused.body.find(leader.directory.path() + "/port") != std::string::npos);
  CHECK(replica.curl("member-05A", "POST", "/v1/members/05A/specific-claims", "{}", key()).status ==
        503);
  CHECK(replica.chain_head() == head);

  // Its lag is reported.
  const auto ready = readiness(replica).at("replica").as_object();
  CHECK(ready.at("following").as_bool());
  CHECK(ready.at("lag_entries").as_int64() == 0);
  const auto metrics = replica.curl("admin-alice", "GET", "/metrics").body;
  CHECK(metrics.find("backstop_replica_following 1\n") != std::string::npos);
  CHECK(metrics.find("backstop_replica_lag_entries 0\n") != std::string::npos);
  CHECK(metrics.find("backstop_replica_lag_seconds ") != std::string::npos);

  // The store it wrote verifies on its own.
  replica.stop(SIGTERM);
  const auto verified = Daemon::cli("ledger verify --data " + replica.directory.path() + "/store");
  INFO(verified.output);
  CHECK(verified.exit_status == 0);
}

TEST_CASE("replica: the journal stream is for administrators and replicas, in whole pages") {
  Daemon leader;
  set_up_fund(leader);
  REQUIRE(Daemon::cli("pki issue --dir " + leader.pki +
                      " --name replica-1 --uri backstop:replica:standby-1")
              .exit_status == 0);
  const auto page = leader.curl("replica-1", "GET", "/v1/admin/journal?after=2&limit=3");
  REQUIRE(page.status == 200);
  const auto parsed = daemon::journal_page_from_json(page.body);
  REQUIRE(parsed.is_ok());
  CHECK(parsed.value().records.size() == 3);
  CHECK(parsed.value().head == 6);
  CHECK(json::parse(page.body).at("more").as_bool());
  // A replica reads the stream and the head, nothing else; members read no stream.
  CHECK(leader.curl("member-05A", "GET", "/v1/admin/journal?after=0").status == 403);
  CHECK(leader.curl("replica-1", "GET", "/v1/admin/ledger/head").status == 200);
  CHECK(leader.curl("replica-1", "GET", "/v1/members/05A/years/2026/statement").status == 403);
  CHECK(leader.curl("replica-1", "POST", "/v1/admin/commands", "{\"type\":\"open_year\"}", key())
            .status == 403);
  CHECK(leader.curl("admin-alice", "GET", "/v1/admin/journal?limit=3").status == 400);
  CHECK(leader.curl("admin-alice", "GET", "/v1/admin/journal?after=0&wait=31").status == 400);
  // Past the head, a long poll answers (empty) once its wait is over.
  const auto waited = leader.curl("admin-alice", "GET", "/v1/admin/journal?after=6&wait=1");
  REQUIRE(waited.status == 200);
  CHECK(json::parse(waited.body).at("entries").as_array().empty());

  // A page changed on the way is refused whole: a record altered, or entries swapped.
  json::value altered = json::parse(page.body);
  auto& record = altered.at("entries").as_array().at(1).as_object()["record"].as_string();
  record[20] = record[20] == 'A' ? 'B' : 'A';
  CHECK_FALSE(daemon::journal_page_from_json(json::serialize(altered)).is_ok());
  json::value swapped = json::parse(page.body);
  auto& entries = swapped.at("entries").as_array();
  std::swap(entries[0], entries[1]);
  CHECK_FALSE(daemon::journal_page_from_json(json::serialize(swapped)).is_ok());
}

TEST_CASE("replica: promoted after its leader is stopped, it takes writes on the same chain") {
  Daemon leader;
  set_up_fund(leader);
  Daemon replica;
  follow(replica, leader);
  file_claims(leader, "p", 30);
  wait_until_caught_up(replica, leader);
  const std::uint64_t held = sequence_of(replica.chain_head());
  leader.stop(SIGTERM);  // fence the old leader first

  CHECK(replica.curl("member-05A", "POST", "/v1/admin/promote").status == 403);
  const auto promoted = replica.curl("admin-alice", "POST", "/v1/admin/promote");
  INFO(promoted.body);
  REQUIRE(promoted.status == 200);
  CHECK(json::value_to<std::uint64_t>(json::parse(promoted.body).at("sequence")) == held);
  CHECK(replica.curl("admin-alice", "POST", "/v1/admin/promote").status == 409);
  CHECK_FALSE(readiness(replica).contains("replica"));

  const auto written = admin(
      replica,
      {{"type", "register_member"}, {"member", "09C"}, {"name", "East"}, {"population", 100'000}});
  INFO(written.body);
  REQUIRE(written.status == 201);
  CHECK(json::value_to<std::uint64_t>(json::parse(written.body).at("sequence")) == held + 1);
  replica.stop(SIGTERM);
  CHECK(Daemon::cli("ledger verify --data " + replica.directory.path() + "/store").exit_status ==
        0);
}

TEST_CASE(
    "replica: a leader whose history differs is not followed, and what was verified is served") {
  Daemon first;
  set_up_fund(first);
  Daemon replica;
  follow(replica, first);
  wait_until_caught_up(replica, first);
  const std::string held = replica.chain_head();
  replica.stop(SIGTERM);
  first.stop(SIGTERM);

  Daemon other;  // another journal: the same commands, another name and time
  set_up_fund(other, "Elsewhere");
  file_claims(other, "o", 4);
  // Point the replica at it (the leader's certificates are in its [follow] table).
  {
    std::ifstream in(replica.directory.path() + "/backstop.toml");
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t at; (at = config.find(first.directory.path())) != std::string::npos;)
      config.replace(at, first.directory.path().size(), other.directory.path());
    std::ofstream(replica.directory.path() + "/backstop.toml") << config;
  }
  REQUIRE(Daemon::cli("pki issue --dir " + other.pki +
                      " --name replica-1 --uri backstop:replica:standby-1")
              .exit_status == 0);
  replica.start();
  json::object status;
  for (int i = 0; i < 200; ++i) {
    status = readiness(replica).at("replica").as_object();
    if (!status.at("following").as_bool()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(json::serialize(status));
  REQUIRE_FALSE(status.at("following").as_bool());
  CHECK(std::string(status.at("stopped").as_string()).find("hash") != std::string::npos);
  CHECK(
      replica.curl("admin-alice", "GET", "/metrics").body.find("backstop_replica_following 0\n") !=
      std::string::npos);
  CHECK(replica.chain_head() == held);
  CHECK(replica.curl("admin-alice", "GET", "/v1/members/05A/years/2026/statement").status == 200);
  CHECK(admin(replica, {{"type", "open_year"}, {"year", year}}).status == 503);
}
