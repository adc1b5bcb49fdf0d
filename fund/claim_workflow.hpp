// A specific claim's workflow (rule 5) as one transition function:
//   submitted -> pended | under_review | approved | denied      (the automatic checks)
//   submitted | pended | under_review | appealed
//             -> approved | partially_approved | denied          (an administrator)
//             -> withdrawn                                       (the member)
//   denied | partially_approved -> under_review                  (one appeal)
//   approved | partially_approved | reversed | paid -> paid      (a payment)
//   paid -> reversed                                             (a payment undone)
// A payment on a claim in any other status (an amount approved before an appeal) leaves
// its status as it is.
#pragma once

#include <optional>

#include "fund/views.hpp"

namespace backstop::fund {

enum class ClaimEvent {
  pend,
  refer,
  approve,
  approve_in_part,
  deny,
  withdraw,
  appeal,
  pay,
  reverse
};

// The status after `event`, or nullopt when the event is not allowed from `from`.
std::optional<ClaimStatus> next_status(ClaimStatus from, ClaimEvent event);

// A claim awaiting a decision: one that an administrator may approve or deny.
inline bool is_open_status(ClaimStatus status) {
  return next_status(status, ClaimEvent::approve).has_value();
}

}  // namespace backstop::fund
