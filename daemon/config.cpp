#include "daemon/config.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>

namespace backstop::daemon {
namespace {

// An integer setting, refused unless it is a whole number in [low, high], before any narrowing
// cast (a -1 would otherwise become the largest size_t).
std::int64_t setting(const toml::table& table, const char* section, const char* key,
                     std::int64_t fallback, std::int64_t low, std::int64_t high,
                     std::string& problem) {
  const auto node = table[section][key];
  if (!node) return fallback;
  const auto value = node.value<std::int64_t>();
  if (!node.is_integer() || !value || *value < low || *value > high) {
    if (problem.empty()) {
      problem = std::string("config: ") + section + "." + key + " must be a whole number from " +
                std::to_string(low) + " to " + std::to_string(high);
    }
    return fallback;
  }
  return *value;
}

Status load_backup_config(const toml::table& table, Config& config) {
  config.backup_directory = table["backup"]["directory"].value_or(std::string());
  std::string problem;
  config.backups_kept =
      static_cast<std::uint32_t>(setting(table, "backup", "keep", 24, 1, 10'000, problem));
  if (!problem.empty()) return Status::error(ErrorCode::invalid_argument, problem);
  if (!config.backup_directory.empty() &&
      std::filesystem::weakly_canonical(config.backup_directory) ==
          std::filesystem::weakly_canonical(config.data_directory)) {
    return Status::error(ErrorCode::invalid_argument,
                         "config: backup.directory must not be the store's directory");
  }
  return Status::ok();
}

// server.pem -> server.head.key, where `backstop pki issue --server` puts the head key.
std::string default_head_key(const Config& config) {
  std::string stem = config.certificate_file;
  if (stem.empty()) return stem;
  if (stem.ends_with(".pem")) stem.resize(stem.size() - 4);
  return stem + ".head.key";
}

}  // namespace

namespace {

Status read_follow(const toml::table& table, FollowConfig& follow) {
  const auto section = table["follow"];
  std::string problem;
  follow.leader = section["leader"].value_or(follow.leader);
  follow.port = static_cast<std::uint16_t>(setting(table, "follow", "port", 0, 0, 65535, problem));
  follow.port_file = section["port_file"].value_or(std::string());
  follow.certificate_file = section["certificate"].value_or(std::string());
  follow.private_key_file = section["private_key"].value_or(std::string());
  follow.ca_file = section["ca"].value_or(std::string());
  follow.wait_seconds =
      static_cast<int>(setting(table, "follow", "wait_seconds", 10, 0, 30, problem));
  follow.page_entries =
      static_cast<std::size_t>(setting(table, "follow", "page_entries", 256, 1, 1024, problem));
  if (!problem.empty()) return Status::error(ErrorCode::invalid_argument, problem);
  return Status::ok();
}

}  // namespace

Status check_follow_config(const FollowConfig& follow) {
  for (const auto& [value, name] : {std::pair{&follow.leader, "follow.leader"},
                                    {&follow.certificate_file, "follow.certificate"},
                                    {&follow.private_key_file, "follow.private_key"},
                                    {&follow.ca_file, "follow.ca"}}) {
    if (value->empty())
      return Status::error(ErrorCode::invalid_argument,
                           std::string("config: --follow needs ") + name);
  }
  if (follow.port == 0 && follow.port_file.empty())
    return Status::error(ErrorCode::invalid_argument,
                         "config: --follow needs follow.port or follow.port_file");
  return Status::ok();
}

Result<Config> load_config(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return Status::error(ErrorCode::invalid_argument,
                         "config '" + path + "': " + std::string(error.description()));
  }
  Config config;
  config.listen_address = table["server"]["listen"].value_or(config.listen_address);
  std::string problem;  // the first setting out of range
  config.port = static_cast<std::uint16_t>(setting(table, "server", "port", 0, 0, 65535, problem));
  config.port_file = table["server"]["port_file"].value_or(std::string());
  config.threads = static_cast<int>(setting(table, "server", "threads", 2, 1, 64, problem));
  config.simulated_clock = table["clock"]["simulated"].value_or(false);
  config.data_directory = table["store"]["data"].value_or(std::string());
  config.store_reserve_bytes =
      static_cast<std::uint64_t>(setting(table, "store", "reserve_mb", 64, 0, 1 << 20, problem))
      << 20;
  config.certificate_file = table["tls"]["certificate"].value_or(std::string());
  config.private_key_file = table["tls"]["private_key"].value_or(std::string());
  config.ca_file = table["tls"]["ca"].value_or(std::string());
  config.crl_file = table["tls"]["crl"].value_or(std::string());
  config.head_key_file = table["signing"]["head_key"].value_or(default_head_key(config));
  auto& limits = config.limits;
  const auto size = [&](const char* key, std::size_t fallback, std::int64_t low,
                        std::int64_t high) {
    return static_cast<std::size_t>(
        setting(table, "limits", key, static_cast<std::int64_t>(fallback), low, high, problem));
  };
  limits.body_bytes_max = size("body_bytes_max", limits.body_bytes_max, 1024, 64 << 20);
  limits.header_bytes_max = size("header_bytes_max", limits.header_bytes_max, 1024, 1 << 20);
  limits.connections_max = size("connections_max", limits.connections_max, 1, 1'000'000);
  limits.group_commit_max = size("group_commit_max", 256, 1, 65'536);
  const auto milliseconds = [&](const char* key, std::int64_t fallback) {
    return std::chrono::milliseconds(
        setting(table, "limits", key, fallback, 1, 3'600'000, problem));
  };
  limits.handshake_timeout = milliseconds("handshake_timeout_ms", 5'000);
  limits.read_timeout = milliseconds("read_timeout_ms", 10'000);
  limits.idle_timeout = milliseconds("idle_timeout_ms", 30'000);
  limits.requests_per_second_per_principal =
      table["limits"]["requests_per_second_per_principal"].value_or(
          limits.requests_per_second_per_principal);
  const double rate = limits.requests_per_second_per_principal;
  if (problem.empty() && !(std::isfinite(rate) && rate > 0 && rate <= 1e6))
    problem = "config: limits.requests_per_second_per_principal must be above 0, at most 1e6";
  if (!problem.empty()) return Status::error(ErrorCode::invalid_argument, problem);

  if (Status follow = read_follow(table, config.follow); !follow.is_ok()) return follow;
  for (const auto& [value, name] : {std::pair{&config.data_directory, "store.data"},
                                    {&config.certificate_file, "tls.certificate"},
                                    {&config.private_key_file, "tls.private_key"},
                                    {&config.ca_file, "tls.ca"}}) {
    if (value->empty())
      return Status::error(ErrorCode::invalid_argument,
                           std::string("config: ") + name + " is required");
  }
  if (config.listen_address != "127.0.0.1" && config.listen_address != "::1" &&
      config.listen_address != "0.0.0.0") {
    return Status::error(ErrorCode::invalid_argument,
                         "config: server.listen must be an IP address");
  }
  if (Status backup = load_backup_config(table, config); !backup.is_ok()) return backup;
  return config;
}

}  // namespace backstop::daemon
