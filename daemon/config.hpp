// backstopd's configuration, read from TOML (docs/operations.md lists every key).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "ledger/status.hpp"

namespace backstop::daemon {

struct Limits {
  std::size_t body_bytes_max = 1 << 20;
  std::size_t header_bytes_max = 16 << 10;
  std::size_t connections_max = 256;
  double requests_per_second_per_principal = 200;  // sustained; bursts up to one second's worth
  std::chrono::milliseconds handshake_timeout{5'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t group_commit_max = 256;
};

// Where a standby replica (`backstopd --follow`) reads the leader's journal stream from.
struct FollowConfig {
  std::string leader = "127.0.0.1";  // the leader's address
  std::uint16_t port = 0;
  std::string port_file;         // or read the port from the file the leader writes (tests, demos)
  std::string certificate_file;  // a client certificate naming backstop:replica:<name>
  std::string private_key_file;  // (or an administrator), and its key
  std::string ca_file;           // the CA that signed the leader's certificate
  int wait_seconds = 10;         // how long one request waits for new entries (long poll)
  std::size_t page_entries = 256;
  std::string describe() const {
    return leader + ":" + (port_file.empty() ? std::to_string(port) : port_file);
  }
};

struct Config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, written to port_file
  std::string port_file;
  std::string data_directory;
  // Writes are suspended (507) while the store's filesystem has less free than this.
  std::uint64_t store_reserve_bytes = 64ull << 20;
  std::string certificate_file;
  std::string private_key_file;
  std::string ca_file;
  std::string crl_file;  // optional
  // The Ed25519 key that signs chain heads in receipts ([signing] head_key); by default the
  // one `backstop pki issue --server` writes beside the certificate (server.head.key).
  std::string head_key_file;
  int threads = 2;
  // For demos and tests only: honour an X-Backstop-Time header (Unix seconds) so that a
  // whole fund year can run in minutes. The journal still never goes back in time.
  bool simulated_clock = false;
  Limits limits;
  // [backup]: where POST /v1/admin/backups writes (set here, never by a caller; empty: no
  // online backups), and how many backups to keep.
  std::string backup_directory;
  std::uint32_t backups_kept = 24;
  FollowConfig follow;  // [follow]: read only by `backstopd --follow`
};

Result<Config> load_config(const std::string& path);
// What `--follow` needs of the [follow] table: a leader, a port, a certificate, its key, a CA.
Status check_follow_config(const FollowConfig& follow);

}  // namespace backstop::daemon
