#include "fund/claim_workflow.hpp"

namespace backstop::fund {

std::optional<ClaimStatus> next_status(ClaimStatus from, ClaimEvent event) {
  using S = ClaimStatus;
  const bool open =
      from == S::submitted || from == S::pended || from == S::under_review || from == S::appealed;
  const bool settled = from == S::approved || from == S::partially_approved ||
                       from == S::reversed || from == S::paid;
  switch (event) {
    case ClaimEvent::pend:
      return from == S::submitted ? std::optional(S::pended) : std::nullopt;
    case ClaimEvent::refer:
      return from == S::submitted ? std::optional(S::under_review) : std::nullopt;
    case ClaimEvent::approve:
      return open ? std::optional(S::approved) : std::nullopt;
    case ClaimEvent::approve_in_part:
      return open ? std::optional(S::partially_approved) : std::nullopt;
    case ClaimEvent::deny:
      return open ? std::optional(S::denied) : std::nullopt;
    case ClaimEvent::withdraw:
      return open ? std::optional(S::withdrawn) : std::nullopt;
    case ClaimEvent::appeal:
      return from == S::denied || from == S::partially_approved ? std::optional(S::under_review)
                                                                : std::nullopt;
    case ClaimEvent::pay:
      return settled ? S::paid : from;
    case ClaimEvent::reverse:
      return from == S::paid ? std::optional(S::reversed) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace backstop::fund
