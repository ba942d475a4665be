// Malformed gRPC requests against every RPC of every real service (issue 8):
// oversized fields, invalid UTF-8, missing ids, unknown enum numbers, huge
// repeated fields and bytes that are no message at all. Each gets a clear
// non-OK status naming the field (or gRPC's own parse or size refusal), no
// service dies, each still answers a good request afterwards, and no
// service log holds the words that were sent.
//
// Invalid UTF-8 and undecodable bytes are sent raw (a hand-built encoding in
// a ByteBuffer), so the client's serializer has no say in what arrives.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "frontdesk/handoff/v1/handoff_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/serving/transport_security.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace rv = ::frontdesk::rules::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace recv1 = ::frontdesk::records::v1;

using grpc::StatusCode;

// Every caller word sent by this test carries this marker; no log may.
constexpr char kMarker[] = "quokkazephyr";
// Not UTF-8: a lone continuation byte, a truncated sequence, 0xFF.
constexpr char kBadUtf8[] = "quokkazephyr \x80 \xC3 \xFF\xFE end";

std::string Marked(size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += kMarker;
  s.resize(bytes);
  return s;
}

// The protobuf wire format, by hand.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string LengthDelimited(int field, absl::string_view value) {
  return absl::StrCat(Varint((static_cast<uint64_t>(field) << 3) | 2),
                      Varint(value.size()), value);
}
std::string VarintField(int field, uint64_t v) {
  return absl::StrCat(Varint(static_cast<uint64_t>(field) << 3), Varint(v));
}

// Bytes no message parses from: a tag varint that never ends, and a length
// that runs past the end of the message.
const std::vector<std::string>& Undecodable() {
  static const auto* all = new std::vector<std::string>{
      std::string(12, '\xFF'),
      absl::StrCat(Varint((1 << 3) | 2), Varint(100), "abc"),
  };
  return *all;
}

// Who a request says it is: a staff token issued for `id` and `role` by the
// department's token issuer, or, when `authorization` is set, that header
// exactly as given (for broken and foreign tokens).
struct Identity {
  std::string id;
  std::string role;
  std::string authorization;
};

// Issues the suite's staff tokens (set when the suite starts).
const Department* token_issuer = nullptr;

// The department's mTLS folder and each service's identity by address (set
// when the suite starts).
std::string* tls_dir = new std::string();
std::map<std::string, std::string>* identity_at =
    new std::map<std::string, std::string>();

// A channel presenting the identity the peer rules allow for `method`
// (answer for rules-check and HandoffPrep, the tools otherwise), to the
// service that serves it, with no limit on what it sends.
std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address,
                                         absl::string_view method) {
  std::string identity = "frontdesk-cli";
  if (absl::StartsWith(method, "/frontdesk.rules.v1.") ||
      absl::StartsWith(method, "/frontdesk.handoff.v1.HandoffPrep/")) {
    identity = "answer";
  }
  const std::string server = (*identity_at)[address];
  auto tls = frontdesk::serving::TransportSecurity::FromDir(*tls_dir, identity);
  EXPECT_TRUE(tls.ok()) << tls.status();
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetSslTargetNameOverride(server);
  return grpc::CreateCustomChannel(address,
                                   tls.ok()
                                       ? (*tls)->ChannelCredentials()
                                       : grpc::InsecureChannelCredentials(),
                                   args);
}

void Prepare(grpc::ClientContext* ctx, const Identity* who) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  if (who != nullptr) {
    std::string header = who->authorization;
    if (header.empty()) {
      absl::StatusOr<std::string> token =
          token_issuer->StaffToken(who->id, who->role);
      EXPECT_TRUE(token.ok()) << token.status();
      header = "Bearer " + token.value_or("");
    }
    ctx->AddMetadata("authorization", header);
    // The records API also wants a stated purpose; the staff API ignores it.
    ctx->AddMetadata("x-purpose", "HOPERAT");
  }
}

// A unary call with `bytes` as the request message, exactly as given.
grpc::Status RawUnary(const std::string& address, const char* method,
                      const std::string& bytes, std::string* reply = nullptr,
                      const Identity* who = nullptr) {
  auto channel = ChannelTo(address, method);
  grpc::ClientContext ctx;
  Prepare(&ctx, who);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status s =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          channel.get(),
          grpc::internal::RpcMethod(method,
                                    grpc::internal::RpcMethod::NORMAL_RPC),
          &ctx, request, &response);
  if (s.ok() && reply != nullptr) {
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(response.Dump(&slices).ok());
    reply->clear();
    for (const auto& sl : slices) {
      reply->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
  }
  return s;
}

// StaffQueue.Watch with `bytes` as the request; the stream's final status
// (a good request keeps streaming until the short deadline).
grpc::Status RawWatch(const std::string& address, const std::string& bytes,
                      const Identity* who, int* messages) {
  auto channel = ChannelTo(address, "/frontdesk.handoff.v1.StaffQueue/Watch");
  grpc::ClientContext ctx;
  Prepare(&ctx, who);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(1500));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
          channel.get(),
          grpc::internal::RpcMethod(
              "/frontdesk.handoff.v1.StaffQueue/Watch",
              grpc::internal::RpcMethod::SERVER_STREAMING),
          &ctx, request));
  grpc::ByteBuffer view;
  *messages = 0;
  while (reader->Read(&view)) ++*messages;
  return reader->Finish();
}

class MalformedRequestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = Department::Start();
    ASSERT_TRUE(d.ok()) << d.status();
    dept_ = d->release();
    *tls_dir = dept_->tls_dir();
    token_issuer = dept_;
    (*identity_at)[dept_->answer().address()] = "answer";
    (*identity_at)[dept_->rules_check().address()] = "rules-check";
    (*identity_at)[dept_->handoff_prep().address()] = "handoff-prep";
    (*identity_at)[dept_->record_keeper().address()] = "record-keeper";
  }
  static void TearDownTestSuite() {
    if (dept_ == nullptr) return;
    absl::Status stopped = dept_->Stop();
    EXPECT_TRUE(stopped.ok()) << stopped;
    delete dept_;
    dept_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(dept_, nullptr); }

  // The refusal must be exactly `code`, and its message must contain
  // `names` (the field, or "" where gRPC itself refused the bytes).
  static void ExpectRefused(const grpc::Status& s, StatusCode code,
                            absl::string_view names, absl::string_view what) {
    EXPECT_EQ(s.error_code(), code)
        << what << ": got " << s.error_code() << " " << s.error_message();
    EXPECT_NE(s.error_message().find(std::string(names)), std::string::npos)
        << what << ": message \"" << s.error_message() << "\" does not name "
        << names;
    EXPECT_EQ(s.error_message().find(kMarker), std::string::npos)
        << what << ": the status repeats the caller's words";
  }

  static std::unique_ptr<hv::HandoffPrep::Stub> Handoff() {
    return hv::HandoffPrep::NewStub(ChannelTo(
        dept_->handoff_prep().address(), "/frontdesk.handoff.v1.HandoffPrep/"));
  }

  static av::StartCallRequest GoodStart() {
    av::StartCallRequest r;
    r.set_tenant_id(kTenant);
    r.set_channel(av::CHANNEL_VOICE);
    r.set_direction(av::DIRECTION_INBOUND);
    r.set_reason(av::CALL_REASON_AFTER_HOURS);
    return r;
  }

  static std::string StartCall() {
    av::StartCallResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = dept_->Answer()->StartCall(&ctx, GoodStart(), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(out.fallback());
    return out.call_id();
  }

  static hv::PrepareRequest GoodPrepare() {
    hv::PrepareRequest r;
    r.set_tenant_id(kTenant);
    // Unique across runs: handoff-prep rebuilds earlier runs' handoffs from
    // the broker and would answer a repeated call and decision as a duplicate.
    r.set_call_id(absl::StrCat("malformed-it-", run_, "-", ++prepared_));
    r.mutable_decision()->set_decision_id(
        absl::StrCat("d-", run_, "-", prepared_));
    r.mutable_decision()->set_lane(rv::LANE_AI_ASSISTED);
    r.mutable_decision()->set_queue("front-desk");
    r.set_trigger_utterance("please call me back");
    return r;
  }

  // Every service is alive and answers a good request.
  static void ExpectStillServing() {
    EXPECT_TRUE(dept_->answer().running());
    EXPECT_TRUE(dept_->rules_check().running());
    EXPECT_TRUE(dept_->handoff_prep().running());
    EXPECT_TRUE(dept_->record_keeper().running());
    for (ServiceProcess* p :
         {&dept_->answer(), &dept_->rules_check(), &dept_->handoff_prep(),
          &dept_->record_keeper()}) {
      std::string reply;
      grpc::Status s =
          RawUnary(p->address(), "/grpc.health.v1.Health/Check", "", &reply);
      EXPECT_TRUE(s.ok()) << p->address() << ": " << s.error_message();
      EXPECT_EQ(reply, VarintField(1, 1)) << p->address() << " not SERVING";
    }
    {
      const std::string id = StartCall();
      av::TurnRequest r;
      r.set_call_id(id);
      r.set_utterance("what are your hours");
      av::TurnResponse out;
      grpc::ClientContext ctx;
      Prepare(&ctx, nullptr);
      grpc::Status s = dept_->Answer()->Turn(&ctx, r, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      EXPECT_FALSE(out.fallback());
      EXPECT_FALSE(out.reply().empty());
    }
    {
      rv::EvaluateRequest r;
      r.set_tenant_id(kTenant);
      r.set_call_id("malformed-it-good");
      r.set_utterance("what are your hours");
      rv::EvaluateResponse out;
      grpc::ClientContext ctx;
      Prepare(&ctx, nullptr);
      grpc::Status s = dept_->Rules()->Evaluate(&ctx, r, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      EXPECT_NE(out.decision().lane(), rv::LANE_UNSPECIFIED);
    }
    {
      hv::ListOpenRequest r;
      r.set_queue("front-desk");
      hv::ListOpenResponse out;
      grpc::ClientContext ctx;
      Prepare(&ctx, &kFrontDesk);
      grpc::Status s = dept_->Staff()->ListOpen(&ctx, r, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    {
      recv1::GetCallRequest r;
      r.set_call_id("00000000-0000-4000-8000-00000000beef");
      recv1::GetCallResponse out;
      grpc::ClientContext ctx;
      Prepare(&ctx, nullptr);
      dept_->SignIn(&ctx, "auditor-malformed", "auditor", "HOPERAT");
      EXPECT_EQ(dept_->Records()->GetCall(&ctx, r, &out).error_code(),
                StatusCode::NOT_FOUND);
    }
  }

  static const Identity kFrontDesk;
  static Department* dept_;
  static int prepared_;
  static const int64_t run_;
};

const Identity MalformedRequestsTest::kFrontDesk = {"staff-malformed-1",
                                                    "front-desk", ""};
Department* MalformedRequestsTest::dept_ = nullptr;
int MalformedRequestsTest::prepared_ = 0;
const int64_t MalformedRequestsTest::run_ = absl::ToUnixMicros(absl::Now());

// Over gRPC's 4 MB receive limit: refused before any service code runs.
const std::string& OverMessageLimit() {
  static const auto* s = new std::string(Marked(5 << 20));
  return *s;
}

TEST_F(MalformedRequestsTest, AnswerStartCall) {
  const std::string address = dept_->answer().address();
  const char* method = "/frontdesk.answer.v1.Answer/StartCall";
  auto start = [](const av::StartCallRequest& r) {
    av::StartCallResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = dept_->Answer()->StartCall(&ctx, r, &out);
    if (s.ok()) ADD_FAILURE() << "OK, call " << out.call_id() << " opened";
    return s;
  };
  {
    av::StartCallRequest r = GoodStart();
    r.clear_tenant_id();
    ExpectRefused(start(r), StatusCode::INVALID_ARGUMENT, "tenant_id",
                  "missing tenant");
  }
  {
    av::StartCallRequest r = GoodStart();
    r.set_tenant_id(Marked(10 << 10));
    ExpectRefused(start(r), StatusCode::NOT_FOUND, "tenant_id", "10 KB tenant");
  }
  {
    av::StartCallRequest r = GoodStart();
    r.set_caller_number(Marked(10 << 10));
    ExpectRefused(start(r), StatusCode::INVALID_ARGUMENT, "caller_number",
                  "10 KB caller number");
  }
  {
    av::StartCallRequest r = GoodStart();
    r.set_channel(static_cast<av::Channel>(99));
    ExpectRefused(start(r), StatusCode::INVALID_ARGUMENT, "channel",
                  "channel 99");
  }
  {
    av::StartCallRequest r = GoodStart();
    r.set_direction(static_cast<av::Direction>(99));
    ExpectRefused(start(r), StatusCode::INVALID_ARGUMENT, "direction",
                  "direction 99");
  }
  {
    av::StartCallRequest r = GoodStart();
    r.set_reason(static_cast<av::CallReason>(-7));
    ExpectRefused(start(r), StatusCode::INVALID_ARGUMENT, "reason",
                  "reason -7");
  }
  // Invalid UTF-8 never reaches the service: protobuf refuses to parse a
  // proto3 string that is not UTF-8, and gRPC answers INTERNAL.
  ExpectRefused(
      RawUnary(address, method,
               LengthDelimited(1, kTenant) + LengthDelimited(5, kBadUtf8)),
      StatusCode::INTERNAL, "", "caller_number not UTF-8");
  ExpectRefused(RawUnary(address, method, LengthDelimited(1, kBadUtf8)),
                StatusCode::INTERNAL, "", "tenant_id not UTF-8");
  // A string field sent as a varint is an unknown field to the parser: the
  // tenant is then missing.
  ExpectRefused(RawUnary(address, method, VarintField(1, 7)),
                StatusCode::INVALID_ARGUMENT, "tenant_id",
                "tenant_id as a varint");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, method, bytes), StatusCode::INTERNAL, "",
                  "undecodable bytes");
  }
  ExpectRefused(RawUnary(address, method,
                         LengthDelimited(1, kTenant) +
                             LengthDelimited(5, OverMessageLimit())),
                StatusCode::RESOURCE_EXHAUSTED, "", "5 MB request");
  ExpectStillServing();
}

TEST_F(MalformedRequestsTest, AnswerTurnAndEndCall) {
  const std::string address = dept_->answer().address();
  const char* turn_method = "/frontdesk.answer.v1.Answer/Turn";
  const std::string id = StartCall();
  auto turn = [](const av::TurnRequest& r) {
    av::TurnResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = dept_->Answer()->Turn(&ctx, r, &out);
    if (s.ok()) ADD_FAILURE() << "OK, reply " << out.reply();
    return s;
  };
  av::TurnRequest good;
  good.set_call_id(id);
  good.set_utterance(absl::StrCat(kMarker, " where do I park"));
  {
    av::TurnRequest r = good;
    r.clear_call_id();
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "missing call id");
  }
  {
    av::TurnRequest r = good;
    r.set_call_id(Marked(10 << 10));
    ExpectRefused(turn(r), StatusCode::NOT_FOUND, "call_id", "10 KB call id");
  }
  {
    av::TurnRequest r = good;
    r.clear_utterance();
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "utterance",
                  "missing utterance");
  }
  {
    av::TurnRequest r = good;
    r.set_utterance(Marked(1 << 20));
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "utterance",
                  "1 MB utterance");
  }
  {
    av::TurnRequest r = good;
    for (int i = 0; i < 100000; ++i) r.add_asr_alternatives(kMarker);
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "asr_alternatives",
                  "100k alternatives");
  }
  {
    av::TurnRequest r = good;
    r.add_asr_alternatives(Marked(1 << 20));
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "asr_alternatives[0]",
                  "1 MB alternative");
  }
  {
    av::TurnRequest r = good;
    r.set_confidence(-3.5f);
    ExpectRefused(turn(r), StatusCode::INVALID_ARGUMENT, "confidence",
                  "confidence -3.5");
  }
  ExpectRefused(RawUnary(address, turn_method,
                         LengthDelimited(1, id) + LengthDelimited(2, kBadUtf8)),
                StatusCode::INTERNAL, "", "utterance not UTF-8");
  ExpectRefused(RawUnary(address, turn_method,
                         LengthDelimited(1, id) + LengthDelimited(2, "hello") +
                             LengthDelimited(3, kBadUtf8)),
                StatusCode::INTERNAL, "", "alternative not UTF-8");
  ExpectRefused(RawUnary(address, turn_method,
                         VarintField(1, 12345) + LengthDelimited(2, "hello")),
                StatusCode::INVALID_ARGUMENT, "call_id", "call_id as a varint");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, turn_method, bytes), StatusCode::INTERNAL,
                  "", "undecodable turn");
  }
  ExpectRefused(
      RawUnary(address, turn_method,
               LengthDelimited(1, id) + LengthDelimited(2, OverMessageLimit())),
      StatusCode::RESOURCE_EXHAUSTED, "", "5 MB turn");

  const char* end_method = "/frontdesk.answer.v1.Answer/EndCall";
  auto end = [](const std::string& call_id) {
    av::EndCallRequest r;
    r.set_call_id(call_id);
    av::EndCallResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    return dept_->Answer()->EndCall(&ctx, r, &out);
  };
  ExpectRefused(end(""), StatusCode::INVALID_ARGUMENT, "call_id",
                "EndCall without call id");
  ExpectRefused(end(Marked(10 << 10)), StatusCode::NOT_FOUND, "call_id",
                "EndCall with 10 KB id");
  ExpectRefused(RawUnary(address, end_method, LengthDelimited(1, kBadUtf8)),
                StatusCode::INTERNAL, "", "EndCall id not UTF-8");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, end_method, bytes), StatusCode::INTERNAL,
                  "", "undecodable EndCall");
  }
  // The call the refusals were aimed at is untouched and still takes turns.
  av::TurnResponse out;
  grpc::ClientContext ctx;
  Prepare(&ctx, nullptr);
  grpc::Status s = dept_->Answer()->Turn(&ctx, good, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(out.fallback());
  ExpectStillServing();
}

TEST_F(MalformedRequestsTest, RulesCheckEvaluateAndAuthorize) {
  const std::string address = dept_->rules_check().address();
  const char* method = "/frontdesk.rules.v1.RulesCheck/Evaluate";
  rv::EvaluateRequest good;
  good.set_tenant_id(kTenant);
  good.set_call_id("malformed-it-rules");
  good.set_utterance(absl::StrCat(kMarker, " what are your hours"));
  auto evaluate = [](const rv::EvaluateRequest& r) {
    rv::EvaluateResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = dept_->Rules()->Evaluate(&ctx, r, &out);
    if (s.ok()) ADD_FAILURE() << "OK, rule " << out.decision().rule_id();
    return s;
  };
  {
    rv::EvaluateRequest r = good;
    r.clear_tenant_id();
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT, "tenant_id",
                  "missing tenant");
  }
  {
    rv::EvaluateRequest r = good;
    r.clear_call_id();
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "missing call id");
  }
  {
    rv::EvaluateRequest r = good;
    r.set_call_id(Marked(10 << 10));
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "10 KB call id");
  }
  {
    rv::EvaluateRequest r = good;
    r.set_tenant_id(Marked(10 << 10));
    ExpectRefused(evaluate(r), StatusCode::NOT_FOUND, "tenant_id",
                  "10 KB tenant");
  }
  {
    rv::EvaluateRequest r = good;
    r.set_utterance(Marked(1 << 20));
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT, "utterance",
                  "1 MB utterance");
  }
  {
    rv::EvaluateRequest r = good;
    for (int i = 0; i < 100000; ++i) r.add_asr_alternatives(kMarker);
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT, "asr_alternatives",
                  "100k alternatives");
  }
  {
    rv::EvaluateRequest r = good;
    for (int i = 0; i < 100000; ++i) r.mutable_context()->add_collected("x");
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT,
                  "context.collected", "100k collected fields");
  }
  {
    rv::EvaluateRequest r = good;
    r.mutable_context()->set_asking_for(Marked(10 << 10));
    ExpectRefused(evaluate(r), StatusCode::INVALID_ARGUMENT,
                  "context.asking_for", "10 KB asking_for");
  }
  ExpectRefused(RawUnary(address, method,
                         LengthDelimited(1, kTenant) + LengthDelimited(2, "c") +
                             LengthDelimited(4, kBadUtf8)),
                StatusCode::INTERNAL, "", "utterance not UTF-8");
  ExpectRefused(RawUnary(address, method,
                         LengthDelimited(1, kTenant) + LengthDelimited(2, "c") +
                             VarintField(4, 1)),
                StatusCode::INVALID_ARGUMENT, "utterance",
                "utterance as a varint");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, method, bytes), StatusCode::INTERNAL, "",
                  "undecodable Evaluate");
  }
  ExpectRefused(RawUnary(address, method,
                         LengthDelimited(1, kTenant) +
                             LengthDelimited(4, OverMessageLimit())),
                StatusCode::RESOURCE_EXHAUSTED, "", "5 MB Evaluate");

  const char* authorize_method = "/frontdesk.rules.v1.RulesCheck/Authorize";
  rv::AuthorizeRequest auth;
  auth.set_tenant_id(kTenant);
  auth.set_call_id("malformed-it-rules");
  auto authorize = [](const rv::AuthorizeRequest& r) {
    rv::AuthorizeResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = dept_->Rules()->Authorize(&ctx, r, &out);
    if (s.ok() && out.decision().allowed()) ADD_FAILURE() << "allowed";
    return s;
  };
  ExpectRefused(authorize(auth), StatusCode::INVALID_ARGUMENT, "action",
                "Authorize without an action");
  {
    rv::AuthorizeRequest r = auth;
    r.clear_call_id();
    r.mutable_action()->mutable_quote_answer()->set_text_id("hours");
    ExpectRefused(authorize(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "Authorize without call id");
  }
  {
    rv::AuthorizeRequest r = auth;
    r.mutable_action()->mutable_collect_field()->set_field(Marked(10 << 10));
    ExpectRefused(authorize(r), StatusCode::INVALID_ARGUMENT, "field",
                  "Authorize a 10 KB field");
  }
  ExpectRefused(
      RawUnary(address, authorize_method,
               LengthDelimited(1, kTenant) + LengthDelimited(2, "c") +
                   LengthDelimited(
                       4, LengthDelimited(1, LengthDelimited(1, kBadUtf8)))),
      StatusCode::INTERNAL, "", "text_id not UTF-8");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, authorize_method, bytes),
                  StatusCode::INTERNAL, "", "undecodable Authorize");
  }
  ExpectStillServing();
}

TEST_F(MalformedRequestsTest, HandoffPrepPrepare) {
  const std::string address = dept_->handoff_prep().address();
  const char* method = "/frontdesk.handoff.v1.HandoffPrep/Prepare";
  auto prepare = [](const hv::PrepareRequest& r) {
    hv::PrepareResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = Handoff()->Prepare(&ctx, r, &out);
    if (s.ok()) ADD_FAILURE() << "OK, handoff " << out.packet().handoff_id();
    return s;
  };
  {
    hv::PrepareRequest r = GoodPrepare();
    r.clear_tenant_id();
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "tenant_id",
                  "missing tenant");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.clear_call_id();
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "missing call id");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.set_call_id(Marked(10 << 10));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "call_id",
                  "10 KB call id");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.mutable_decision()->clear_decision_id();
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT,
                  "decision.decision_id", "missing decision id");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.clear_decision();
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "decision",
                  "missing decision");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.mutable_decision()->set_lane(static_cast<rv::Lane>(99));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "decision.lane",
                  "lane 99");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.mutable_decision()->set_queue(Marked(10 << 10));
    ExpectRefused(prepare(r), StatusCode::NOT_FOUND, "decision.queue",
                  "10 KB queue");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.set_trigger_utterance(Marked(1 << 20));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "trigger_utterance",
                  "1 MB trigger utterance");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    for (int i = 0; i < 100000; ++i) {
      auto* v = r.add_intake();
      v->set_field("name");
      v->set_value(kMarker);
    }
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "intake",
                  "100k intake values");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    auto* v = r.add_intake();
    v->set_field("name");
    v->set_value(Marked(1 << 20));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "intake[0]",
                  "1 MB intake value");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.set_caller_number(Marked(10 << 10));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "caller_number",
                  "10 KB caller number");
  }
  {
    hv::PrepareRequest r = GoodPrepare();
    r.set_patient_told(Marked(1 << 20));
    ExpectRefused(prepare(r), StatusCode::INVALID_ARGUMENT, "patient_told",
                  "1 MB patient_told");
  }
  const hv::PrepareRequest base = GoodPrepare();
  const std::string head =
      LengthDelimited(1, kTenant) + LengthDelimited(2, base.call_id()) +
      LengthDelimited(3, base.decision().SerializeAsString());
  ExpectRefused(RawUnary(address, method, head + LengthDelimited(4, kBadUtf8)),
                StatusCode::INTERNAL, "", "trigger_utterance not UTF-8");
  ExpectRefused(
      RawUnary(address, method,
               head + LengthDelimited(8, LengthDelimited(1, "name") +
                                             LengthDelimited(2, kBadUtf8))),
      StatusCode::INTERNAL, "", "intake value not UTF-8");
  // The decision, a message, sent as a varint: an unknown field, so the
  // decision is missing.
  ExpectRefused(
      RawUnary(address, method,
               LengthDelimited(1, kTenant) +
                   LengthDelimited(2, base.call_id()) + VarintField(3, 1)),
      StatusCode::INVALID_ARGUMENT, "decision", "decision as a varint");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, method, bytes), StatusCode::INTERNAL, "",
                  "undecodable Prepare");
  }
  ExpectRefused(
      RawUnary(address, method, head + LengthDelimited(4, OverMessageLimit())),
      StatusCode::RESOURCE_EXHAUSTED, "", "5 MB Prepare");
  ExpectStillServing();
}

TEST_F(MalformedRequestsTest, StaffQueue) {
  const std::string address = dept_->handoff_prep().address();
  // A real handoff on the front desk queue, for Claim and Resolve to aim at.
  std::string handoff_id;
  {
    hv::PrepareResponse out;
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    grpc::Status s = Handoff()->Prepare(&ctx, GoodPrepare(), &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    handoff_id = out.packet().handoff_id();
  }
  const std::string list = "/frontdesk.handoff.v1.StaffQueue/ListOpen";
  const std::string claim = "/frontdesk.handoff.v1.StaffQueue/Claim";
  const std::string resolve = "/frontdesk.handoff.v1.StaffQueue/Resolve";
  const std::string good_list = LengthDelimited(1, "front-desk");
  const std::string good_claim = LengthDelimited(1, handoff_id);
  const std::string good_resolve =
      good_claim + LengthDelimited(2, absl::StrCat(kMarker, " called back"));

  // Without a token: every RPC, even with a good request.
  for (const auto& [method, bytes] :
       std::vector<std::pair<std::string, std::string>>{
           {list, good_list}, {claim, good_claim}, {resolve, good_resolve}}) {
    ExpectRefused(RawUnary(address, method.c_str(), bytes),
                  StatusCode::UNAUTHENTICATED, "token", method);
  }
  int messages = 0;
  ExpectRefused(RawWatch(address, good_list, nullptr, &messages),
                StatusCode::UNAUTHENTICATED, "token", "Watch");
  EXPECT_EQ(messages, 0);
  // Junk where the token goes: oversized, with the caller's words in it.
  const Identity junk = {"", "", "Bearer " + Marked(1000)};
  for (const auto& method : {list, claim, resolve}) {
    ExpectRefused(RawUnary(address, method.c_str(),
                           method == list    ? good_list
                           : method == claim ? good_claim
                                             : good_resolve,
                           nullptr, &junk),
                  StatusCode::UNAUTHENTICATED, "not a signed JWT",
                  method + " with a 1000-byte junk token");
  }
  ExpectRefused(RawWatch(address, good_list, &junk, &messages),
                StatusCode::UNAUTHENTICATED, "not a signed JWT",
                "Watch with a junk token");
  {
    // Asserted identity headers count for nothing once tokens are required.
    grpc::ClientContext ctx;
    Prepare(&ctx, nullptr);
    ctx.AddMetadata("x-staff-id", "staff-malformed-2");
    ctx.AddMetadata("x-staff-role", "front-desk");
    hv::ListOpenRequest r;
    r.set_queue("front-desk");
    hv::ListOpenResponse out;
    ExpectRefused(dept_->Staff()->ListOpen(&ctx, r, &out),
                  StatusCode::UNAUTHENTICATED, "token", "asserted headers");
  }
  // Expired, another clinic's, and tampered tokens.
  {
    absl::StatusOr<std::string> expired =
        dept_->StaffToken("staff-malformed-2", "front-desk", -absl::Minutes(1));
    ASSERT_TRUE(expired.ok()) << expired.status();
    const Identity who = {"", "", "Bearer " + *expired};
    ExpectRefused(RawUnary(address, list.c_str(), good_list, nullptr, &who),
                  StatusCode::UNAUTHENTICATED, "expired", "expired token");
  }
  {
    absl::StatusOr<std::string> other = dept_->StaffToken(
        "staff-malformed-2", "front-desk", absl::Hours(1), "another-clinic");
    ASSERT_TRUE(other.ok()) << other.status();
    const Identity who = {"", "", "Bearer " + *other};
    ExpectRefused(RawUnary(address, list.c_str(), good_list, nullptr, &who),
                  StatusCode::PERMISSION_DENIED, "another clinic",
                  "another clinic's token");
  }
  {
    // A front-desk token whose claims are swapped for a nurse's, keeping the
    // front desk signature.
    absl::StatusOr<std::string> desk =
        dept_->StaffToken("staff-malformed-2", "front-desk");
    absl::StatusOr<std::string> nurse =
        dept_->StaffToken("staff-malformed-2", "triage-nurse");
    ASSERT_TRUE(desk.ok() && nurse.ok());
    const std::string forged =
        nurse->substr(0, nurse->rfind('.')) + desk->substr(desk->rfind('.'));
    const Identity who = {"", "", "Bearer " + forged};
    ExpectRefused(RawUnary(address, list.c_str(), good_list, nullptr, &who),
                  StatusCode::UNAUTHENTICATED, "signature", "tampered token");
  }

  // With identity.
  const Identity* who = &kFrontDesk;
  ExpectRefused(RawUnary(address, list.c_str(), "", nullptr, who),
                StatusCode::NOT_FOUND, "queue", "ListOpen without queue");
  ExpectRefused(RawUnary(address, list.c_str(),
                         LengthDelimited(1, Marked(10 << 10)), nullptr, who),
                StatusCode::NOT_FOUND, "queue", "ListOpen of a 10 KB queue");
  ExpectRefused(RawUnary(address, claim.c_str(), "", nullptr, who),
                StatusCode::NOT_FOUND, "handoff_id", "Claim without id");
  ExpectRefused(RawUnary(address, claim.c_str(),
                         LengthDelimited(1, Marked(10 << 10)), nullptr, who),
                StatusCode::NOT_FOUND, "handoff_id", "Claim of a 10 KB id");
  ExpectRefused(RawUnary(address, resolve.c_str(), LengthDelimited(2, "done"),
                         nullptr, who),
                StatusCode::NOT_FOUND, "handoff_id", "Resolve without id");
  const Identity stranger = {"staff-malformed-3", "billing", ""};
  ExpectRefused(
      RawUnary(address, claim.c_str(), good_claim, nullptr, &stranger),
      StatusCode::PERMISSION_DENIED, "queue",
      "Claim by a role that does not serve the queue");
  // Claimed by the front desk, then Resolve with bad notes.
  std::string reply;
  ASSERT_TRUE(RawUnary(address, claim.c_str(), good_claim, &reply, who).ok());
  ExpectRefused(RawUnary(address, resolve.c_str(), good_claim, nullptr, who),
                StatusCode::INVALID_ARGUMENT, "note", "Resolve without note");
  ExpectRefused(
      RawUnary(address, resolve.c_str(),
               good_claim + LengthDelimited(2, Marked(1 << 20)), nullptr, who),
      StatusCode::INVALID_ARGUMENT, "note", "Resolve, 1 MB note");
  ExpectRefused(
      RawUnary(address, resolve.c_str(),
               good_claim + LengthDelimited(2, kBadUtf8), nullptr, who),
      StatusCode::INTERNAL, "", "Resolve, note not UTF-8");
  ExpectRefused(RawUnary(address, list.c_str(), LengthDelimited(1, kBadUtf8),
                         nullptr, who),
                StatusCode::INTERNAL, "", "ListOpen, queue not UTF-8");
  ExpectRefused(
      RawUnary(address, list.c_str(), VarintField(1, 3), nullptr, who),
      StatusCode::NOT_FOUND, "queue", "ListOpen, queue as a varint");
  for (const std::string& bytes : Undecodable()) {
    for (const auto& method : {list, claim, resolve}) {
      ExpectRefused(RawUnary(address, method.c_str(), bytes, nullptr, who),
                    StatusCode::INTERNAL, "", method + " undecodable");
    }
    ExpectRefused(RawWatch(address, bytes, who, &messages),
                  StatusCode::INTERNAL, "", "Watch undecodable");
  }
  ExpectRefused(
      RawWatch(address, LengthDelimited(1, Marked(10 << 10)), who, &messages),
      StatusCode::NOT_FOUND, "queue", "Watch of a 10 KB queue");
  ExpectRefused(RawWatch(address, LengthDelimited(1, kBadUtf8), who, &messages),
                StatusCode::INTERNAL, "", "Watch, queue not UTF-8");
  ExpectRefused(RawUnary(address, resolve.c_str(),
                         good_claim + LengthDelimited(2, OverMessageLimit()),
                         nullptr, who),
                StatusCode::RESOURCE_EXHAUSTED, "", "5 MB Resolve");
  // The handoff is still claimed and open; a good Resolve closes it, and a
  // good Watch streams until its deadline.
  ASSERT_TRUE(
      RawUnary(address, resolve.c_str(), good_resolve, &reply, who).ok());
  EXPECT_EQ(RawWatch(address, good_list, who, &messages).error_code(),
            StatusCode::DEADLINE_EXCEEDED);
  ExpectStillServing();
}

TEST_F(MalformedRequestsTest, RecordsGetCallAndHealth) {
  const std::string address = dept_->record_keeper().address();
  const char* method = "/frontdesk.records.v1.Records/GetCall";
  // An auditor, so that what is refused is the request, not the caller.
  const Identity auditor = {"auditor-malformed", "auditor", ""};
  ExpectRefused(RawUnary(address, method, ""), StatusCode::UNAUTHENTICATED,
                "token", "GetCall without a token");
  ExpectRefused(RawUnary(address, method, "", nullptr, &auditor),
                StatusCode::INVALID_ARGUMENT, "call_id", "missing call id");
  ExpectRefused(RawUnary(address, method, LengthDelimited(1, Marked(10 << 10)),
                         nullptr, &auditor),
                StatusCode::INVALID_ARGUMENT, "call_id", "10 KB call id");
  ExpectRefused(RawUnary(address, method, LengthDelimited(1, kBadUtf8), nullptr,
                         &auditor),
                StatusCode::INTERNAL, "", "call id not UTF-8");
  ExpectRefused(RawUnary(address, method, VarintField(1, 9), nullptr, &auditor),
                StatusCode::INVALID_ARGUMENT, "call_id", "call_id as a varint");
  for (const std::string& bytes : Undecodable()) {
    ExpectRefused(RawUnary(address, method, bytes), StatusCode::INTERNAL, "",
                  "undecodable GetCall");
  }
  ExpectRefused(
      RawUnary(address, method, LengthDelimited(1, OverMessageLimit())),
      StatusCode::RESOURCE_EXHAUSTED, "", "5 MB GetCall");

  // gRPC's own health service, on every process.
  // It parses requests itself: every refusal, even of a well-formed but
  // 10 KB service name, is INVALID_ARGUMENT "could not parse request".
  for (ServiceProcess* p : {&dept_->answer(), &dept_->rules_check(),
                            &dept_->handoff_prep(), &dept_->record_keeper()}) {
    const char* check = "/grpc.health.v1.Health/Check";
    ExpectRefused(
        RawUnary(p->address(), check, LengthDelimited(1, Marked(10 << 10))),
        StatusCode::INVALID_ARGUMENT, "could not parse request",
        "health of a 10 KB service name");
    ExpectRefused(RawUnary(p->address(), check, LengthDelimited(1, kBadUtf8)),
                  StatusCode::INVALID_ARGUMENT, "could not parse request",
                  "health, name not UTF-8");
    for (const std::string& bytes : Undecodable()) {
      ExpectRefused(RawUnary(p->address(), check, bytes),
                    StatusCode::INVALID_ARGUMENT, "could not parse request",
                    "undecodable health check");
    }
  }
  ExpectStillServing();
}

// Last: nothing died, and no log holds a word that was sent.
TEST_F(MalformedRequestsTest, NoServiceDiedAndLogsHoldNoCallerWords) {
  ExpectStillServing();
  const std::string logs = dept_->Logs();
  EXPECT_FALSE(logs.empty());
  EXPECT_EQ(logs.find(kMarker), std::string::npos);
  EXPECT_EQ(logs.find("quokka"), std::string::npos);
  EXPECT_EQ(logs.find("zephyr"), std::string::npos);
}

}  // namespace
}  // namespace frontdesk::testing
