#include "libs/serving/transport_security.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "frontdesk/rules/v1/rules_service.grpc.pb.h"
#include "gtest/gtest.h"

namespace frontdesk::serving {
namespace {

namespace rv = ::frontdesk::rules::v1;

// A rules-check stand-in: answers every Evaluate with the same rule id.
class EchoRules final : public rv::RulesCheck::Service {
  grpc::Status Evaluate(grpc::ServerContext*, const rv::EvaluateRequest*,
                        rv::EvaluateResponse* response) override {
    response->mutable_decision()->set_rule_id("R-1");
    return grpc::Status::OK;
  }
};

class TransportSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("frontdesk-tls-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(WriteDevelopmentCertificates(
                    dir_ / "ours", {"rules-check", "answer", "handoff-prep"})
                    .ok());
    ASSERT_TRUE(WriteDevelopmentCertificates(dir_ / "theirs", {"answer"}).ok());
    auto server_tls = TransportSecurity::FromDir(dir_ / "ours", "rules-check");
    ASSERT_TRUE(server_tls.ok()) << server_tls.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(
        "127.0.0.1:0", (*server_tls)->ServerCredentials(DepartmentPeerRules()),
        &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = "127.0.0.1:" + std::to_string(port_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }

  static grpc::Status Evaluate(std::shared_ptr<grpc::Channel> channel) {
    auto stub = rv::RulesCheck::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    rv::EvaluateResponse response;
    return stub->Evaluate(&ctx, rv::EvaluateRequest(), &response);
  }

  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& set,
                                           const std::string& identity) {
    auto tls = TransportSecurity::FromDir(dir_ / set, identity);
    EXPECT_TRUE(tls.ok()) << tls.status();
    return (*tls)->Channel(address_, "rules-check");
  }

  std::filesystem::path dir_;
  EchoRules service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
};

TEST_F(TransportSecurityTest, TheRightIdentityPasses) {
  grpc::Status s = Evaluate(ChannelAs("ours", "answer"));
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TransportSecurityTest, AValidButWrongIdentityIsRefused) {
  grpc::Status s = Evaluate(ChannelAs("ours", "handoff-prep"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(),
            "peer \"handoff-prep\" may not call "
            "/frontdesk.rules.v1.RulesCheck/Evaluate");
}

TEST_F(TransportSecurityTest, AClientWithoutACertificateIsRejected) {
  // TLS that trusts the server's CA but presents no certificate.
  grpc::SslCredentialsOptions options;
  std::ifstream in(dir_ / "ours" / "ca.pem");
  options.pem_root_certs.assign(std::istreambuf_iterator<char>(in), {});
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("rules-check");
  grpc::Status s = Evaluate(
      grpc::CreateCustomChannel(address_, grpc::SslCredentials(options), args));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // And plaintext does not even reach the TLS listener.
  s = Evaluate(
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(TransportSecurityTest, ACertificateFromAnotherCaIsRejected) {
  // "theirs" has an "answer" certificate with the right name, signed by a
  // different CA; it also does not trust our server.
  grpc::Status s = Evaluate(ChannelAs("theirs", "answer"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST(PeerRulesTest, UnknownMethodsAreRefusedAndHealthIsOpen) {
  const auto rules = DepartmentPeerRules();
  EXPECT_TRUE(CheckPeer(rules, "/grpc.health.v1.Health/Check", "x").ok());
  EXPECT_TRUE(
      CheckPeer(rules, "/frontdesk.answer.v1.Answer/Turn", "frontdesk-cli")
          .ok());
  EXPECT_EQ(
      CheckPeer(rules, "/frontdesk.answer.v1.Answer/Turn", "answer").code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckPeer(rules, "/other.v1.Thing/Do", "answer").message(),
            "no rule allows any peer to call /other.v1.Thing/Do");
}

TEST(PeerRulesTest, KubernetesWorkloadNamesCount) {
  EXPECT_TRUE(PeerIs("frontdesk-sunrise-answer", "answer"));
  EXPECT_TRUE(PeerIs("frontdesk-sunrise-answer.clinic.svc", "answer"));
  EXPECT_FALSE(PeerIs("frontdesk-sunrise-handoff-prep", "answer"));
  EXPECT_FALSE(PeerIs("answerer", "answer"));
  EXPECT_FALSE(PeerIs("-answer", "answer"));
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:7102"));
  EXPECT_FALSE(IsLoopbackAddress("frontdesk-sunrise-rules-check:7102"));
}

TEST(TransportSecurityFilesTest, MissingFilesAreNamed) {
  auto tls = TransportSecurity::FromDir("/nonexistent", "answer");
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tls.status().message(),
            "TLS CA certificate file /nonexistent/ca.pem cannot be read");
}

}  // namespace
}  // namespace frontdesk::serving
