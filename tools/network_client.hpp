// What `backstop admin ...` and `backstop member ...` share: the options that say how to reach
// backstopd over mutual TLS, and requests whose reply decides the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "ledger/status.hpp"
#include "tools/api_client.hpp"

namespace backstop::network {

struct Connection {
  std::string server = "127.0.0.1";
  std::uint16_t port = 0;
  std::string port_file;
  std::string pki;  // a folder from `backstop pki`: ca.pem and <as>.pem/.key
  std::string as;
  std::string certificate, private_key, ca;
  bool as_json = false;
  std::optional<std::int64_t> time;  // X-Backstop-Time, for a daemon with a simulated clock
  std::string receipts_out;          // append each write's receipt here, one JSON per line
};

void add_connection_options(CLI::App& command, Connection& c);

// How to reach the daemon, from the options.
Result<ClientOptions> client_options(const Connection& c);

// Prints the failure and returns its exit code.
int fail(const Status& status);

// One request; prints the body (JSON, or a table through `print` when given and asked).
int call(const Connection& c, const std::string& method, const std::string& target,
         const std::string& body, const std::string& key,
         const std::function<void(const boost::json::object&)>& print = {});

// Where a request line's command goes: the target and the body (an empty target: nowhere).
using Route = std::function<std::pair<std::string, boost::json::object>(boost::json::object)>;

// Sends request lines {key, command, time?} from `file` (empty or "-": standard input) in
// order over one connection; stops at the first refusal.
int run_file(const Connection& c, const std::string& file, const Route& route);

// The `run` subcommand of `parent`: request lines from --file (or standard input) by run_file.
void add_run_command(CLI::App& parent, const std::string& help, Route route, int& exit_status);

}  // namespace backstop::network
