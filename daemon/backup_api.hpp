// The administrators' backup routes (docs/api/openapi.yaml): POST /v1/admin/backups makes a
// backup into the configured directory, GET lists them. A caller never names a path.
#pragma once

#include <string>
#include <vector>

#include "daemon/api.hpp"

namespace backstop::daemon {

void create_backup_route(const ApiRequest& request, const std::vector<std::string>& parameters,
                         FundService& service, const Respond& respond);
void list_backups_route(const ApiRequest& request, const std::vector<std::string>& parameters,
                        FundService& service, const Respond& respond);

}  // namespace backstop::daemon
