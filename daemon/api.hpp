// The JSON API under /v1 (docs/api/openapi.yaml), apart from any socket: a request in,
// a response out (asynchronously for writes, which wait for their group to be durable).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "daemon/fund_service.hpp"
#include "daemon/tls.hpp"

namespace backstop::daemon {

struct ApiRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query
  std::string idempotency_key;
  std::string body;
  Principal principal;
  std::optional<std::int64_t> requested_time;  // X-Backstop-Time, when the clock is simulated
  // Runs work on the session's executor (the server sets it); a long poll's answer is read
  // there rather than on the thread that woke it. Unset: the work runs at once.
  std::function<void(std::function<void()>)> post;
};

struct ApiResponse {
  unsigned status = 200;
  boost::json::value body;
};

using Respond = std::function<void(ApiResponse)>;

// Every route the server registers, "METHOD /path/{param}", for the OpenAPI sync test.
const std::vector<std::string>& api_routes();

// Handles one API request; calls `respond` exactly once (perhaps on another thread).
void handle_api(const ApiRequest& request, FundService& service, const Respond& respond);

// {"error": {"code", "message", "field"}} with the HTTP status for a Status.
ApiResponse error_response(const Status& status);
ApiResponse error_response(unsigned http_status, const std::string& code,
                           const std::string& message, const std::string& field = "");

}  // namespace backstop::daemon
