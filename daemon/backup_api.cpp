#include "daemon/backup_api.hpp"

namespace backstop::daemon {
namespace json = boost::json;
namespace {

json::object to_json(const BackupSummary& backup) {
  return json::object{{"id", backup.id},
                      {"sequence", backup.sequence},
                      {"chain_head", to_hex(backup.chain_head)},
                      {"size_bytes", backup.size_bytes},
                      {"files", backup.files},
                      {"time", backup.time_unix_s}};
}

// The service, or the error that says why there is none.
BackupService* backups_or_refuse(const ApiRequest& request, FundService& service,
                                 const Respond& respond) {
  if (!request.principal.is_admin()) {
    respond(error_response(403, "permission_denied", "administrators only"));
    return nullptr;
  }
  BackupService* backups = service.backups();
  if (backups == nullptr) {
    respond(error_response(503, "backups_not_configured",
                           "this server has no [backup] directory configured"));
  }
  return backups;
}

// The backup directory is the configuration's: a body that could name one is refused, not
// ignored, so that nobody believes a backup went where they asked.
bool body_is_empty(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  json::error_code error;
  const json::value parsed = json::parse(body, error);
  return !error && parsed.is_object() && parsed.as_object().empty();
}

}  // namespace

void create_backup_route(const ApiRequest& request, const std::vector<std::string>&,
                         FundService& service, const Respond& respond) {
  BackupService* backups = backups_or_refuse(request, service, respond);
  if (backups == nullptr) return;
  if (!body_is_empty(request.body)) {
    return respond(error_response(400, "invalid_argument",
                                  "a backup takes no parameters: the server's configuration "
                                  "names its directory"));
  }
  const bool started = backups->start([respond](Result<BackupSummary> made) {
    if (!made.is_ok()) return respond(error_response(made.status()));
    respond(ApiResponse{201, json::object{{"backup", to_json(made.value())}}});
  });
  if (!started)
    respond(error_response(409, "backup_in_progress", "a backup is already being made"));
}

void list_backups_route(const ApiRequest& request, const std::vector<std::string>&,
                        FundService& service, const Respond& respond) {
  BackupService* backups = backups_or_refuse(request, service, respond);
  if (backups == nullptr) return;
  auto listed = backups->list();
  if (!listed.is_ok()) return respond(error_response(listed.status()));
  json::array rows;
  for (const auto& backup : listed.value()) rows.push_back(to_json(backup));
  respond(ApiResponse{200, json::object{{"directory", backups->settings().directory},
                                        {"keep", backups->settings().keep},
                                        {"backups", rows}}});
}

}  // namespace backstop::daemon
