#include "tools/pki_cli.hpp"

#include <iostream>
#include <memory>

#include "tools/exit_codes.hpp"
#include "tools/pki.hpp"

namespace backstop {
namespace {

struct InitCaOptions {
  std::string directory;
  int days = 3650;
};

void add_init_ca_command(CLI::App* pki, int& exit_status) {
  auto o = std::make_shared<InitCaOptions>();
  auto* command = pki->add_subcommand("init-ca", "create a CA (ca.pem, ca.key) and an empty CRL");
  command->add_option("--dir", o->directory, "PKI folder")->required();
  command->add_option("--days", o->days, "validity");
  command->callback([o, &exit_status] {
    exit_status = exit_code::from_status(pki::init_ca(o->directory, o->days));
  });
}

// Prints a failure; the exit code for the status either way.
int exit_code_for(const Status& status) {
  if (!status.is_ok()) std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

struct IssueCommandOptions {
  std::string directory;
  pki::IssueOptions issue;
};

void add_issue_command(CLI::App* pki, int& exit_status) {
  auto o = std::make_shared<IssueCommandOptions>();
  auto* command = pki->add_subcommand("issue", "issue a member, admin or server certificate");
  command->add_option("--dir", o->directory, "PKI folder")->required();
  command->add_option("--name", o->issue.name, "file stem, e.g. member-05A")->required();
  command->add_option(
      "--uri", o->issue.uri,
      "principal: backstop:member:<id>, backstop:admin:<name> or backstop:replica:<name>");
  command->add_flag("--server", o->issue.server,
                    "a server certificate for 127.0.0.1/localhost, and its head signing key "
                    "(.head.key, .head.pub)");
  command->add_option("--days", o->issue.days, "validity");
  command->add_flag("--expired", o->issue.expired, "already expired (for tests)");
  command->add_option("--ca-dir", o->issue.ca_directory, "sign with the CA in another folder");
  command->callback(
      [o, &exit_status] { exit_status = exit_code_for(pki::issue(o->directory, o->issue)); });
}

struct RevokeOptions {
  std::string directory, name;
};

void add_revoke_command(CLI::App* pki, int& exit_status) {
  auto o = std::make_shared<RevokeOptions>();
  auto* command = pki->add_subcommand("revoke", "revoke a certificate and rewrite crl.pem");
  command->add_option("--dir", o->directory, "PKI folder")->required();
  command->add_option("--name", o->name, "file stem of the certificate")->required();
  command->callback(
      [o, &exit_status] { exit_status = exit_code_for(pki::revoke(o->directory, o->name)); });
}

}  // namespace

void add_pki_commands(CLI::App& app, int& exit_status) {
  auto* pki =
      app.add_subcommand("pki", "a development PKI for backstopd: CA, certificates, revocation");
  pki->require_subcommand(1);
  add_init_ca_command(pki, exit_status);
  add_issue_command(pki, exit_status);
  add_revoke_command(pki, exit_status);
}

}  // namespace backstop
