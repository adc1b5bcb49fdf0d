// Benchmark driver for `scripts/bench network` (not a test): N concurrent TLS clients,
// each on its own kept-alive connection, either filing specific claims or fetching the
// static /healthz answer on the same TLS path (the protocol ceiling). Bounded by time
// and count. Prints: mode clients requests seconds per_second p50_ms p99_ms.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "tools/api_client.hpp"

using namespace backstop;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"backstop network benchmark driver"};
  std::string mode = "claims";
  ClientOptions options;
  std::string pki;
  int clients = 1;
  int members = 16;
  double seconds = 5;
  long requests_max = 200'000;
  std::string run_id = "r";
  app.add_option("--mode", mode)->check(CLI::IsMember({"claims", "static"}));
  app.add_option("--port", options.port)->required();
  app.add_option("--pki", pki)->required();
  app.add_option("--clients", clients)->check(CLI::Range(1, 256));
  app.add_option("--members", members, "claims go to members C001..C<members>");
  app.add_option("--seconds", seconds);
  app.add_option("--max-requests", requests_max);
  app.add_option("--run-id", run_id, "makes patient references unique across runs");
  CLI11_PARSE(app, argc, argv);
  options.certificate_file = pki + "/admin-alice.pem";
  options.private_key_file = pki + "/admin-alice.key";
  options.ca_file = pki + "/ca.pem";

  std::atomic<long> issued{0};
  std::atomic<long> failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      ApiClient client(options);
      auto& mine = latencies[static_cast<std::size_t>(t)];
      for (long i = 0; Clock::now() < deadline; ++i) {
        const long n = issued++;
        if (n >= requests_max) break;
        const auto sent = Clock::now();
        Result<HttpReply> reply = Status::error(ErrorCode::io_error, "unsent");
        if (mode == "static") {
          reply = client.request("GET", "/healthz");
        } else {
          char member[8];
          std::snprintf(member, sizeof member, "C%03d", static_cast<int>(1 + n % members) % 1000);
          const boost::json::object command{
              {"type", "file_specific_claim"},
              {"year", 2026},
              {"member", member},
              {"patient", run_id + "-" + std::to_string(t) + "-" + std::to_string(i)},
              {"episode", "E1"},
              {"kind", "final"},
              {"cumulative_cost", "260000.00"},
              {"evidence", true}};
          reply = client.request("POST", "/v1/admin/commands", boost::json::serialize(command),
                                 run_id + "-" + std::to_string(t) + "-" + std::to_string(i));
        }
        if (!reply.is_ok() || reply.value().status >= 300) {
          failures += 1;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double p) {
    return all.empty()
               ? 0.0
               : all[std::min(all.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  std::cout << mode << " " << clients << " " << all.size() << " " << elapsed << " "
            << static_cast<long>(static_cast<double>(all.size()) / elapsed) << " "
            << percentile(0.5) << " " << percentile(0.99) << " " << failures.load() << "\n";
  return failures.load() == 0 ? 0 : 1;
}
