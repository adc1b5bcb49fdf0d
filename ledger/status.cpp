#include "ledger/status.hpp"

namespace backstop {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::already_exists:
      return "already_exists";
    case ErrorCode::unbalanced:
      return "unbalanced";
    case ErrorCode::constraint:
      return "constraint";
    case ErrorCode::already_reversed:
      return "already_reversed";
    case ErrorCode::idempotency_conflict:
      return "idempotency_conflict";
    case ErrorCode::overflow:
      return "overflow";
    case ErrorCode::corruption:
      return "corruption";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::permission_denied:
      return "permission_denied";
    case ErrorCode::insufficient_storage:
      return "insufficient_storage";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(error_code_name(*code_)) + ": " + message_;
}

}  // namespace backstop
