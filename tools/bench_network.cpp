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

namespace {

struct BenchOptions {
  std::string mode = "claims";
  ClientOptions client;
  std::string pki;
  int clients = 1;
  int members = 16;
  double seconds = 5;
  long requests_max = 200'000;
  std::string run_id = "r";
};

void add_options(CLI::App& app, BenchOptions& o) {
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"claims", "static"}));
  app.add_option("--port", o.client.port)->required();
  app.add_option("--pki", o.pki)->required();
  app.add_option("--clients", o.clients)->check(CLI::Range(1, 256));
  app.add_option("--members", o.members, "claims go to members C001..C<members>");
  app.add_option("--seconds", o.seconds);
  app.add_option("--max-requests", o.requests_max);
  app.add_option("--run-id", o.run_id, "makes patient references unique across runs");
}

// Request `n` of the run, the `i`th of client `t`: the static answer, or a claim to file.
Result<HttpReply> send_request(ApiClient& client, const BenchOptions& o, long n, int t, long i) {
  if (o.mode == "static") return client.request("GET", "/healthz");
  char member[8];
  std::snprintf(member, sizeof member, "C%03d", static_cast<int>(1 + n % o.members) % 1000);
  const boost::json::object command{
      {"type", "file_specific_claim"},
      {"year", 2026},
      {"member", member},
      {"patient", o.run_id + "-" + std::to_string(t) + "-" + std::to_string(i)},
      {"episode", "E1"},
      {"kind", "final"},
      {"cumulative_cost", "260000.00"},
      {"evidence", true}};
  return client.request("POST", "/v1/admin/commands", boost::json::serialize(command),
                        o.run_id + "-" + std::to_string(t) + "-" + std::to_string(i));
}

// Client `t` on its own connection until the deadline or the run's last request; the
// latencies of its successful requests go to `latencies`.
void run_client(const BenchOptions& o, int t, Clock::time_point deadline, std::atomic<long>& issued,
                std::atomic<long>& failures, std::vector<double>& latencies) {
  ApiClient client(o.client);
  for (long i = 0; Clock::now() < deadline; ++i) {
    const long n = issued++;
    if (n >= o.requests_max) break;
    const auto sent = Clock::now();
    Result<HttpReply> reply = send_request(client, o, n, t, i);
    if (!reply.is_ok() || reply.value().status >= 300) {
      failures += 1;
      continue;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
  }
}

// `sorted` must be sorted; 0 when empty.
double percentile(const std::vector<double>& sorted, double p) {
  return sorted.empty()
             ? 0.0
             : sorted[std::min(sorted.size() - 1,
                               static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"backstop network benchmark driver"};
  BenchOptions o;
  add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  o.client.certificate_file = o.pki + "/admin-alice.pem";
  o.client.private_key_file = o.pki + "/admin-alice.key";
  o.client.ca_file = o.pki + "/ca.pem";

  std::atomic<long> issued{0};
  std::atomic<long> failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(o.clients));
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < o.clients; ++t) {
    threads.emplace_back([&, t] {
      run_client(o, t, deadline, issued, failures, latencies[static_cast<std::size_t>(t)]);
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  std::sort(all.begin(), all.end());
  std::cout << o.mode << " " << o.clients << " " << all.size() << " " << elapsed << " "
            << static_cast<long>(static_cast<double>(all.size()) / elapsed) << " "
            << percentile(all, 0.5) << " " << percentile(all, 0.99) << " " << failures.load()
            << "\n";
  return failures.load() == 0 ? 0 : 1;
}
