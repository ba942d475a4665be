#include "libs/events/event_signer.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::events {
namespace {

namespace ev = ::frontdesk::events::v1;

ev::Producer Producer(const std::string& service) {
  ev::Producer p;
  p.set_service(service);
  p.set_instance(service + "-1");
  return p;
}

EventDraft Draft() {
  EventDraft d;
  d.tenant_id = "sunrise";
  d.call_id = "call-1";
  d.type = ev::EVENT_TYPE_TURN_RECEIVED;
  return d;
}

TEST(EventSignerTest, SignedChainEventsVerifyUnderTheServiceKey) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto signer = EventSigner::Generate("answer");
  EventChain chain(Producer("answer"), &clock, signer);
  EXPECT_TRUE(chain.signing());
  const ev::EventEnvelope e = chain.Next(Draft());
  EXPECT_EQ(e.signature().size(), 64u);
  EXPECT_EQ(e.signing_key_id(), signer->key_id());
  EXPECT_EQ(e.signing_key_id().rfind("answer:", 0), 0u);
  EXPECT_EQ(e.signing_key_id().size(), std::string("answer:").size() + 16);

  ProducerKeys keys;
  ASSERT_TRUE(keys.Add("answer", signer->PublicKeyPem()).ok());
  EXPECT_TRUE(keys.Verify(e, "answer").ok());
  EXPECT_EQ(keys.KeyIdFor("answer"), signer->key_id());
}

TEST(EventSignerTest, UnsignedOtherKeyAndTamperedBodiesAreRefused) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto real = EventSigner::Generate("answer");
  auto other = EventSigner::Generate("answer");
  ProducerKeys keys;
  ASSERT_TRUE(keys.Add("answer", real->PublicKeyPem()).ok());

  EventChain unsigned_chain(Producer("answer"), &clock);
  EXPECT_FALSE(unsigned_chain.signing());
  absl::Status s = keys.Verify(unsigned_chain.Next(Draft()), "answer");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message(), "unsigned");

  EventChain forger(Producer("answer"), &clock, other);
  s = keys.Verify(forger.Next(Draft()), "answer");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message(), "signed by key \"" + other->key_id() +
                             "\", not the trusted key \"" + real->key_id() +
                             "\"");

  // The forger copies the real key id: the signature then fails.
  ev::EventEnvelope copied = forger.Next(Draft());
  copied.set_signing_key_id(real->key_id());
  s = keys.Verify(copied, "answer");
  EXPECT_EQ(s.message(), "signature does not verify under " + real->key_id());

  EventChain rules(Producer("rules-check"), &clock, real);
  s = keys.Verify(rules.Next(Draft()), "rules-check");
  EXPECT_EQ(s.message(), "no trusted key for producer service \"rules-check\"");
}

TEST(EventSignerTest, KeysLoadFromPemFilesAndBadFilesAreNamed) {
  const std::string dir = ::testing::TempDir() + "/signing-keys-test";
  mkdir(dir.c_str(), 0700);
  auto signer = EventSigner::Generate("rules-check");
  { std::ofstream(dir + "/rules-check.pub") << signer->PublicKeyPem(); }
  auto keys = ProducerKeys::FromDirectory(dir);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->KeyIdFor("rules-check"), signer->key_id());

  { std::ofstream(dir + "/answer.pub") << "not a key\n"; }
  auto bad = ProducerKeys::FromDirectory(dir);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            dir + "/answer.pub: public key of answer: not a PEM public key");
  std::remove((dir + "/answer.pub").c_str());

  EXPECT_EQ(ProducerKeys::FromDirectory(dir + "/none").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(EventSigner::FromPrivateKeyPem("answer", "junk").status().message(),
            "signing key: not a PEM private key (make one with `openssl "
            "genpkey -algorithm ed25519`)");
  EXPECT_EQ(EventSigner::FromPrivateKeyFile("answer", dir + "/missing.key")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(EventSignerTest, WrittenKeyFilesLoadAndAgree) {
  const std::string dir = ::testing::TempDir() + "/signing-keys-written";
  mkdir(dir.c_str(), 0700);
  std::remove((dir + "/answer.key").c_str());
  ASSERT_TRUE(EventSigner::WriteNewKeyFiles("answer", dir + "/answer.key",
                                            dir + "/answer.pub")
                  .ok());
  struct stat st;
  ASSERT_EQ(stat((dir + "/answer.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto signer = EventSigner::FromPrivateKeyFile("answer", dir + "/answer.key");
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto keys = ProducerKeys::FromDirectory(dir);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->KeyIdFor("answer"), (*signer)->key_id());
  // An existing private key is never overwritten.
  EXPECT_EQ(EventSigner::WriteNewKeyFiles("answer", dir + "/answer.key",
                                          dir + "/answer.pub")
                .code(),
            absl::StatusCode::kInternal);
}

TEST(EventSignerTest, VerifierReportsForgedEventsAndKeepsTheChain) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto real = EventSigner::Generate("answer");
  auto other = EventSigner::Generate("answer");
  ProducerKeys keys;
  ASSERT_TRUE(keys.Add("answer", real->PublicKeyPem()).ok());
  EventChain chain(Producer("answer"), &clock, real);
  const ev::EventEnvelope first = chain.Next(Draft());
  // A forger builds the next event of the chain, correctly linked and
  // hashed, and signs it with its own key.
  ev::EventBody body;
  ASSERT_TRUE(body.ParseFromString(first.body()));
  body.set_event_id("forged-1");
  body.set_sequence(2);
  body.set_prev_hash(first.hash());
  ev::EventEnvelope forged = SealEnvelope(body);
  other->SignEnvelope(&forged);
  const ev::EventEnvelope second = chain.Next(Draft());

  ChainVerifier v("call-1", &keys);
  (void)v.Add(first.SerializeAsString(), "calls/0@0");
  (void)v.Add(forged.SerializeAsString(), "calls/0@1");
  (void)v.Add(second.SerializeAsString(), "calls/0@2");
  ASSERT_EQ(v.findings().size(), 1u);
  const Finding& f = v.findings()[0];
  EXPECT_EQ(f.kind, FindingKind::kForged);
  EXPECT_EQ(FindingKindName(f.kind), "forged");
  EXPECT_EQ(f.position, "calls/0@1");
  EXPECT_EQ(f.event_id, "forged-1");
  EXPECT_EQ(f.event_type, "TurnReceived");
  EXPECT_EQ(f.producer_service, "answer");
  EXPECT_EQ(f.producer_instance, "answer-1");
  EXPECT_EQ(f.sequence, 2u);
  EXPECT_EQ(v.signed_events(), 2);
  EXPECT_EQ(v.intact_events(), 3);
}

}  // namespace
}  // namespace frontdesk::events
