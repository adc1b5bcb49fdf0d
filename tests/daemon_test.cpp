// backstopd end to end: a real daemon on an ephemeral loopback port, real certificates,
// curl as the client. Access matrix, bad input, idempotency, restart after SIGKILL, and
// the OpenAPI document kept in step with the routes.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <set>

#include "daemon/api.hpp"
#include "daemon/config.hpp"
#include "daemon/writer_first_lock.hpp"
#include "tests/daemon_fixture.hpp"

using namespace backstop;
using namespace backstop::testing;
using backstop::daemon::api_routes;
namespace json = boost::json;

namespace {

constexpr int year = 2026;  // open now (the daemon stamps the real time)
int next_key = 0;
std::string key() { return "t-" + std::to_string(++next_key); }

void admin(const Daemon& daemon, const json::object& command) {
  auto result =
      daemon.curl("admin-alice", "POST", "/v1/admin/commands", json::serialize(command), key());
  INFO(json::serialize(command) << " -> " << result.body);
  REQUIRE(result.status == 201);
}

// Two members with allocations, contributions paid, in an open year.
void set_up_fund(const Daemon& daemon) {
  admin(
      daemon,
      {{"type", "register_member"}, {"member", "05A"}, {"name", "North"}, {"population", 250'000}});
  admin(
      daemon,
      {{"type", "register_member"}, {"member", "07B"}, {"name", "South"}, {"population", 610'000}});
  admin(daemon,
        {{"type", "create_year"}, {"year", year}, {"parameters", {{"review_sample", "0"}}}});
  admin(daemon, {{"type", "set_allocation"},
                 {"year", year},
                 {"member", "05A"},
                 {"allocation", "300000000.00"}});
  admin(daemon, {{"type", "set_allocation"},
                 {"year", year},
                 {"member", "07B"},
                 {"allocation", "732000000.00"}});
  admin(daemon, {{"type", "open_year"}, {"year", year}});
  admin(daemon, {{"type", "apply_rate_schedule"},
                 {"year", year},
                 {"rows", json::array{{{"member", "05A"}, {"contribution", "3000000.00"}},
                                      {{"member", "07B"}, {"contribution", "7320000.00"}}}}});
  admin(daemon,
        {{"type", "record_receipt"}, {"year", year}, {"member", "05A"}, {"amount", "3000000.00"}});
  admin(daemon,
        {{"type", "record_receipt"}, {"year", year}, {"member", "07B"}, {"amount", "7320000.00"}});
}

std::string claim_body(const std::string& patient, const char* cost = "300000.00") {
  return json::serialize(json::object{{"year", year},
                                      {"patient", patient},
                                      {"episode", "E1"},
                                      {"kind", "final"},
                                      {"cumulative_cost", cost},
                                      {"evidence", true}});
}

std::string file_claim(const Daemon& daemon, const std::string& as, const std::string& member,
                       const std::string& patient) {
  auto filed = daemon.curl(as, "POST", "/v1/members/" + member + "/specific-claims",
                           claim_body(patient), key());
  INFO(filed.body);
  REQUIRE(filed.status == 201);
  return std::string(json::parse(filed.body).at("result").at("claim").as_string());
}

}  // namespace

TEST_CASE("daemon: a waiting writer is let in before new readers, so reads cannot starve it") {
  daemon::WriterFirstLock lock;
  lock.lock_shared();  // a reader in
  std::atomic<bool> wrote = false;
  std::thread writer([&] {
    lock.lock();
    wrote = true;
    lock.unlock();
  });
  // Once the writer waits, a new reader is turned away (with a reader-first lock it never is).
  bool turned_away = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!turned_away && std::chrono::steady_clock::now() < give_up) {
    if (lock.try_lock_shared()) {
      lock.unlock_shared();
      std::this_thread::yield();
    } else {
      turned_away = true;
    }
  }
  CHECK_FALSE(wrote.load());
  lock.unlock_shared();
  writer.join();
  CHECK(turned_away);
  CHECK(wrote.load());
}

TEST_CASE("daemon: a member files and follows a claim with curl and its certificate") {
  Daemon daemon;
  set_up_fund(daemon);
  CHECK(daemon.curl("member-05A", "GET", "/healthz").status == 200);
  CHECK(daemon.curl("member-05A", "GET", "/readyz").status == 200);

  const std::string body = claim_body("p-0001", "610000.00");
  auto filed =
      daemon.curl("member-05A", "POST", "/v1/members/05A/specific-claims", body, "claim-1");
  REQUIRE(filed.status == 201);
  const auto receipt = json::parse(filed.body);
  CHECK(receipt.at("result").at("approved").as_string() == "324000.00");
  const std::string claim(receipt.at("result").at("claim").as_string());

  // A retry is harmless; the same key for something else is refused.
  auto retry =
      daemon.curl("member-05A", "POST", "/v1/members/05A/specific-claims", body, "claim-1");
  CHECK(retry.status == 200);
  CHECK(json::parse(retry.body).at("sequence") == receipt.at("sequence"));
  CHECK(json::parse(retry.body).at("replayed").as_bool());
  CHECK(daemon
            .curl("member-05A", "POST", "/v1/members/05A/specific-claims", claim_body("p-0002"),
                  "claim-1")
            .status == 422);

  CHECK(daemon.curl("member-05A", "GET", "/v1/claims/" + claim).status == 200);
  CHECK(daemon.curl("admin-bob", "GET", "/v1/claims/" + claim).status == 200);
  CHECK(daemon.curl("member-07B", "GET", "/v1/claims/" + claim).status == 404);
  auto statement = daemon.curl("member-05A", "GET", "/v1/members/05A/years/2026/statement");
  REQUIRE(statement.status == 200);
  CHECK(json::parse(statement.body).at("claims").as_array().size() == 1);
  CHECK(daemon.curl("admin-alice", "GET", "/v1/admin/years/2026/report").status == 200);

  // The thin CLI client reaches the same data.
  const std::string connection = " --pki " + daemon.pki + " --port " + std::to_string(daemon.port);
  auto listed =
      Daemon::cli("member claims --json --as member-05A --member 05A --year 2026" + connection);
  REQUIRE(listed.exit_status == 0);
  CHECK_THAT(listed.output, Catch::Contains(claim));
  CHECK(Daemon::cli("member claims --json --as member-07B --member 05A --year 2026" + connection)
            .exit_status == 1);
  auto metrics = daemon.curl("admin-alice", "GET", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("backstop_commit_groups_total"));
  // A certificate from our CA that names no valid principal gets through TLS but no further.
  auto unnamed = daemon.curl("unnamed", "GET", "/v1/claims/" + claim);
  CHECK(unnamed.status == 403);
  CHECK_THAT(unnamed.body, Catch::Contains("unknown_principal"));
  // SIGTERM is a clean stop.
  const int status = daemon.stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("daemon: with the simulated clock only an administrator may set the fund's time") {
  Daemon daemon("body_bytes_max = 65536\n[clock]\nsimulated = true\n");
  set_up_fund(daemon);
  const std::string year_2100 = "-H 'X-Backstop-Time: 4102444800'";
  auto moved = daemon.curl("member-05A", "POST", "/v1/members/05A/specific-claims",
                           claim_body("p-0001"), key(), year_2100);
  INFO(moved.body);
  CHECK(moved.status == 403);
  CHECK(json::parse(moved.body).at("error").at("code").as_string() == "time_not_allowed");
  // The fund's time has not moved: a claim filed now is still inside the year's deadline.
  auto filed = daemon.curl("member-05A", "POST", "/v1/members/05A/specific-claims",
                           claim_body("p-0002"), key());
  INFO(filed.body);
  REQUIRE(filed.status == 201);
  CHECK(json::parse(filed.body).at("result").at("status").as_string() == "approved");
}

TEST_CASE("daemon: limits on request rate, header size and connections are enforced") {
  Daemon daemon(
      "requests_per_second_per_principal = 5\nheader_bytes_max = 2048\nconnections_max = "
      "2\nidle_timeout_ms = 60000\n");
  // Twenty requests at once from one principal: the first burst passes, the rest get 429.
  std::map<int, int> statuses;
  for (int i = 0; i < 20; ++i)
    statuses[daemon.curl("member-05A", "GET", "/v1/claims/S1").status] += 1;
  CHECK(statuses[429] > 0);
  CHECK(statuses[404] > 0);
  CHECK(daemon.curl("member-07B", "GET", "/v1/claims/S1").status ==
        404);  // another principal has its own budget
  // An oversized header.
  CHECK(daemon
            .curl("member-07B", "GET", "/healthz", "", "",
                  "-H 'X-Padding: " + std::string(4096, 'p') + "'")
            .status == 431);
  // Two connections held open (TLS up, no request yet): a third is closed at once.
  const std::string hold = "bash -c 'sleep 3 | openssl s_client -quiet -connect 127.0.0.1:" +
                           std::to_string(daemon.port) + " -cert " + daemon.pki +
                           "/admin-bob.pem -key " + daemon.pki + "/admin-bob.key -CAfile " +
                           daemon.pki + "/ca.pem'";
  std::thread first([&] { shell(hold); });
  std::thread second([&] { shell(hold); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(daemon.curl("admin-alice", "GET", "/healthz").status == 0);
  first.join();
  second.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto metrics = daemon.curl("admin-alice", "GET", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("backstop_connections_refused_total 1"));
  CHECK_THAT(metrics.body, Catch::Contains("backstop_rate_limited_total"));
}

TEST_CASE("daemon: a client resuming its TLS session gets a full handshake, never an alert") {
  Daemon daemon;
  const std::string session = daemon.directory.path() + "/session.pem";
  const std::string connect =
      "printf 'GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close"
      "\\r\\n\\r\\n' | openssl s_client -connect 127.0.0.1:" +
      std::to_string(daemon.port) + " -cert " + daemon.pki + "/member-05A.pem -key " + daemon.pki +
      "/member-05A.key -CAfile " + daemon.pki + "/ca.pem -ign_eof 2>&1 ";
  // Each connection offers the session the last one left, if the daemon handed one out.
  for (int i = 0; i < 4; ++i) {
    const bool offered = std::filesystem::exists(session);
    const auto reply = shell(connect + (offered ? "-sess_in " : "-sess_out ") + session);
    INFO(reply.output);
    CHECK_THAT(reply.output, Catch::Contains("HTTP/1.1 200"));
    CHECK_THAT(reply.output, !Catch::Contains("alert"));
    CHECK_THAT(reply.output, !Catch::Contains("Reused"));  // a full handshake, CRL checked
  }
}

TEST_CASE("daemon: only administrators read /metrics, which tell of every member's traffic") {
  Daemon daemon;
  for (const char* member : {"member-05A", "member-07B"}) {
    const auto refused = daemon.curl(member, "GET", "/metrics");
    CHECK(refused.status == 403);
    CHECK(refused.body.find("backstop_requests_total") == std::string::npos);
  }
  const auto metrics = daemon.curl("admin-alice", "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("backstop_"));
}

TEST_CASE("daemon: a configuration value out of range is refused, never wrapped or taken") {
  TemporaryDirectory directory;
  const std::string base =
      "[store]\ndata = \"d\"\n[tls]\ncertificate = \"c.pem\"\nprivate_key = \"k\"\n"
      "ca = \"ca\"\n";
  const auto load = [&](const std::string& extra) {
    const std::string path = directory.path() + "/backstop.toml";
    std::ofstream(path) << base << extra;
    return backstop::daemon::load_config(path);
  };
  REQUIRE(load("").is_ok());
  for (const std::string bad : {
           "[limits]\nbody_bytes_max = -1\n",
           "[limits]\nheader_bytes_max = -5\n",
           "[limits]\nconnections_max = 18446744073709551615\n",  // not even an int64
           "[limits]\nrequests_per_second_per_principal = nan\n",
           "[limits]\nrequests_per_second_per_principal = inf\n",
           "[limits]\nread_timeout_ms = -1\n",
           "[limits]\ngroup_commit_max = 4294967297\n",
           "[limits]\nbody_bytes_max = \"65536\"\n",  // a string is not a number
           "[server]\nthreads = 4294967297\n",
           "[server]\nport = 70000\n",
           "[follow]\nwait_seconds = 4294967301\n",
       }) {
    INFO(bad);
    auto loaded = load(bad);
    CHECK_FALSE(loaded.is_ok());
  }
}

TEST_CASE("daemon: the access matrix refuses every wrong principal on every route") {
  Daemon daemon;
  set_up_fund(daemon);
  const std::string claim = file_claim(daemon, "member-05A", "05A", "p-matrix");
  const std::string head = daemon.chain_head();

  for (const auto& route : api_routes()) {
    const auto space = route.find(' ');
    const std::string method = route.substr(0, space);
    std::string path =
        std::regex_replace(route.substr(space + 1), std::regex("\\{member\\}"), "05A");
    path = std::regex_replace(path, std::regex("\\{year\\}"), std::to_string(year));
    path = std::regex_replace(path, std::regex("\\{claim\\}"), claim);
    path = std::regex_replace(path, std::regex("\\{sequence\\}"), "1");
    const std::string body = method == "POST" ? "{}" : "";
    INFO(route << " as " << path);
    // No certificate, an unknown CA, expired, revoked: the handshake fails, no HTTP at all.
    for (const std::string as : {"", "foreign", "expired", "member-revoked"}) {
      INFO("certificate: " << (as.empty() ? "none" : as));
      CHECK(daemon.curl(as, method, path, body, key()).status == 0);
    }
    if (route.find("/healthz") != std::string::npos || route.find("/readyz") != std::string::npos ||
        route.find("/metrics") != std::string::npos || route == "GET /v1/head") {
      continue;
    }
    // Another member's certificate never reaches 05A's data; a member never reaches admin routes.
    const auto other = daemon.curl("member-07B", method, path, body, key());
    CHECK((other.status == 403 || other.status == 404));
    if (route.find("/admin/") != std::string::npos)
      CHECK(daemon.curl("member-05A", method, path, body, key()).status == 403);
  }
  CHECK(daemon.chain_head() == head);
}

TEST_CASE("daemon: malformed requests get the right 4xx and change nothing") {
  Daemon daemon;
  set_up_fund(daemon);
  const std::string claim = file_claim(daemon, "member-05A", "05A", "p-existing");
  REQUIRE(daemon
              .curl("member-05A", "POST", "/v1/members/05A/specific-claims", claim_body("p-reused"),
                    "reused-key")
              .status == 201);
  const std::string head = daemon.chain_head();

  const std::string claims = "/v1/members/05A/specific-claims";
  const std::string commands = "/v1/admin/commands";
  auto claim_with = [](const std::string& field, const std::string& raw) {
    json::object base{{"year", year},
                      {"patient", "p-bad"},
                      {"episode", "E9"},
                      {"kind", "final"},
                      {"cumulative_cost", "300000.00"},
                      {"evidence", true}};
    std::string text = json::serialize(base);
    // Replace the field's value with raw JSON text (which may be anything).
    const std::regex pattern("\"" + field + "\":(\"[^\"]*\"|[^,}]*)");
    return std::regex_replace(text, pattern, "\"" + field + "\":" + raw);
  };
  struct Case {
    std::string as, method, path, body;
    int expected;
    bool with_key = true;
    std::string extra = "";
  };
  std::vector<Case> cases = {
      {"member-05A", "POST", claims, "not json", 400},
      {"member-05A", "POST", claims, "{", 400},
      {"member-05A", "POST", claims, "[1,2,3]", 400},
      {"member-05A", "POST", claims, "\"text\"", 400},
      {"member-05A", "POST", claims, "null", 400},
      {"member-05A", "POST", claims, "", 400},
      {"member-05A", "POST", claims, "{}", 400},
      {"member-05A", "POST", claims, claim_with("year", "\"2026\""), 400},
      {"member-05A", "POST", claims, claim_with("year", "2026.5"), 400},
      {"member-05A", "POST", claims, claim_with("year", "99999999999999999999999"), 400},
      {"member-05A", "POST", claims, claim_with("year", "-1"), 400},
      {"member-05A", "POST", claims, claim_with("year", "1999"), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "300000"), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "\"-5.00\""), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "\"300000.001\""), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "\"1e400\""), 400},
      {"member-05A", "POST", claims,
       claim_with("cumulative_cost", "\"99999999999999999999999999999999\""), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "\"NaN\""), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "\"\""), 400},
      {"member-05A", "POST", claims, claim_with("cumulative_cost", "true"), 400},
      {"member-05A", "POST", claims, claim_with("evidence", "\"yes\""), 400},
      {"member-05A", "POST", claims, claim_with("kind", "\"sometimes\""), 400},
      {"member-05A", "POST", claims, claim_with("kind", "42"), 400},
      {"member-05A", "POST", claims, claim_with("patient", "\"9434765919\""), 400},
      {"member-05A", "POST", claims, claim_with("patient", "\"943 476 5919\""), 400},
      {"member-05A", "POST", claims, claim_with("patient", "\"\""), 400},
      {"member-05A", "POST", claims, claim_with("patient", "\"" + std::string(300, 'x') + "\""),
       400},
      {"member-05A", "POST", claims, claim_with("episode", "{\"nested\":1}"), 400},
      {"member-05A", "POST", claims, claim_with("evidence", "true,\"colour\":\"red\""), 400},
      {"member-05A", "POST", claims, claim_with("evidence", "true,\"type\":\"open_year\""), 400},
      {"member-05A", "POST", claims, claim_with("evidence", "true,\"member\":\"07B\""), 400},
      {"member-05A", "POST", claims, claim_with("year", "2099"), 404},
      {"member-05A", "POST", claims, claim_body("p-no-key"), 400, false},
      {"member-05A", "POST", claims, claim_body("p-reused-other"),
       422},  // sent with "reused-key" below
      // A well-behaved client announces a large body and waits: the limit answers before it is
      // sent.
      {"member-05A", "POST", claims, "{\"year\":2026," + std::string(70'000, ' ') + "\"x\":1}", 413,
       true, "-H 'Expect: 100-continue'"},
      {"member-05A", "POST", "/v1/members/07B/specific-claims", claim_body("p-x"), 403},
      {"member-05A", "POST", "/v1/members/05A/returns", "{\"year\":2026,\"period\":13}", 400},
      {"member-05A", "POST", "/v1/members/05A/returns",
       "{\"year\":2026,\"period\":3,\"spend_to_date\":\"10.00\",\"forecast_outturn\":\"40.00\","
       "\"planned\":\"1.00\",\"unplanned\":\"1.00\"}",
       400},
      {"member-05A", "POST", "/v1/members/05A/aggregate-claims",
       "{\"year\":2026,\"outturn\":\"1.00\",\"planned\":\"0.00\"}", 409},
      {"member-05A", "POST", "/v1/claims/S999999/withdraw", "{}", 404},
      {"member-05A", "POST", "/v1/claims/" + claim + "/appeal", "{\"grounds\":\"x\"}", 409},
      {"member-05A", "POST", "/v1/claims/" + claim + "/appeal", "{}", 400},
      {"member-05A", "GET", "/v1/members/05A/years/abcd/statement", "", 400},
      {"member-05A", "GET", "/v1/members/05A/years/1999/statement", "", 400},
      {"member-05A", "GET", "/v1/nothing-here", "", 404},
      {"member-05A", "DELETE", claims, "", 405},
      {"member-05A", "GET", claims, "", 405},
      {"member-05A", "POST", commands, "{\"type\":\"open_year\",\"year\":2026}", 403},
      {"admin-alice", "POST", commands, "{\"year\":2026}", 400},
      {"admin-alice", "POST", commands, "{\"type\":\"no_such_command\"}", 400},
      // A rate beyond the fund's arithmetic: refused as overflow, never thrown.
      {"admin-alice", "POST", commands,
       "{\"type\":\"create_year\",\"year\":2031,\"parameters\":{\"corridor_b1\":"
       "\"999999999999999999999999999999999999\"}}",
       400},
      // A long unknown field name once crashed the daemon while its error was formatted.
      {"admin-alice", "POST", commands,
       "{\"type\":\"open_year\",\"year\":2026,\"" + std::string(30'000, 'k') + "\":1}", 400},
      {"admin-alice", "POST", commands, "{\"type\":\"register_member\"}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"register_member\",\"member\":\"09Z\",\"name\":\"Z\",\"population\":1.5}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"register_member\",\"member\":\"09Z\",\"name\":\"Z\",\"population\":-100}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"register_member\",\"member\":\"bad id!\",\"name\":\"Z\",\"population\":100}",
       400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"register_member\",\"member\":\"05A\",\"name\":\"again\",\"population\":100}",
       409},
      {"admin-alice", "POST", commands,
       "{\"type\":\"set_allocation\",\"year\":2026,\"member\":\"05A\",\"allocation\":\"1,00\"}",
       400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"record_receipt\",\"year\":2026,\"member\":\"05A\",\"amount\":\"0.01\"}", 409},
      {"admin-alice", "POST", commands,
       "{\"type\":\"create_year\",\"year\":2027,\"parameters\":{\"specific_share\":\"2\"}}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"create_year\",\"year\":2027,\"parameters\":{\"colour\":\"red\"}}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"create_year\",\"year\":2027,\"parameters\":[1]}", 400},
      {"admin-alice", "POST", commands,
       "{\"type\":\"decide_claim\",\"claim\":\"" + claim +
           "\",\"outcome\":\"approve\",\"reason_code\":\"R99\"}",
       400},
      {"admin-alice", "POST", commands, "{\"type\":\"close_year\",\"year\":2026}", 409},
  };
  int index = 0;
  for (const auto& c : cases) {
    INFO("case " << index << ": " << c.method << " " << c.path << " " << c.body.substr(0, 200));
    const std::string chosen_key = !c.with_key         ? ""
                                   : c.expected == 422 ? "reused-key"
                                                       : "bad-" + std::to_string(index);
    const auto result = daemon.curl(c.as, c.method, c.path, c.body, chosen_key, c.extra);
    CHECK(result.status == c.expected);
    if (result.status >= 400 && result.status != 413) {
      const auto error = json::parse(result.body);
      CHECK(error.at("error").at("code").is_string());
      CHECK(error.at("error").at("message").is_string());
    }
    ++index;
  }
  // A key of 200 characters is refused before anything else.
  CHECK(daemon.curl("member-05A", "POST", claims, claim_body("p-long-key"), std::string(200, 'k'))
            .status == 400);
  REQUIRE(cases.size() >= 50);
  CHECK(daemon.chain_head() == head);
}

TEST_CASE(
    "daemon: after SIGKILL during concurrent filing every acknowledged claim is there exactly "
    "once") {
  Daemon daemon;
  set_up_fund(daemon);
  const std::string acks = daemon.directory.path() + "/acks";
  // Three concurrent clients (two members' finance systems and an administrator) file claims in a
  // loop.
  std::string script;
  for (const auto& [client, as, member] : std::vector<std::array<std::string, 3>>{
           {"a", "member-05A", "05A"}, {"b", "member-07B", "07B"}, {"c", "member-05A", "05A"}}) {
    script +=
        "(for i in $(seq 1 60); do code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "
        "--cacert " +
        daemon.pki + "/ca.pem --cert " + daemon.pki + "/" + as + ".pem --key " + daemon.pki + "/" +
        as + ".key -H \"Idempotency-Key: " + client +
        "-$i\" -H 'Content-Type: application/json' --data '{\"year\":" + std::to_string(year) +
        ",\"patient\":\"p-" + client +
        "-'$i'\",\"episode\":\"E1\",\"kind\":\"final\",\"cumulative_cost\":\"300000.00\","
        "\"evidence\":true}' " +
        daemon.url("/v1/members/" + member + "/specific-claims") + "); echo \"" + client + " " +
        member + " $i $code\" >> " + acks + "; done) & ";
  }
  script += "wait";
  std::thread clients(
      [&] { shell("bash -c '" + std::regex_replace(script, std::regex("'"), "'\\''") + "'"); });
  // The kill lands once some claims are acknowledged, however loaded the machine (bounded).
  const auto answered = [&] {
    std::ifstream in(acks);
    return static_cast<int>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
  };
  for (int i = 0; i < 600 && answered() < 20; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int status = daemon.stop(SIGKILL);
  CHECK(WIFSIGNALED(status));
  clients.join();
  daemon.start();

  std::ifstream lines(acks);
  int acknowledged = 0, lost = 0;
  std::map<std::string, int> acknowledged_by_member;
  for (std::string client, member, number, code; lines >> client >> member >> number >> code;) {
    if (code != "201" && code != "200") {
      ++lost;
      continue;
    }
    ++acknowledged;
    ++acknowledged_by_member[member];
    // The same request again: already recorded, not recorded twice.
    const std::string as = member == "05A" ? "member-05A" : "member-07B";
    auto again = daemon.curl(as, "POST", "/v1/members/" + member + "/specific-claims",
                             claim_body("p-" + client + "-" + number), client + "-" + number);
    INFO(client << "-" << number << " -> " << again.body);
    CHECK(again.status == 200);
  }
  CHECK(acknowledged > 0);
  CHECK(lost > 0);  // the kill really landed during filing
  for (const auto& member : {"05A", "07B"}) {
    auto listed = daemon.curl("admin-alice", "GET",
                              std::string("/v1/members/") + member + "/years/2026/claims");
    REQUIRE(listed.status == 200);
    std::set<std::string> patients;
    const json::value parsed = json::parse(listed.body);
    for (const auto& claim : parsed.at("claims").as_array()) {
      CHECK(patients.insert(std::string(claim.at("patient").as_string())).second);  // exactly once
    }
    CHECK(static_cast<int>(patients.size()) >= acknowledged_by_member[member]);
  }
  daemon.stop(SIGTERM);
  CHECK(Daemon::cli("ledger verify --data " + daemon.directory.path() + "/store").exit_status == 0);
}

TEST_CASE("daemon: docs/api/openapi.yaml documents exactly the routes the server registers") {
  std::ifstream in(std::string(BACKSTOP_SOURCE_DIR) + "/docs/api/openapi.yaml");
  REQUIRE(in);
  std::set<std::string> documented;
  std::string path;
  bool in_paths = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    std::smatch found;
    if (std::regex_match(line, found, std::regex("^  (/[^:]*):\\s*$")))
      path = found[1];
    else if (std::regex_match(line, found, std::regex("^    (get|post|put|delete|patch):.*"))) {
      std::string method = found[1];
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      documented.insert(method + " " + path);
    }
  }
  const std::set<std::string> registered(api_routes().begin(), api_routes().end());
  CHECK(documented == registered);
}

TEST_CASE("daemon: the actuary's rate schedule is applied as it was priced, exactly once") {
  Daemon daemon;
  admin(
      daemon,
      {{"type", "register_member"}, {"member", "05A"}, {"name", "North"}, {"population", 250'000}});
  admin(
      daemon,
      {{"type", "register_member"}, {"member", "07B"}, {"name", "South"}, {"population", 610'000}});
  admin(daemon, {{"type", "create_year"}, {"year", year}});
  admin(daemon, {{"type", "set_allocation"},
                 {"year", year},
                 {"member", "05A"},
                 {"allocation", "300000000.00"}});
  admin(daemon, {{"type", "set_allocation"},
                 {"year", year},
                 {"member", "07B"},
                 {"allocation", "732000000.00"}});
  admin(daemon, {{"type", "open_year"}, {"year", year}});
  const std::string folder = daemon.directory.path();
  std::ofstream(folder + "/members.csv")
      << "member,population,allocation,status\n05A,250000,300000000,active\n07B,610000,732000000,"
         "special_measures\n";
  const auto priced = Daemon::cli("price schedule --json --simulations 2000 --members " + folder +
                                  "/members.csv --output " + folder + "/schedule.csv --report " +
                                  folder + "/report.html");
  INFO(priced.output);
  REQUIRE(priced.exit_status == 0);
  // The report explains the schedule with five gnuplot plots.
  std::ifstream report(folder + "/report.html");
  const std::string html((std::istreambuf_iterator<char>(report)),
                         std::istreambuf_iterator<char>());
  std::size_t plots = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
    ++plots;
  CHECK(plots == 5);
  CHECK_THAT(html, Catch::Contains("reserve target"));
  const std::string connection =
      " --pki " + daemon.pki + " --as admin-alice --port " + std::to_string(daemon.port);
  REQUIRE(
      Daemon::cli("admin rates apply --year 2026 --file " + folder + "/schedule.csv" + connection)
          .exit_status == 0);
  // The same file again is the same request: harmless.
  const auto again = Daemon::cli("admin rates apply --json --year 2026 --file " + folder +
                                 "/schedule.csv" + connection);
  CHECK_THAT(again.output, Catch::Contains("\"replayed\":true"));
  std::ifstream schedule(folder + "/schedule.csv");
  std::string line;
  std::getline(schedule, line);
  backstop::Money total;
  while (std::getline(schedule, line)) {
    const std::string member = line.substr(0, line.find(','));
    const std::string contribution =
        line.substr(line.find(',') + 1, line.find(',', line.find(',') + 1) - line.find(',') - 1);
    auto statement =
        daemon.curl("admin-alice", "GET", "/v1/members/" + member + "/years/2026/statement");
    REQUIRE(statement.status == 200);
    CHECK(json::parse(statement.body).at("contribution").as_string() == contribution);
    total += backstop::Money::parse(contribution).value();
  }
  const auto summary = json::parse(priced.output.substr(priced.output.find('{')));
  CHECK(total == backstop::Money::parse(summary.at("requirement").as_string())
                     .value());  // the shares add up to the requirement
}
