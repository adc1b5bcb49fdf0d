#include "daemon/config.hpp"

#include <toml++/toml.h>

#include <filesystem>

namespace backstop::daemon {
namespace {

Status load_backup_config(const toml::table& table, Config& config) {
  config.backup_directory = table["backup"]["directory"].value_or(std::string());
  const std::int64_t keep = table["backup"]["keep"].value_or(std::int64_t{24});
  if (keep < 1 || keep > 10'000)
    return Status::error(ErrorCode::invalid_argument, "config: backup.keep must be 1 to 10000");
  config.backups_kept = static_cast<std::uint32_t>(keep);
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
  follow.leader = section["leader"].value_or(follow.leader);
  const std::int64_t port = section["port"].value_or(std::int64_t{0});
  if (port < 0 || port > 65535)
    return Status::error(ErrorCode::invalid_argument, "follow.port must be 0 to 65535");
  follow.port = static_cast<std::uint16_t>(port);
  follow.port_file = section["port_file"].value_or(std::string());
  follow.certificate_file = section["certificate"].value_or(std::string());
  follow.private_key_file = section["private_key"].value_or(std::string());
  follow.ca_file = section["ca"].value_or(std::string());
  follow.wait_seconds = static_cast<int>(section["wait_seconds"].value_or(std::int64_t{10}));
  follow.page_entries =
      static_cast<std::size_t>(section["page_entries"].value_or(std::int64_t{256}));
  if (follow.wait_seconds < 0 || follow.wait_seconds > 30 || follow.page_entries < 1 ||
      follow.page_entries > 1024) {
    return Status::error(ErrorCode::invalid_argument,
                         "config: follow.wait_seconds must be 0 to 30, follow.page_entries 1 to "
                         "1024");
  }
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
  const std::int64_t port = table["server"]["port"].value_or(std::int64_t{0});
  if (port < 0 || port > 65535)
    return Status::error(ErrorCode::invalid_argument, "server.port must be 0 to 65535");
  config.port = static_cast<std::uint16_t>(port);
  config.port_file = table["server"]["port_file"].value_or(std::string());
  config.threads = static_cast<int>(table["server"]["threads"].value_or(std::int64_t{2}));
  config.simulated_clock = table["clock"]["simulated"].value_or(false);
  config.data_directory = table["store"]["data"].value_or(std::string());
  const std::int64_t reserve_mb = table["store"]["reserve_mb"].value_or(std::int64_t{64});
  if (reserve_mb < 0)
    return Status::error(ErrorCode::invalid_argument, "store.reserve_mb must not be negative");
  config.store_reserve_bytes = static_cast<std::uint64_t>(reserve_mb) << 20;
  config.certificate_file = table["tls"]["certificate"].value_or(std::string());
  config.private_key_file = table["tls"]["private_key"].value_or(std::string());
  config.ca_file = table["tls"]["ca"].value_or(std::string());
  config.crl_file = table["tls"]["crl"].value_or(std::string());
  config.head_key_file = table["signing"]["head_key"].value_or(default_head_key(config));
  auto& limits = config.limits;
  limits.body_bytes_max = static_cast<std::size_t>(
      table["limits"]["body_bytes_max"].value_or(std::int64_t(limits.body_bytes_max)));
  limits.header_bytes_max = static_cast<std::size_t>(
      table["limits"]["header_bytes_max"].value_or(std::int64_t(limits.header_bytes_max)));
  limits.connections_max = static_cast<std::size_t>(
      table["limits"]["connections_max"].value_or(std::int64_t(limits.connections_max)));
  limits.requests_per_second_per_principal =
      table["limits"]["requests_per_second_per_principal"].value_or(
          limits.requests_per_second_per_principal);
  limits.handshake_timeout = std::chrono::milliseconds(
      table["limits"]["handshake_timeout_ms"].value_or(std::int64_t{5'000}));
  limits.read_timeout =
      std::chrono::milliseconds(table["limits"]["read_timeout_ms"].value_or(std::int64_t{10'000}));
  limits.idle_timeout =
      std::chrono::milliseconds(table["limits"]["idle_timeout_ms"].value_or(std::int64_t{30'000}));
  limits.group_commit_max =
      static_cast<std::size_t>(table["limits"]["group_commit_max"].value_or(std::int64_t{256}));

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
  if (config.threads < 1 || config.threads > 64)
    return Status::error(ErrorCode::invalid_argument, "config: server.threads must be 1 to 64");
  if (limits.body_bytes_max < 1024 || limits.connections_max < 1 || limits.group_commit_max < 1 ||
      limits.requests_per_second_per_principal <= 0) {
    return Status::error(ErrorCode::invalid_argument,
                         "config: limits must be positive (body at least 1 KiB)");
  }
  return config;
}

}  // namespace backstop::daemon
