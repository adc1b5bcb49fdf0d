#include "tools/api_client.hpp"

#include <openssl/rand.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace backstop {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct ApiClient::Connection {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
};

ApiClient::ApiClient(ClientOptions options) : options_(std::move(options)) {}
ApiClient::~ApiClient() = default;

namespace {

Status connect(ApiClient::Connection& c, const ClientOptions& options) {
  beast::error_code error;
  SSL_CTX_set_min_proto_version(c.tls.native_handle(), TLS1_3_VERSION);
  c.tls.load_verify_file(options.ca_file, error);
  if (!error) c.tls.use_certificate_chain_file(options.certificate_file, error);
  if (!error) c.tls.use_private_key_file(options.private_key_file, asio::ssl::context::pem, error);
  if (error)
    return Status::error(ErrorCode::invalid_argument, "client TLS set-up: " + error.message());
  c.tls.set_verify_mode(asio::ssl::verify_peer);
  c.stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(c.io, c.tls);
  SSL_set1_host(c.stream->native_handle(), options.host.c_str());
  asio::ip::tcp::resolver resolver(c.io);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port), error);
  if (!error) beast::get_lowest_layer(*c.stream).expires_after(std::chrono::seconds(10));
  if (!error) beast::get_lowest_layer(*c.stream).connect(endpoints, error);
  if (!error) c.stream->handshake(asio::ssl::stream_base::client, error);
  if (error)
    return Status::error(ErrorCode::io_error, "cannot connect to " + options.host + ":" +
                                                  std::to_string(options.port) + ": " +
                                                  error.message());
  return Status::ok();
}

}  // namespace

Result<HttpReply> ApiClient::request(const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& idempotency_key,
                                     std::optional<std::int64_t> time_unix_s) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection_) {
      connection_ = std::make_unique<Connection>();
      if (Status connected = connect(*connection_, options_); !connected.is_ok()) {
        connection_.reset();
        return connected;
      }
    }
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, options_.host);
    request.set(http::field::content_type, "application/json");
    if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
    if (time_unix_s) request.set("X-Backstop-Time", std::to_string(*time_unix_s));
    request.body() = body;
    request.prepare_payload();
    request.keep_alive(true);
    beast::error_code error;
    beast::get_lowest_layer(*connection_->stream).expires_after(std::chrono::seconds(60));
    http::write(*connection_->stream, request, error);
    http::response<http::string_body> response;
    if (!error) http::read(*connection_->stream, connection_->buffer, response, error);
    if (error) {
      connection_.reset();
      // A stale kept-alive connection fails on first use: try once more on a new one. The
      // idempotency key makes the retry of a write harmless.
      if (attempt == 0) continue;
      return Status::error(ErrorCode::io_error, "request failed: " + error.message());
    }
    if (!response.keep_alive()) connection_.reset();
    return HttpReply{response.result_int(), response.body()};
  }
  return Status::error(ErrorCode::io_error, "request failed");
}

std::string random_idempotency_key() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 15];
  }
  return out;
}

}  // namespace backstop
