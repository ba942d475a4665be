#include "libs/events/event_envelope.h"

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"

namespace frontdesk::events {
namespace {

namespace ev = ::frontdesk::events::v1;

ev::EventBody SampleBody() {
  ev::EventBody body;
  body.set_event_id("01234567-89ab-4def-8123-456789abcdef");
  body.set_tenant_id("sunrise");
  body.set_call_id("call-1");
  body.set_sequence(1);
  body.mutable_occurred_at()->set_seconds(1800000000);
  body.mutable_producer()->set_service("answer");
  body.mutable_producer()->set_instance("host:1:1");
  body.mutable_producer()->set_version("0.1.0");
  body.set_policy_version("v1");
  body.set_type(ev::EVENT_TYPE_TURN_RECEIVED);
  ev::TurnReceived turn;
  turn.set_turn_index(3);
  turn.set_utterance_chars(12);
  turn.SerializeToString(body.mutable_payload());
  return body;
}

TEST(EventEnvelopeTest, RoundTripKeepsEveryField) {
  const ev::EventBody body = SampleBody();
  const ev::EventEnvelope envelope = SealEnvelope(body);
  ASSERT_EQ(envelope.hash().size(), 32u);

  std::string wire;
  ASSERT_TRUE(envelope.SerializeToString(&wire));
  absl::StatusOr<OpenedEvent> opened = OpenEnvelopeBytes(wire);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->body.event_id(), body.event_id());
  EXPECT_EQ(opened->body.call_id(), "call-1");
  EXPECT_EQ(opened->body.sequence(), 1u);
  EXPECT_EQ(opened->body.producer().service(), "answer");
  EXPECT_EQ(opened->body.type(), ev::EVENT_TYPE_TURN_RECEIVED);
  EXPECT_EQ(opened->envelope.body(), envelope.body());
  EXPECT_EQ(SummarizePayload(opened->body), "turn=3 chars=12 (words sealed)");
}

TEST(EventEnvelopeTest, HashIsSha256OfStoredBodyBytes) {
  const ev::EventEnvelope envelope = SealEnvelope(SampleBody());
  // SHA-256 of the empty string, a fixed test vector.
  EXPECT_EQ(ToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(envelope.hash(), Sha256(envelope.body()));
}

TEST(EventEnvelopeTest, EveryTamperedByteIsDetected) {
  const ev::EventEnvelope envelope = SealEnvelope(SampleBody());
  for (size_t i = 0; i < envelope.body().size(); ++i) {
    ev::EventEnvelope tampered = envelope;
    (*tampered.mutable_body())[i] ^= 0x01;
    absl::StatusOr<OpenedEvent> opened = OpenEnvelope(tampered);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(std::string(opened.status().message()),
              "envelope.hash: does not match SHA-256 of envelope.body");
  }
}

TEST(EventEnvelopeTest, TruncatedHashIsReported) {
  ev::EventEnvelope envelope = SealEnvelope(SampleBody());
  envelope.mutable_hash()->resize(31);
  absl::StatusOr<OpenedEvent> opened = OpenEnvelope(envelope);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(std::string(opened.status().message()),
            "envelope.hash: expected 32 bytes, found 31");
}

TEST(EventEnvelopeTest, GarbageRecordIsNotAnEvent) {
  absl::StatusOr<OpenedEvent> opened = OpenEnvelopeBytes("\xff\xff\xff");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(std::string(opened.status().message()),
            "record value: not a valid EventEnvelope");
}

TEST(EventEnvelopeTest, GoldenBodyBytesStayStable) {
  // Field numbers are forever: these bytes were produced by version 1 of the
  // schema and must keep parsing to the same values.
  ev::EventBody body;
  body.set_event_id("e");
  body.set_call_id("c");
  body.set_sequence(2);
  body.set_type(ev::EVENT_TYPE_REPLY_GIVEN);
  std::string bytes;
  ASSERT_TRUE(body.SerializeToString(&bytes));
  EXPECT_EQ(ToHex(bytes), "0a01651a016320024804");
  ev::EventBody parsed;
  ASSERT_TRUE(parsed.ParseFromString(
      std::string("\x0a\x01\x65\x1a\x01\x63\x20\x02\x48\x04", 10)));
  EXPECT_EQ(parsed.event_id(), "e");
  EXPECT_EQ(parsed.call_id(), "c");
  EXPECT_EQ(parsed.sequence(), 2u);
  EXPECT_EQ(parsed.type(), ev::EVENT_TYPE_REPLY_GIVEN);
}

}  // namespace
}  // namespace frontdesk::events
