#include "tests/integration/department_harness.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/auth/staff_token.h"
#include "libs/common/uuid.h"
#include "libs/events/event_signer.h"
#include "libs/serving/transport_security.h"

namespace frontdesk::testing {

std::string TestBrokers() {
  const char* v = std::getenv("FRONTDESK_KAFKA_BROKERS");
  return v != nullptr && *v != '\0' ? v : "127.0.0.1:19092";
}

absl::StatusOr<pid_t> BrokerPid() {
  const std::string cmd =
      absl::StrCat(FRONTDESK_SOURCE_DIR, "/deploy/local/kafka/kafka.sh pid");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return absl::InternalError("popen failed");
  char buf[64] = {0};
  const size_t n = fread(buf, 1, sizeof(buf) - 1, p);
  pclose(p);
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(std::string(buf, n)),
                        &pid) ||
      pid <= 0) {
    return absl::NotFoundError(
        "the local broker is not running (kafka.sh pid)");
  }
  return static_cast<pid_t>(pid);
}

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return absl::InternalError("binding a loopback port failed");
  return static_cast<int>(ntohs(addr.sin_port));
}

absl::StatusOr<std::unique_ptr<Department>> Department::Start(
    int append_timeout_ms, const std::string& policy_path, bool staff_console) {
  auto d = std::unique_ptr<Department>(new Department());
  char tmpl[] = "/tmp/frontdesk-it-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  d->dir_ = tmpl;
  d->keyring_file_ = d->dir_ + "/keyring";
  {
    std::string key(32, '\0');
    std::ifstream random("/dev/urandom", std::ios::binary);
    if (!random.read(key.data(), static_cast<std::streamsize>(key.size()))) {
      return absl::InternalError("reading /dev/urandom failed");
    }
    std::ofstream keyring(d->keyring_file_);
    keyring << kTenant << " " << absl::BytesToHexString(key) << "\n";
    if (!keyring.flush()) {
      return absl::InternalError("writing the test keyring failed");
    }
  }
  if (chmod(d->keyring_file_.c_str(), 0600) != 0) {
    return absl::InternalError("chmod of the test keyring failed");
  }
  // The department talks mutual TLS, as in production; the tests call it as
  // the tools do ("frontdesk-cli"), or as answer where they stand in for it.
  d->tls_dir_ = d->dir_ + "/tls";
  absl::Status certs = frontdesk::serving::WriteDevelopmentCertificates(
      d->tls_dir_, {"answer", "rules-check", "handoff-prep", "record-keeper",
                    "frontdesk-cli"});
  if (!certs.ok()) return certs;
  // Staff sign in with tokens from the department's issuer.
  {
    absl::StatusOr<frontdesk::auth::IssuerKeyPair> issuer =
        frontdesk::auth::GenerateIssuerKeyPair();
    if (!issuer.ok()) return issuer.status();
    d->token_issuer_key_ = issuer->private_pem;
    d->token_public_key_file_ = d->dir_ + "/token-issuer.pub";
    std::ofstream pub(d->token_public_key_file_);
    pub << issuer->public_pem;
    if (!pub.flush()) {
      return absl::InternalError("writing the token issuer key failed");
    }
  }
  // Each service signs its events; the public keys are what an auditor
  // trusts (signing_keys_dir()).
  d->signing_keys_dir_ = d->dir_ + "/signing";
  if (mkdir(d->signing_keys_dir_.c_str(), 0700) != 0) {
    return absl::InternalError("mkdir of the signing key folder failed");
  }
  for (const char* service :
       {"answer", "rules-check", "handoff-prep", "record-keeper"}) {
    const std::string base = d->signing_keys_dir_ + "/" + service;
    absl::Status made = events::EventSigner::WriteNewKeyFiles(
        service, base + ".key", base + ".pub");
    if (!made.ok()) return made;
  }
  auto signing = [&d](const char* service) {
    return absl::StrCat("--signing_key_file=", d->signing_keys_dir_, "/",
                        service, ".key");
  };
  const std::string bin = FRONTDESK_BIN_DIR;
  const std::string policy =
      policy_path.empty()
          ? absl::StrCat(FRONTDESK_SOURCE_DIR, "/examples/clinic/policy.yaml")
          : policy_path;
  const std::vector<std::string> common = {
      absl::StrCat("--kafka_brokers=", TestBrokers()),
      absl::StrCat("--append_timeout_ms=", append_timeout_ms),
      absl::StrCat("--journal_dir=", d->dir_), "--drain_seconds=5",
      absl::StrCat("--tls_dir=", d->tls_dir_)};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = common;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };

  d->rules_args_ = with(
      {"--policy=" + policy, "--policy_poll_ms=200", signing("rules-check")});
  auto rules = ServiceProcess::Start(bin + "/rules-check", d->rules_args_,
                                     d->dir_, d->dir_ + "/rules-check.log");
  if (!rules.ok()) return rules.status();
  d->rules_ = *std::move(rules);
  if (staff_console) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    d->console_port_ = *port;
  }
  d->handoff_args_ =
      with({"--policy=" + policy, "--keyring_file=" + d->keyring_file_,
            "--token_public_key_file=" + d->token_public_key_file_,
            absl::StrCat("--console_port=", d->console_port_),
            signing("handoff-prep")});
  auto handoff = ServiceProcess::Start(bin + "/handoff-prep", d->handoff_args_,
                                       d->dir_, d->dir_ + "/handoff-prep.log");
  if (!handoff.ok()) return handoff.status();
  d->handoff_ = *std::move(handoff);
  d->records_args_ =
      with({"--consumer_group=frontdesk-record-keeper-it-" + NewUuid(),
            "--policy=" + policy, "--records_db=" + d->dir_ + "/records.db",
            "--projection_start=end",
            "--token_public_key_file=" + d->token_public_key_file_,
            signing("record-keeper")});
  auto records = ServiceProcess::Start(bin + "/record-keeper", d->records_args_,
                                       d->dir_, d->dir_ + "/record-keeper.log");
  if (!records.ok()) return records.status();
  d->records_ = *std::move(records);
  d->answer_args_ = with(
      {"--policy=" + policy, "--keyring_file=" + d->keyring_file_,
       "--rules_check_addr=" + d->rules_->address(),
       "--handoff_prep_addr=" + d->handoff_->address(), signing("answer")});
  auto answer = ServiceProcess::Start(bin + "/answer", d->answer_args_, d->dir_,
                                      d->dir_ + "/answer.log");
  if (!answer.ok()) return answer.status();
  d->answer_ = *std::move(answer);
  return d;
}

std::vector<std::pair<std::string, int>> Department::MetricsPorts() const {
  return {{"answer", answer_->metrics_port()},
          {"rules-check", rules_->metrics_port()},
          {"handoff-prep", handoff_->metrics_port()},
          {"record-keeper", records_->metrics_port()}};
}

absl::Status Department::RestartAnswerAfterKill() {
  if (answer_ != nullptr) answer_->Kill();
  auto answer =
      ServiceProcess::Start(std::string(FRONTDESK_BIN_DIR) + "/answer",
                            answer_args_, dir_, dir_ + "/answer.log");
  if (!answer.ok()) return answer.status();
  answer_ = *std::move(answer);
  return absl::OkStatus();
}

absl::Status Department::RestartHandoffAfterKill() {
  if (handoff_ == nullptr) return absl::FailedPreconditionError("not started");
  const int port = handoff_->grpc_port();
  handoff_->Kill();
  // The same port, so answer reaches the new process at the same address.
  std::vector<std::string> args = handoff_args_;
  args.push_back(absl::StrCat("--grpc_port=", port));
  absl::StatusOr<std::unique_ptr<ServiceProcess>> handoff;
  for (int attempt = 0; attempt < 20; ++attempt) {
    handoff =
        ServiceProcess::Start(std::string(FRONTDESK_BIN_DIR) + "/handoff-prep",
                              args, dir_, dir_ + "/handoff-prep.log");
    if (handoff.ok()) break;
    absl::SleepFor(absl::Milliseconds(250));  // the port may still be held
  }
  if (!handoff.ok()) return handoff.status();
  handoff_ = *std::move(handoff);
  return absl::OkStatus();
}

absl::Status Department::RestartOnSamePortAfterKill(
    const std::string& service) {
  std::unique_ptr<ServiceProcess>* process = nullptr;
  const std::vector<std::string>* flags = nullptr;
  if (service == "answer") {
    process = &answer_;
    flags = &answer_args_;
  } else if (service == "rules-check") {
    process = &rules_;
    flags = &rules_args_;
  } else if (service == "handoff-prep") {
    process = &handoff_;
    flags = &handoff_args_;
  } else if (service == "record-keeper") {
    process = &records_;
    flags = &records_args_;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("service: unknown service ", service));
  }
  if (*process == nullptr) return absl::FailedPreconditionError("not started");
  const int port = (*process)->grpc_port();
  (*process)->Kill();
  std::vector<std::string> args = *flags;
  args.push_back(absl::StrCat("--grpc_port=", port));
  absl::StatusOr<std::unique_ptr<ServiceProcess>> next;
  for (int attempt = 0; attempt < 40; ++attempt) {
    next = ServiceProcess::Start(absl::StrCat(FRONTDESK_BIN_DIR, "/", service),
                                 args, dir_,
                                 absl::StrCat(dir_, "/", service, ".log"));
    if (next.ok()) break;
    absl::SleepFor(absl::Milliseconds(250));  // the port may still be held
  }
  if (!next.ok()) return next.status();
  *process = *std::move(next);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Department::StaffToken(
    const std::string& staff_id, const std::string& role, absl::Duration ttl,
    const std::string& tenant) const {
  absl::StatusOr<std::unique_ptr<frontdesk::auth::TokenIssuer>> issuer =
      frontdesk::auth::TokenIssuer::Create(token_issuer_key_, "");
  if (!issuer.ok()) return issuer.status();
  const absl::Time now = absl::Now();
  return (*issuer)->Issue(
      {staff_id, role, tenant.empty() ? kTenant : tenant, now + ttl}, now);
}

void Department::SignIn(grpc::ClientContext* ctx, const std::string& staff_id,
                        const std::string& role,
                        const std::string& purpose) const {
  absl::StatusOr<std::string> token = StaffToken(staff_id, role);
  EXPECT_TRUE(token.ok()) << token.status();
  ctx->AddMetadata("authorization", "Bearer " + token.value_or(""));
  if (!purpose.empty()) ctx->AddMetadata("x-purpose", purpose);
}

std::shared_ptr<grpc::Channel> Department::Channel(
    const std::string& identity, const std::string& address,
    const std::string& server_identity) const {
  auto tls = frontdesk::serving::TransportSecurity::FromDir(tls_dir_, identity);
  if (!tls.ok()) {
    // Every identity the tests use was written at Start; a failure here is a
    // broken temp folder, and the call on this channel fails visibly.
    std::cerr << "harness: " << tls.status() << "\n";
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  return (*tls)->Channel(address, server_identity);
}

std::unique_ptr<frontdesk::handoff::v1::StaffQueue::Stub> Department::Staff()
    const {
  return frontdesk::handoff::v1::StaffQueue::NewStub(
      Channel("frontdesk-cli", handoff_->address(), "handoff-prep"));
}

Department::~Department() { (void)Stop(); }

absl::Status Department::Stop() {
  absl::Status status;
  for (auto* p : {&answer_, &records_, &handoff_, &rules_}) {
    if (*p == nullptr || (*p)->pid() <= 0) continue;
    const std::string name = (*p)->log_path();
    absl::StatusOr<int> code = (*p)->Terminate();
    if (!code.ok()) {
      status.Update(absl::InternalError(
          absl::StrCat(name, ": ", code.status().message())));
    } else if (*code != 0) {
      status.Update(
          absl::InternalError(absl::StrCat(name, ": exit code ", *code)));
    }
  }
  return status;
}

std::string Department::Logs() const {
  std::string out;
  for (const char* n :
       {"answer", "rules-check", "handoff-prep", "record-keeper"}) {
    absl::StrAppend(&out, ReadFile(absl::StrCat(dir_, "/", n, ".log")));
  }
  return out;
}

kafka::KafkaSettings Department::kafka() const {
  kafka::KafkaSettings s;
  s.brokers = TestBrokers();
  return s;
}

std::unique_ptr<frontdesk::answer::v1::Answer::Stub> Department::Answer()
    const {
  return frontdesk::answer::v1::Answer::NewStub(
      Channel("frontdesk-cli", answer_->address(), "answer"));
}

std::unique_ptr<frontdesk::rules::v1::RulesCheck::Stub> Department::Rules()
    const {
  return frontdesk::rules::v1::RulesCheck::NewStub(
      Channel("answer", rules_->address(), "rules-check"));
}

std::unique_ptr<frontdesk::records::v1::Records::Stub> Department::Records()
    const {
  return frontdesk::records::v1::Records::NewStub(
      Channel("frontdesk-cli", records_->address(), "record-keeper"));
}

}  // namespace frontdesk::testing
