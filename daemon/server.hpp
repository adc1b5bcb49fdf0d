// backstopd's network side: a Boost.Beast HTTP/1.1 server over TLS 1.3 with client
// certificates. Sessions parse, authenticate, rate-limit and hand requests to handle_api.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>

#include "daemon/api.hpp"
#include "daemon/config.hpp"

namespace backstop::daemon {

struct ServerStats {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses_2xx{0};
  std::atomic<std::uint64_t> responses_4xx{0};
  std::atomic<std::uint64_t> responses_5xx{0};
  std::atomic<std::uint64_t> rate_limited{0};
};

class Server {
 public:
  Server(boost::asio::io_context& io, const Config& config, boost::asio::ssl::context& tls,
         FundService& service);
  ~Server();
  // Binds and starts accepting; returns the bound port.
  Result<std::uint16_t> start();
  // Stops accepting new connections (in-flight requests finish).
  void stop_accepting();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace backstop::daemon
