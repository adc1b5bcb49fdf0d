// Errors are values: every operation that can fail returns a Status or a Result<T>.
// Codes are stable; they reach the API's JSON errors unchanged.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace backstop {

enum class ErrorCode {
  invalid_argument,      // malformed input: a bad amount, an empty key, an unknown account type
  not_found,             // names something that does not exist
  already_exists,        // creates something that exists
  unbalanced,            // postings do not sum to zero
  constraint,            // a balance would cross its floor
  already_reversed,      // a transaction may be reversed once only
  idempotency_conflict,  // the key was used before with a different payload
  overflow,              // an amount does not fit
  corruption,            // stored data disagrees with itself
  io_error,              // the store failed
  insufficient_storage,  // the store's disk is full: nothing was written, retry once it has room
  permission_denied,     // the actor may not do this
};

const char* error_code_name(ErrorCode code);

class Status {
 public:
  static Status ok() { return Status(); }
  static Status error(ErrorCode code, std::string message) {
    return Status(code, std::move(message), {}, {});
  }
  // A refusal about one field of a request, and the rule (e.g. "R02") it applies, if any:
  // data for the caller, never recovered from the message.
  static Status refusal(ErrorCode code, std::string message, std::string field,
                        std::string rule = {}) {
    return Status(code, std::move(message), std::move(field), std::move(rule));
  }

  bool is_ok() const { return !code_.has_value(); }
  ErrorCode code() const {
    assert(code_.has_value());
    return *code_;
  }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }  // "" when about no one field
  const std::string& rule() const { return rule_; }    // "" when no rule code applies
  std::string to_string() const;

 private:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string field, std::string rule)
      : code_(code),
        message_(std::move(message)),
        field_(std::move(field)),
        rule_(std::move(rule)) {}
  std::optional<ErrorCode> code_;
  std::string message_;
  std::string field_;
  std::string rule_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {
    assert(!std::get<Status>(state_).is_ok());
  }  // NOLINT

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    assert(!is_ok());
    return std::get<Status>(state_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(state_));
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace backstop
