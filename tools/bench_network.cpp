// Benchmark driver for `scripts/bench network` (not a test): N concurrent TLS clients,
// each on its own kept-alive connection, either filing specific claims or fetching the
// static /healthz answer on the same TLS path (the protocol ceiling). Bounded by time
// and count. Prints: mode clients requests seconds per_second p50_ms p99_ms failures; with
// --replica-port, then how far a standby replica following the server lagged meanwhile:
// samples p99 and max of entries behind, p99 and max milliseconds until it held an entry.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <optional>
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
  std::uint16_t replica_port = 0;  // a standby following the server: sample its lag
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
  app.add_option("--replica-port", o.replica_port, "a replica of the server: sample its lag");
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

std::optional<std::uint64_t> head_of(ApiClient& client) {
  auto reply = client.request("GET", "/v1/admin/ledger/head");
  if (!reply.is_ok() || reply.value().status != 200) return std::nullopt;
  return boost::json::value_to<std::uint64_t>(
      boost::json::parse(reply.value().body).at("sequence"));
}

struct LagSamples {
  std::vector<double> entries;  // leader's head minus the replica's, at each sample
  std::vector<double> ms;       // from reading the leader's head until the replica held it
};

// Until `done`: read the leader's head L, then the replica's until it holds L (polled every
// 2 ms, given up after 10 s), every 20 ms.
LagSamples sample_lag(const BenchOptions& o, const std::atomic<bool>& done) {
  ClientOptions replica_options = o.client;
  replica_options.port = o.replica_port;
  ApiClient leader(o.client), replica(replica_options);
  LagSamples samples;
  while (!done.load()) {
    const auto read = Clock::now();
    const auto target = head_of(leader);
    auto held = head_of(replica);
    if (!target || !held) break;
    samples.entries.push_back(static_cast<double>(*target > *held ? *target - *held : 0));
    while (held && *held < *target && Clock::now() - read < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      held = head_of(replica);
    }
    samples.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - read).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return samples;
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
  std::atomic<bool> done{false};
  LagSamples lag;
  std::thread sampler;
  if (o.replica_port != 0) sampler = std::thread([&] { lag = sample_lag(o, done); });
  for (auto& thread : threads) thread.join();
  done = true;
  if (sampler.joinable()) sampler.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  std::sort(all.begin(), all.end());
  std::cout << o.mode << " " << o.clients << " " << all.size() << " " << elapsed << " "
            << static_cast<long>(static_cast<double>(all.size()) / elapsed) << " "
            << percentile(all, 0.5) << " " << percentile(all, 0.99) << " " << failures.load();
  if (o.replica_port != 0) {
    for (auto* samples : {&lag.entries, &lag.ms}) {
      std::sort(samples->begin(), samples->end());
      std::cout << " " << percentile(*samples, 0.99) << " "
                << (samples->empty() ? 0.0 : samples->back());
    }
    std::cout << " " << lag.ms.size();
  }
  std::cout << "\n";
  return failures.load() == 0 ? 0 : 1;
}
