// backstopd --config backstop.toml [--follow]: the fund on the network, over mutual TLS;
// with --follow, a read-only standby replica of the leader named in the [follow] table.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include "daemon/server.hpp"

using namespace backstop;
using namespace backstop::daemon;

namespace {

// The key that signs chain heads in receipts (docs/operations.md, "Signed receipts").
Result<HeadSigner> load_head_signer(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    return Status::error(ErrorCode::not_found,
                         "cannot read the head signing key '" + file +
                             "' ([signing] head_key; `backstop pki issue --server` writes one)");
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto signer = HeadSigner::from_pem(pem);
  if (!signer.is_ok())
    return Status::error(ErrorCode::invalid_argument,
                         "'" + file + "': " + signer.status().message());
  return signer;
}

}  // namespace

int main(int argc, char** argv) {
  const bool follow = argc == 4 && std::string(argv[3]) == "--follow";
  if ((argc != 3 && !follow) || std::string(argv[1]) != "--config") {
    std::cerr << "usage: backstopd --config backstop.toml [--follow]\n";
    return 2;
  }
  auto config = load_config(argv[2]);
  if (config.is_ok() && follow) {
    if (Status checked = check_follow_config(config.value().follow); !checked.is_ok())
      config = checked;
  }
  if (!config.is_ok()) {
    std::cerr << "backstopd: " << config.status().to_string() << "\n";
    return 2;
  }
  auto tls = make_server_context(config.value());
  if (!tls.is_ok()) {
    std::cerr << "backstopd: " << tls.status().to_string() << "\n";
    return 2;
  }
  auto signer = load_head_signer(config.value().head_key_file);
  if (!signer.is_ok()) {
    std::cerr << "backstopd: " << signer.status().to_string() << "\n";
    return 2;
  }
  LoadReport loaded;
  auto service = FundService::open(
      config.value().data_directory, {.reserve_bytes = config.value().store_reserve_bytes},
      config.value().limits.group_commit_max, std::move(signer).value(), &loaded);
  if (!service.is_ok()) {
    std::cerr << "backstopd: " << service.status().to_string() << "\n";
    return 3;
  }
  if (!config.value().backup_directory.empty())
    service.value()->enable_backups({config.value().backup_directory, config.value().backups_kept});
  if (!loaded.checkpoint_refused.empty()) {
    std::clog << "{\"level\":\"warning\",\"message\":\"checkpoint not used, journal replayed "
                 "in full\",\"why\":"
              << boost::json::serialize(boost::json::value(loaded.checkpoint_refused)) << "}"
              << std::endl;
  }
  std::clog << "{\"level\":\"info\",\"message\":\"loaded\",\"checkpoint\":"
            << loaded.checkpoint_sequence << ",\"replayed\":" << loaded.replayed << "}"
            << std::endl;

  if (follow) service.value()->follow(config.value().follow);

  boost::asio::io_context io(config.value().threads);
  Server server(io, config.value(), *tls.value(), *service.value());
  auto port = server.start();
  if (!port.is_ok()) {
    std::cerr << "backstopd: " << port.status().to_string() << "\n";
    return 4;
  }
  if (!config.value().port_file.empty()) {
    std::ofstream(config.value().port_file + ".tmp") << port.value() << "\n";
    std::rename((config.value().port_file + ".tmp").c_str(), config.value().port_file.c_str());
  }
  std::clog << "{\"level\":\"info\",\"message\":\"listening\",\"address\":\""
            << config.value().listen_address << "\",\"port\":" << port.value() << "}" << std::endl;

  // SIGTERM/SIGINT: stop accepting, finish every queued group (durably), give the replies
  // a moment to reach their clients, then exit.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    std::clog << "{\"level\":\"info\",\"message\":\"shutting down\"}" << std::endl;
    server.stop_accepting();
    service.value()->stop();
    grace.expires_after(std::chrono::milliseconds(500));
    grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });
  std::vector<std::thread> threads;
  for (int i = 1; i < config.value().threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  std::clog << "{\"level\":\"info\",\"message\":\"stopped\"}" << std::endl;
  return 0;
}
