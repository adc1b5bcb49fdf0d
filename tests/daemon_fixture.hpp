// Starts a real backstopd on an ephemeral loopback port with a fresh development PKI and
// RocksDB store, and talks to it with curl and real client certificates.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/ledger_fixtures.hpp"
#include "tests/shell.hpp"

namespace backstop::testing {

struct HttpResult {
  int status = 0;  // 0: no HTTP response (e.g. the TLS handshake was refused)
  std::string body;
};

class Daemon {
 public:
  TemporaryDirectory directory;
  std::string pki;
  std::uint16_t port = 0;
  std::string mode;  // an argument after the configuration, e.g. "--follow"

  std::string store;

  // `limits` is the [limits] table of the configuration; `store` the data directory (by
  // default "store" in the test's directory), `store_settings` more of the [store] table.
  explicit Daemon(const std::string& limits =
                      "body_bytes_max = 65536\nrequests_per_second_per_principal = 100000\n",
                  const std::string& store_directory = "", const std::string& store_settings = "")
      : pki(directory.path() + "/pki"),
        store(store_directory.empty() ? directory.path() + "/store" : store_directory) {
    REQUIRE(cli("pki init-ca --dir " + pki).exit_status == 0);
    REQUIRE(cli("pki issue --dir " + pki + " --name server --server").exit_status == 0);
    for (const auto& [name, uri] : std::vector<std::pair<std::string, std::string>>{
             {"admin-alice", "backstop:admin:alice"},
             {"admin-bob", "backstop:admin:bob"},
             {"member-05A", "backstop:member:05A"},
             {"member-07B", "backstop:member:07B"},
             {"member-revoked", "backstop:member:05A"},
             {"unnamed", "backstop:member:not/a/name"}}) {
      REQUIRE(cli("pki issue --dir " + pki + " --name " + name + " --uri " + uri).exit_status == 0);
    }
    REQUIRE(cli("pki issue --dir " + pki + " --name expired --uri backstop:member:05A --expired")
                .exit_status == 0);
    REQUIRE(cli("pki init-ca --dir " + directory.path() + "/other-ca").exit_status == 0);
    REQUIRE(cli("pki issue --dir " + pki + " --name foreign --uri backstop:admin:alice --ca-dir " +
                directory.path() + "/other-ca")
                .exit_status == 0);
    REQUIRE(cli("pki revoke --dir " + pki + " --name member-revoked").exit_status == 0);
    std::ofstream(directory.path() + "/backstop.toml")
        << "[server]\nlisten = \"127.0.0.1\"\nport = 0\nport_file = \"" << directory.path()
        << "/port\"\n"
        << "[store]\ndata = \"" << store << "\"\n"
        << store_settings << "[backup]\ndirectory = \"" << directory.path()
        << "/backups\"\nkeep = 2\n"
        << "[tls]\ncertificate = \"" << pki << "/server.pem\"\nprivate_key = \"" << pki
        << "/server.key\"\nca = \"" << pki << "/ca.pem\"\ncrl = \"" << pki << "/crl.pem\"\n"
        << "[limits]\n"
        << limits;
    start();
  }

  ~Daemon() { stop(SIGTERM); }

  void start() {
    std::filesystem::remove(directory.path() + "/port");
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test, even if it crashes
      const std::string log = directory.path() + "/daemon.log";
      FILE* out = std::freopen(log.c_str(), "a", stderr);
      (void)out;
      const std::string config = directory.path() + "/backstop.toml";
      if (mode.empty())
        execl(BACKSTOPD, BACKSTOPD, "--config", config.c_str(), static_cast<char*>(nullptr));
      else
        execl(BACKSTOPD, BACKSTOPD, "--config", config.c_str(), mode.c_str(),
              static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(directory.path() + "/port"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    std::ifstream in(directory.path() + "/port");
    int number = 0;
    REQUIRE(in >> number);
    port = static_cast<std::uint16_t>(number);
  }

  // Stops the daemon with `signal` and waits for it; returns its wait status.
  int stop(int signal) {
    if (pid_ <= 0) return 0;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return status;
  }

  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }

  // curl with the named certificate ("" for none); `extra` adds headers or data.
  HttpResult curl(const std::string& as, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& key = "",
                  const std::string& extra = "") const {
    const std::string body_file = directory.path() + "/body-" + std::to_string(counter_++);
    std::string command = "curl -s -o " + body_file + " -w '%{http_code}' --max-time 20 --cacert " +
                          pki + "/ca.pem -X " + method;
    if (!as.empty())
      command += " --cert " + pki + "/" + as + ".pem --key " + pki + "/" + as + ".key";
    if (!key.empty()) command += " -H 'Idempotency-Key: " + key + "'";
    if (!body.empty()) {
      const std::string request_file = body_file + ".request";
      std::ofstream(request_file) << body;
      command += " -H 'Content-Type: application/json' --data-binary @" + request_file;
    }
    command += " " + extra + " '" + url(path) + "'";
    const auto out = shell(command);
    HttpResult result;
    result.status = std::atoi(out.output.c_str());
    std::ifstream in(body_file);
    result.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return result;
  }

  // {"sequence", "chain_head"} as JSON text, without the signature: a standby signs the same
  // head with its own key.
  std::string chain_head() const {
    auto head = curl("admin-alice", "GET", "/v1/admin/ledger/head");
    REQUIRE(head.status == 200);
    const auto parsed = boost::json::parse(head.body).as_object();
    return boost::json::serialize(boost::json::object{{"sequence", parsed.at("sequence")},
                                                      {"chain_head", parsed.at("chain_head")}});
  }

  static CommandOutput cli(const std::string& arguments) {
    return shell(std::string(BACKSTOP_CLI) + " " + arguments);
  }

 private:
  pid_t pid_ = 0;
  mutable int counter_ = 0;
};

}  // namespace backstop::testing
