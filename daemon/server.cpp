#include "daemon/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>

#include "daemon/follower.hpp"
#include "daemon/simulated_clock.hpp"

namespace backstop::daemon {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// A token bucket per principal: a second's worth of burst, refilled continuously.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : per_second_(per_second) {}
  bool allow(const std::string& principal) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto [bucket, fresh] = buckets_.try_emplace(principal, Bucket{per_second_, now});
    if (!fresh) {
      const double elapsed = std::chrono::duration<double>(now - bucket->second.updated).count();
      bucket->second.tokens = std::min(per_second_, bucket->second.tokens + elapsed * per_second_);
      bucket->second.updated = now;
    }
    if (bucket->second.tokens < 1.0) return false;
    bucket->second.tokens -= 1.0;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  const double per_second_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

std::string json_escape(const std::string& text) { return json::serialize(json::string(text)); }

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_context, const Config& cfg, asio::ssl::context& context,
       FundService& fund_service)
      : io(io_context),
        config(cfg),
        tls(context),
        service(fund_service),
        acceptor(asio::make_strand(io_context)),
        limiter(cfg.limits.requests_per_second_per_principal) {}

  asio::io_context& io;
  const Config& config;
  asio::ssl::context& tls;
  FundService& service;
  tcp::acceptor acceptor;
  RateLimiter limiter;
  SimulatedClock clock;
  ServerStats stats;
  std::atomic<std::uint64_t> next_request_id{1};

  void accept();
  std::string metrics_text() const;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : stream_(std::move(socket), server->tls), server_(std::move(server)) {}

  ~Session() { server_->stats.connections_open -= 1; }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(server_->config.limits.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

 private:
  void on_handshake(beast::error_code error) {
    if (error) {
      server_->stats.handshakes_failed += 1;
      return;
    }
    X509* peer = SSL_get1_peer_certificate(stream_.native_handle());
    principal_ = principal_from_certificate(peer);
    X509_free(peer);
    read();
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(server_->config.limits.body_bytes_max);
    parser_->header_limit(static_cast<std::uint32_t>(server_->config.limits.header_bytes_max));
    beast::get_lowest_layer(stream_).expires_after(
        first_request_ ? server_->config.limits.read_timeout : server_->config.limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code error, std::size_t) {
    if (error == http::error::end_of_stream) return shutdown();
    if (error == http::error::body_limit || error == http::error::header_limit) {
      return send_error(error == http::error::body_limit ? 413 : 431, "too_large",
                        "request exceeds the configured limit", false);
    }
    if (error) return;  // timeout, reset, or garbage: drop the connection
    first_request_ = false;
    request_ = parser_->release();
    started_ = std::chrono::steady_clock::now();
    request_id_ = server_->next_request_id++;
    server_->stats.requests += 1;
    beast::get_lowest_layer(stream_).expires_never();
    dispatch();
  }

  void dispatch() {
    const std::string target(request_.target());
    const std::string method(request_.method_string());
    if (method == "GET" && target == "/healthz")
      return send(200, json::serialize(json::object{{"status", "ok"}}), "application/json");
    if (method == "GET" && target == "/readyz") return ready();
    if (method == "GET" && target == "/metrics") {
      // They tell of every member's traffic: administrators (the operator's monitoring) only.
      if (!principal_ || !principal_->is_admin())
        return send_error(403, "permission_denied", "administrators only", true);
      return send(200, server_->metrics_text(), "text/plain; version=0.0.4");
    }
    if (!principal_)
      return send_error(403, "unknown_principal",
                        "the client certificate names no backstop:member:, backstop:admin: or "
                        "backstop:replica: principal",
                        true);
    if (!server_->limiter.allow(principal_->to_string())) {
      server_->stats.rate_limited += 1;
      return send_error(429, "rate_limited", "too many requests from this principal", true);
    }
    ApiRequest api{method,
                   target,
                   std::string(request_["Idempotency-Key"]),
                   request_.body(),
                   *principal_,
                   std::nullopt,
                   {}};
    if (server_->config.simulated_clock) {
      const auto time = simulated_time();
      if (!time) return;
      api.requested_time = *time;
    }
    auto self = shared_from_this();
    api.post = [self](std::function<void()> work) {
      asio::post(self->stream_.get_executor(), std::move(work));
    };
    handle_api(api, server_->service, [self](ApiResponse response) {
      // Replies from the sequencer thread come back to the session's executor.
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)] {
        self->send(response.status, json::serialize(response.body), "application/json");
      });
    });
  }

  // The request's time under the simulated clock, which only an administrator's
  // X-Backstop-Time moves; nullopt once an error has been sent.
  std::optional<std::int64_t> simulated_time() {
    const auto text = request_["X-Backstop-Time"];
    if (text.empty()) return server_->clock.now();
    if (!principal_->is_admin()) {
      send_error(403, "time_not_allowed", "only an administrator may set X-Backstop-Time", true);
      return std::nullopt;
    }
    std::int64_t time = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), time);
    if (error != std::errc() || end != text.data() + text.size()) {
      send_error(400, "invalid_time", "X-Backstop-Time must be Unix seconds", true);
      return std::nullopt;
    }
    return server_->clock.advance(time);
  }

  // Ready means ready for writes: while they are suspended (a full disk) the answer is 503
  // with the reason, though reads are still served.
  void ready() {
    const std::size_t queue = server_->service.queue_depth();
    json::object body{{"status", "ready"}, {"queue", queue}};
    if (auto replica = server_->service.replica_status()) body["replica"] = replica_json(*replica);
    if (auto suspended = server_->service.writes_suspended()) {
      body["status"] = "not_ready";
      body["writes"] = "suspended";
      body["reads"] = "served";
      body["reason"] = json::object{{"code", error_code_name(suspended->code())},
                                    {"message", suspended->message()}};
      return send(503, json::serialize(body), "application/json");
    }
    send(200, json::serialize(body), "application/json");
  }

  void send_error(unsigned status, const std::string& code, const std::string& message,
                  bool keep_alive) {
    if (!keep_alive) request_.keep_alive(false);
    send(status, json::serialize(error_response(status, code, message).body), "application/json");
  }

  void send(unsigned status, std::string body, const char* content_type) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), request_.version());
    response->set(http::field::server, "backstopd");
    response->set(http::field::content_type, content_type);
    response->set("X-Request-Id", std::to_string(request_id_));
    response->keep_alive(request_.keep_alive());
    response->body() = std::move(body);
    response->prepare_payload();
    auto& stats = server_->stats;
    (status < 300   ? stats.responses_2xx
     : status < 500 ? stats.responses_4xx
                    : stats.responses_5xx) += 1;
    log(status);
    beast::get_lowest_layer(stream_).expires_after(server_->config.limits.read_timeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code error, std::size_t) {
                        if (error) return;
                        if (!response->keep_alive()) return self->shutdown();
                        self->read();
                      });
  }

  void log(unsigned status) const {
    const auto elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count();
    std::clog << "{\"level\":\"info\",\"request_id\":" << request_id_ << ",\"principal\":"
              << json_escape(principal_ ? principal_->to_string() : std::string("none"))
              << ",\"method\":" << json_escape(std::string(request_.method_string()))
              << ",\"target\":" << json_escape(std::string(request_.target()))
              << ",\"status\":" << status << ",\"ms\":" << elapsed_ms << "}\n";
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  std::shared_ptr<Server::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  std::optional<Principal> principal_;
  bool first_request_ = true;
  std::uint64_t request_id_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io),
                        [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
                          if (error == asio::error::operation_aborted) return;
                          if (!error) {
                            if (static_cast<std::size_t>(self->stats.connections_open.load()) >=
                                self->config.limits.connections_max) {
                              self->stats.connections_refused += 1;
                              socket.close();
                            } else {
                              self->stats.connections_accepted += 1;
                              self->stats.connections_open += 1;
                              std::make_shared<Session>(std::move(socket), self)->start();
                            }
                          }
                          if (self->acceptor.is_open()) self->accept();
                        });
}

std::string Server::Impl::metrics_text() const {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  metric("backstop_connections_accepted_total", "counter", "TLS connections accepted",
         stats.connections_accepted.load());
  metric("backstop_connections_refused_total", "counter",
         "connections refused at the connection limit", stats.connections_refused.load());
  metric("backstop_connections_open", "gauge", "connections open now",
         stats.connections_open.load());
  metric("backstop_handshakes_failed_total", "counter",
         "TLS handshakes that failed (no, unknown, expired or revoked certificate)",
         stats.handshakes_failed.load());
  metric("backstop_requests_total", "counter", "HTTP requests read", stats.requests.load());
  metric("backstop_responses_2xx_total", "counter", "successful responses",
         stats.responses_2xx.load());
  metric("backstop_responses_4xx_total", "counter", "client errors", stats.responses_4xx.load());
  metric("backstop_responses_5xx_total", "counter", "server errors", stats.responses_5xx.load());
  metric("backstop_rate_limited_total", "counter",
         "requests refused by the per-principal rate limit", stats.rate_limited.load());
  metric("backstop_commit_groups_total", "counter", "synced commit groups",
         service.groups_committed());
  metric("backstop_commands_committed_total", "counter",
         "state-changing requests decided and made durable", service.requests_committed());
  metric("backstop_sequencer_queue_depth", "gauge", "requests waiting for the sequencer",
         service.queue_depth());
  metric("backstop_writes_degraded", "gauge",
         "1 while writes are suspended (a full disk: see /readyz), reads still served",
         service.writes_suspended() ? 1 : 0);
  metric("backstop_writes_refused_degraded_total", "counter",
         "state-changing requests refused because writes were suspended", service.writes_refused());
  metric("backstop_journal_waiters", "gauge", "journal stream requests waiting for a commit",
         service.commit_watch().waiters());
  if (auto replica = service.replica_status()) out += replica_metrics(*replica);
  return out;
}

Server::Server(asio::io_context& io, const Config& config, asio::ssl::context& tls,
               FundService& service)
    : impl_(std::make_shared<Impl>(io, config, tls, service)) {}

Server::~Server() = default;

Result<std::uint16_t> Server::start() {
  beast::error_code error;
  const tcp::endpoint endpoint(asio::ip::make_address(impl_->config.listen_address, error),
                               impl_->config.port);
  if (error)
    return Status::error(ErrorCode::invalid_argument, "bad listen address: " + error.message());
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    return Status::error(ErrorCode::io_error, "cannot listen on " + impl_->config.listen_address +
                                                  ": " + error.message());
  impl_->accept();
  return impl_->acceptor.local_endpoint().port();
}

void Server::stop_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

}  // namespace backstop::daemon
