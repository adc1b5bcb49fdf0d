// The routes that let a receipt's holder check it against the running daemon
// (docs/api/openapi.yaml): the current signed head with the public key that signs it, and
// one journal entry's hash. Neither reveals anything of an entry's content.
#pragma once

#include <string>
#include <vector>

#include "daemon/api.hpp"

namespace backstop::daemon {

// GET /v1/head (any principal): {"head": signed head, "public_key": PEM}.
void head_view(const ApiRequest& request, const std::vector<std::string>& parameters,
               FundService& service, const Respond& respond);

// GET /v1/journal/{sequence}[?hash=HEX]: {"sequence", "hash", "head"}. An administrator may
// ask for any entry; a member must give the hash it holds (403 without one), and is answered
// only when the entry has that hash (404 otherwise), so it learns nothing it did not already
// know beyond the length of the journal, which every receipt's head shows anyway.
void journal_entry_view(const ApiRequest& request, const std::vector<std::string>& parameters,
                        FundService& service, const Respond& respond);

}  // namespace backstop::daemon
