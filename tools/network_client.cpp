#include "tools/network_client.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "tools/api_client.hpp"
#include "tools/exit_codes.hpp"
#include "tools/receipts.hpp"

namespace backstop::network {
namespace json = boost::json;

Result<ClientOptions> client_options(const Connection& c) {
  ClientOptions options;
  options.host = c.server;
  options.port = c.port;
  if (!c.port_file.empty()) {
    std::ifstream in(c.port_file);
    int port = 0;
    if (!(in >> port) || port <= 0 || port > 65535)
      return Status::error(ErrorCode::invalid_argument, "no port in '" + c.port_file + "'");
    options.port = static_cast<std::uint16_t>(port);
  }
  if (options.port == 0)
    return Status::error(ErrorCode::invalid_argument, "give --port or --port-file");
  options.certificate_file = !c.certificate.empty() ? c.certificate : c.pki + "/" + c.as + ".pem";
  options.private_key_file = !c.private_key.empty() ? c.private_key : c.pki + "/" + c.as + ".key";
  options.ca_file = !c.ca.empty() ? c.ca : c.pki + "/ca.pem";
  if ((c.pki.empty() || c.as.empty()) &&
      (c.certificate.empty() || c.private_key.empty() || c.ca.empty())) {
    return Status::error(ErrorCode::invalid_argument,
                         "give --pki and --as, or --cert, --key and --ca");
  }
  return options;
}

namespace {

// A write's receipt saved to --receipts-out, with the key it was made under.
Status save_receipt(const Connection& c, const std::string& body, const std::string& key) {
  if (c.receipts_out.empty()) return Status::ok();
  json::error_code error;
  json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object())
    return Status::error(ErrorCode::io_error, "the server's receipt is not a JSON object");
  json::object receipt = parsed.as_object();
  receipt["idempotency_key"] = key;
  Status saved = receipts::append_receipt(c.receipts_out, receipt);
  if (!saved.is_ok())
    return Status::error(ErrorCode::io_error, saved.message() + " (the write itself was made)");
  return saved;
}

int exit_for(unsigned http_status) {
  return http_status < 300   ? exit_code::ok
         : http_status < 500 ? exit_code::refused
                             : exit_code::io_error;
}

// Request lines {key, command, time?} in order over one connection; stops at the first refusal.
int run_lines(const Connection& c, std::istream& input, const Route& route) {
  auto options = client_options(c);
  if (!options.is_ok()) return fail(options.status());
  ApiClient client(options.value());
  std::size_t applied = 0, replayed = 0, line_number = 0;
  // Where a run that stops early stopped: the lines before it are all acknowledged, so a
  // rerun from that line (same keys) is harmless (scripts/soak counts on it).
  auto stopped = [&] {
    std::cerr << "stopped at line " << line_number << ": " << applied << " applied, " << replayed
              << " already recorded before it\n";
  };
  for (std::string line; std::getline(input, line);) {
    ++line_number;
    if (line.empty()) continue;
    json::error_code error;
    auto parsed = json::parse(line, error);
    if (error || !parsed.is_object() || !parsed.as_object().contains("key") ||
        !parsed.at("key").is_string() || !parsed.as_object().contains("command") ||
        !parsed.at("command").is_object()) {
      return fail(Status::error(ErrorCode::invalid_argument,
                                "line " + std::to_string(line_number) + ": needs {key, command}"));
    }
    auto [target, body] = route(parsed.at("command").as_object());
    if (target.empty())
      return fail(Status::error(ErrorCode::invalid_argument, "line " + std::to_string(line_number) +
                                                                 ": no route for this command"));
    std::optional<std::int64_t> time;
    if (const auto* stamp = parsed.as_object().if_contains("time");
        stamp != nullptr && stamp->is_int64())
      time = stamp->as_int64();
    auto reply = client.request("POST", target, json::serialize(body),
                                std::string(parsed.at("key").as_string()), time);
    if (!reply.is_ok()) {
      stopped();
      return fail(reply.status());
    }
    if (reply.value().status >= 300) {
      std::cerr << "line " << line_number << ": HTTP " << reply.value().status << " "
                << reply.value().body << "\n";
      stopped();
      return exit_for(reply.value().status);
    }
    if (Status saved =
            save_receipt(c, reply.value().body, std::string(parsed.at("key").as_string()));
        !saved.is_ok())
      return fail(saved);
    (reply.value().status == 201 ? applied : replayed) += 1;
    if ((applied + replayed) % 1000 == 0)
      std::cerr << "... " << applied + replayed << " sent\n";  // progress on long runs
  }
  std::cerr << "sent: " << applied << " applied, " << replayed << " already recorded\n";
  return exit_code::ok;
}

}  // namespace

void add_connection_options(CLI::App& command, Connection& c) {
  command.add_option("--server", c.server, "backstopd address (default 127.0.0.1)");
  command.add_option("--port", c.port, "backstopd port");
  command.add_option("--port-file", c.port_file,
                     "read the port from this file (backstopd writes it)");
  command.add_option("--pki", c.pki, "a `backstop pki` folder: ca.pem and <as>.pem/.key");
  command.add_option("--as", c.as, "the certificate name in --pki, e.g. admin-alice");
  command.add_option("--cert", c.certificate, "client certificate (PEM)");
  command.add_option("--key", c.private_key, "client private key (PEM)");
  command.add_option("--ca", c.ca, "CA certificate that signed the server's (PEM)");
  command.add_flag("--json", c.as_json, "print the server's JSON");
  command.add_option("--time", c.time,
                     "Unix seconds sent as X-Backstop-Time (a daemon with a simulated clock only)");
  command.add_option("--receipts-out", c.receipts_out,
                     "append each write's receipt (JSON, one a line) to this file, for "
                     "`ledger verify --receipts` and `member check-receipts`");
}

int fail(const Status& status) {
  std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

int call(const Connection& c, const std::string& method, const std::string& target,
         const std::string& body, const std::string& key,
         const std::function<void(const json::object&)>& print) {
  auto options = client_options(c);
  if (!options.is_ok()) return fail(options.status());
  ApiClient client(options.value());
  auto reply = client.request(method, target, body, key, c.time);
  if (!reply.is_ok()) return fail(reply.status());
  if (reply.value().status >= 300) {
    std::cerr << "backstop: HTTP " << reply.value().status << " " << reply.value().body << "\n";
    return exit_for(reply.value().status);
  }
  if (method == "POST") {
    if (Status saved = save_receipt(c, reply.value().body, key); !saved.is_ok()) return fail(saved);
  }
  json::error_code error;
  auto parsed = json::parse(reply.value().body, error);
  if (print && !c.as_json && !error && parsed.is_object())
    print(parsed.as_object());
  else
    std::cout << reply.value().body << "\n";
  return exit_code::ok;
}

int run_file(const Connection& c, const std::string& file, const Route& route) {
  if (file.empty() || file == "-") return run_lines(c, std::cin, route);
  std::ifstream input(file);
  if (!input) return fail(Status::error(ErrorCode::io_error, "cannot read '" + file + "'"));
  return run_lines(c, input, route);
}

void add_run_command(CLI::App& parent, const std::string& help, Route route, int& exit_status) {
  struct Options {
    Connection c;
    std::string file;
  };
  auto o = std::make_shared<Options>();
  auto* command = parent.add_subcommand("run", help);
  add_connection_options(*command, o->c);
  command->add_option("--file", o->file, "JSON lines");
  command->callback([o, route = std::move(route), &exit_status] {
    exit_status = run_file(o->c, o->file, route);
  });
}

}  // namespace backstop::network
