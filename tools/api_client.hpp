// A client of backstopd's API over mutual TLS (Boost.Beast, synchronous, keep-alive).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ledger/status.hpp"

namespace backstop {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string certificate_file;
  std::string private_key_file;
  std::string ca_file;
};

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

class ApiClient {
 public:
  explicit ApiClient(ClientOptions options);
  ~ApiClient();
  // One request; reconnects once if the kept-alive connection was closed.
  // `time_unix_s` is sent as X-Backstop-Time (honoured only by a daemon with a simulated clock).
  Result<HttpReply> request(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& idempotency_key = "",
                            std::optional<std::int64_t> time_unix_s = std::nullopt);

  struct Connection;

 private:
  ClientOptions options_;
  std::unique_ptr<Connection> connection_;
};

// A fresh random idempotency key (128 bits, hex).
std::string random_idempotency_key();

}  // namespace backstop
