#include "daemon/follower.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <iostream>

#include "daemon/fund_service.hpp"
#include "daemon/journal_stream.hpp"

namespace backstop::daemon {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

void log_line(const char* level, const std::string& message, const std::string& leader,
              const std::string& why = "") {
  json::object line{{"level", level}, {"message", message}, {"leader", leader}};
  if (!why.empty()) line["why"] = why;
  std::clog << json::serialize(line) << std::endl;
}

}  // namespace

// The follower's one connection to the leader. Every operation is asynchronous on the
// follower's own io_context, run by the follower thread until it completes, so that each
// has a timeout and cancel() (from any thread) ends the one outstanding.
class LeaderClient {
 public:
  struct Reply {
    unsigned status = 0;
    std::string body;
  };

  explicit LeaderClient(const FollowConfig& config) : config_(config) {}

  Result<Reply> get(const std::string& target, std::chrono::seconds timeout) {
    if (!stream_) {
      if (Status connected = connect(); !connected.is_ok()) {
        stream_.reset();
        return connected;
      }
    }
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, config_.leader);
    request.keep_alive(true);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    beast::error_code error = run(timeout, [&](auto done) {
      http::async_write(*stream_, request, [&, done](beast::error_code e, std::size_t) {
        if (e) return done(e);
        http::async_read(*stream_, buffer_, parser,
                         [done](beast::error_code r, std::size_t) { done(r); });
      });
    });
    if (error) {
      stream_.reset();
      return Status::error(ErrorCode::io_error, "reading from the leader: " + error.message());
    }
    if (!parser.get().keep_alive()) stream_.reset();
    return Reply{parser.get().result_int(), std::move(parser.get().body())};
  }

  void cancel() {
    cancelled_ = true;  // an operation started later ends at once
    asio::post(io_, [this] {
      if (stream_) beast::get_lowest_layer(*stream_).cancel();
    });
  }

 private:
  // Starts an operation with `start(done)` and runs the io_context until `done` is called.
  template <typename Start>
  beast::error_code run(std::chrono::seconds timeout, Start start) {
    if (cancelled_.load()) return asio::error::operation_aborted;
    beast::get_lowest_layer(*stream_).expires_after(timeout);
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code error) { result = error; });
    io_.restart();
    io_.run();
    return result;
  }

  Status connect() {
    std::uint16_t port = config_.port;
    if (!config_.port_file.empty()) {
      std::ifstream in(config_.port_file);
      int number = 0;
      if (!(in >> number) || number <= 0 || number > 65535)
        return Status::error(ErrorCode::io_error, "no port in '" + config_.port_file + "'");
      port = static_cast<std::uint16_t>(number);
    }
    beast::error_code error;
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_3_VERSION);
    tls_->load_verify_file(config_.ca_file, error);
    if (!error) tls_->use_certificate_chain_file(config_.certificate_file, error);
    if (!error)
      tls_->use_private_key_file(config_.private_key_file, asio::ssl::context::pem, error);
    if (error)
      return Status::error(ErrorCode::invalid_argument, "follower TLS set-up: " + error.message());
    tls_->set_verify_mode(asio::ssl::verify_peer);
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tls_);
    buffer_.clear();
    asio::ip::tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(config_.leader, std::to_string(port), error);
    if (!error) {
      error = run(std::chrono::seconds(10), [&](auto done) {
        beast::get_lowest_layer(*stream_).async_connect(
            endpoints, [done](beast::error_code e, const auto&) { done(e); });
      });
    }
    if (!error) {
      error = run(std::chrono::seconds(10), [&](auto done) {
        stream_->async_handshake(asio::ssl::stream_base::client, done);
      });
    }
    if (error)
      return Status::error(ErrorCode::io_error, "cannot reach the leader at " + config_.leader +
                                                    ":" + std::to_string(port) + ": " +
                                                    error.message());
    return Status::ok();
  }

  const FollowConfig& config_;
  asio::io_context io_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  std::atomic<bool> cancelled_{false};
};

Follower::Follower(FundService& service, FollowConfig config)
    : service_(service),
      config_(std::move(config)),
      client_(std::make_unique<LeaderClient>(config_)),
      synced_(Clock::now()) {
  status_.leader = config_.describe();
}

Follower::~Follower() { stop(); }

void Follower::start() {
  log_line("info", "following the leader's journal", config_.describe());
  thread_ = std::thread([this] { run(); });
}

void Follower::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
    stop_changed_.notify_all();
  }
  client_->cancel();
  if (thread_.joinable()) thread_.join();
}

void Follower::pause(std::chrono::milliseconds period) {
  std::unique_lock lock(stop_mutex_);
  stop_changed_.wait_for(lock, period, [&] { return stopping_; });
}

void Follower::run() {
  while (true) {
    {
      std::lock_guard lock(stop_mutex_);
      if (stopping_) return;
    }
    if (!follow_once()) return;
  }
}

void Follower::note_failure(const std::string& what) {
  std::lock_guard lock(status_mutex_);
  polling_caught_up_ = false;
  if (status_.last_error != what)
    log_line("warning", "cannot read the leader's journal", config_.describe(), what);
  status_.last_error = what;
}

void Follower::stop_following(const std::string& why) {
  log_line("critical",
           "STOPPED FOLLOWING: the leader's journal does not continue the history this replica "
           "verified; serving what was verified, writes still refused",
           config_.describe(), why);
  std::lock_guard lock(status_mutex_);
  polling_caught_up_ = false;
  status_.following = false;
  status_.stopped = why;
}

namespace {

// Whether `page` continues the replica's history: the leader's journal reaches the
// replica's last entry and has the very same entry there.
Status check_continuation(const JournalPage& page, std::uint64_t applied, const Digest& head) {
  if (page.head < applied) {
    return Status::error(ErrorCode::corruption,
                         "the leader's journal ends at " + std::to_string(page.head) +
                             ", before the replica's last entry " + std::to_string(applied));
  }
  if (applied > 0 && page.after_hash != to_hex(head)) {
    return Status::error(ErrorCode::corruption, "the leader's entry " + std::to_string(applied) +
                                                    " has hash " + page.after_hash +
                                                    ", the replica's " + to_hex(head));
  }
  return Status::ok();
}

}  // namespace

bool Follower::follow_once() {
  const auto [applied, head] = service_.read([](const Fund& fund) {
    return std::pair(fund.ledger().last_sequence(), fund.ledger().chain_head());
  });
  {
    std::lock_guard lock(status_mutex_);
    status_.applied = applied;
    poll_started_ = Clock::now();
    polling_caught_up_ = heard_ && status_.last_error.empty() && applied >= status_.leader_head;
  }
  const std::string target = "/v1/admin/journal?after=" + std::to_string(applied) +
                             "&limit=" + std::to_string(config_.page_entries) +
                             "&wait=" + std::to_string(config_.wait_seconds);
  auto reply = client_->get(target, std::chrono::seconds(config_.wait_seconds + 15));
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_) return false;
  }
  if (!reply.is_ok()) {
    note_failure(reply.status().message());
    pause(std::chrono::seconds(1));
    return true;
  }
  if (reply.value().status != 200) {
    note_failure("HTTP " + std::to_string(reply.value().status) + " " + reply.value().body);
    pause(std::chrono::milliseconds(reply.value().status == 429 ? 100 : 2000));
    return true;
  }
  auto page = journal_page_from_json(reply.value().body);
  if (!page.is_ok() || page.value().after != applied) {
    // Nothing of it is applied; a damaged reply is asked for again.
    note_failure(page.is_ok() ? "a page after another entry" : page.status().message());
    pause(std::chrono::seconds(1));
    return true;
  }
  if (Status continues = check_continuation(page.value(), applied, head); !continues.is_ok()) {
    stop_following(continues.message());
    return false;
  }
  const std::uint64_t leader_head = page.value().head;
  const std::uint64_t received = page.value().records.size();
  if (received > 0) {
    if (Status verified = service_.apply_replicated(std::move(page.value().records));
        !verified.is_ok()) {
      if (!service_.is_replica()) return false;  // promoted meanwhile
      stop_following(verified.message());
      return false;
    }
  }
  std::lock_guard lock(status_mutex_);
  status_.applied = applied + received;
  status_.leader_head = std::max(leader_head, status_.applied);
  status_.last_error.clear();
  heard_ = true;
  if (status_.applied >= leader_head) synced_ = Clock::now();
  return true;
}

ReplicaStatus Follower::status() const {
  std::lock_guard lock(status_mutex_);
  ReplicaStatus out = status_;
  out.lag_entries = out.leader_head > out.applied ? out.leader_head - out.applied : 0;
  const auto now = Clock::now();
  const bool waiting_caught_up =
      out.following && polling_caught_up_ &&
      now - poll_started_ < std::chrono::seconds(config_.wait_seconds + 5);
  out.lag_seconds = waiting_caught_up ? 0.0 : std::chrono::duration<double>(now - synced_).count();
  return out;
}

json::object replica_json(const ReplicaStatus& status) {
  json::object out{{"role", "replica"},
                   {"leader", status.leader},
                   {"following", status.following},
                   {"sequence", status.applied},
                   {"leader_sequence", status.leader_head},
                   {"lag_entries", status.lag_entries},
                   {"lag_seconds", status.lag_seconds}};
  if (!status.stopped.empty()) out["stopped"] = status.stopped;
  if (!status.last_error.empty()) out["last_error"] = status.last_error;
  return out;
}

std::string replica_metrics(const ReplicaStatus& status) {
  std::string out;
  auto metric = [&](const char* name, const char* help, const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + value + "\n";
  };
  metric("backstop_replica_following",
         "1 while the replica follows its leader, 0 once it stopped on a disagreement",
         status.following ? "1" : "0");
  metric("backstop_replica_sequence", "the replica's last verified sequence",
         std::to_string(status.applied));
  metric("backstop_replica_leader_sequence", "the leader's last sequence, as last seen",
         std::to_string(status.leader_head));
  metric("backstop_replica_lag_entries", "entries the leader has that the replica lacks",
         std::to_string(status.lag_entries));
  metric("backstop_replica_lag_seconds",
         "seconds since the replica last held all the leader had committed",
         std::to_string(status.lag_seconds));
  return out;
}

}  // namespace backstop::daemon
