// Bad input against the real services: clear errors naming the field, and
// no service falls over.
#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace rv = ::frontdesk::rules::v1;
namespace recv1 = ::frontdesk::records::v1;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = Department::Start();
    ASSERT_TRUE(d.ok()) << d.status();
    dept_ = d->release();
  }
  static void TearDownTestSuite() {
    if (dept_ == nullptr) return;
    absl::Status stopped = dept_->Stop();
    EXPECT_TRUE(stopped.ok()) << stopped;
    delete dept_;
    dept_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(dept_, nullptr); }

  grpc::Status Turn(const std::string& call_id, const std::string& words) {
    av::TurnRequest r;
    r.set_call_id(call_id);
    r.set_utterance(words);
    av::TurnResponse out;
    grpc::ClientContext ctx;
    return dept_->Answer()->Turn(&ctx, r, &out);
  }

  std::string StartCall() {
    av::StartCallRequest r;
    r.set_tenant_id(kTenant);
    av::StartCallResponse out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(dept_->Answer()->StartCall(&ctx, r, &out).ok());
    return out.call_id();
  }

  static Department* dept_;
};

Department* BadInputTest::dept_ = nullptr;

TEST_F(BadInputTest, TurnOnUnknownCallIsNotFound) {
  grpc::Status s = Turn("00000000-0000-4000-8000-000000000000", "hello");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "call_id: no active call with this id");
}

TEST_F(BadInputTest, EmptyAndOversizedUtterancesAreInvalid) {
  const std::string id = StartCall();
  grpc::Status empty = Turn(id, "");
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(empty.error_message(), "utterance: required");
  grpc::Status huge = Turn(id, std::string(5000, 'a'));
  EXPECT_EQ(huge.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(huge.error_message(), "utterance: longer than 2000 characters");
  // The call still works afterwards.
  EXPECT_TRUE(Turn(id, "where do I park").ok());
}

TEST_F(BadInputTest, MissingOrUnknownTenantIsRejected) {
  av::StartCallRequest r;
  av::StartCallResponse out;
  {
    grpc::ClientContext ctx;
    grpc::Status s = dept_->Answer()->StartCall(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(), "tenant_id: required");
  }
  r.set_tenant_id("some-other-clinic");
  {
    grpc::ClientContext ctx;
    grpc::Status s = dept_->Answer()->StartCall(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  rv::EvaluateRequest eval;
  eval.set_call_id("c");
  eval.set_utterance("hello");
  rv::EvaluateResponse decision;
  grpc::ClientContext ctx;
  grpc::Status s = dept_->Rules()->Evaluate(&ctx, eval, &decision);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "tenant_id: required");
}

TEST_F(BadInputTest, RecordKeeperRejectsMissingCallId) {
  recv1::GetCallRequest r;
  recv1::GetCallResponse out;
  grpc::ClientContext ctx;
  dept_->SignIn(&ctx, "auditor-bad-input", "auditor", "HOPERAT");
  grpc::Status s = dept_->Records()->GetCall(&ctx, r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "call_id: required");
  recv1::GetCallRequest unknown;
  unknown.set_call_id("no-such-call");
  grpc::ClientContext ctx2;
  dept_->SignIn(&ctx2, "auditor-bad-input", "auditor", "HOPERAT");
  EXPECT_EQ(dept_->Records()->GetCall(&ctx2, unknown, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(BadInputTest, NoServiceFellOver) {
  EXPECT_TRUE(dept_->answer().running());
  const std::string id = StartCall();
  EXPECT_FALSE(id.empty());
  EXPECT_TRUE(Turn(id, "what are your hours").ok());
}

}  // namespace
}  // namespace frontdesk::testing
