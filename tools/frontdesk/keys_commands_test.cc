#include "tools/frontdesk/keys_commands.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_envelope.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"
#include "libs/phi/wrapped_keyring_file.h"
#include "tools/frontdesk/verify_commands.h"

namespace frontdesk::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace ev = ::frontdesk::events::v1;

constexpr char kTenant[] = "sunrise-family-medicine";
const std::string kPlainKey(32, 'p');

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class KeysCommandsTest : public ::testing::Test {
 protected:
  KeysCommandsTest()
      : clock_(absl::FromUnixSeconds(1795000000)),
        chain_(events::ThisProcess("frontdesk-cli"), &clock_),
        recorder_(&access_log_, &chain_, absl::Seconds(1)) {
    dir_ = ::testing::TempDir() + "/keys_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::remove((dir_ + "/keyring").c_str());
    std::remove((dir_ + "/kek").c_str());
    std::remove((dir_ + "/plain").c_str());
    mkdir(dir_.c_str(), 0700);
    io_.now = clock_.Now();
    io_.recorder = [this]() -> absl::StatusOr<access::AccessRecorder*> {
      return &recorder_;
    };
  }

  KeysArgs Args() {
    KeysArgs a;
    a.tenant_id = kTenant;
    a.keyring_file = dir_ + "/keyring";
    a.kek_file = dir_ + "/kek";
    return a;
  }

  // A wrapped keyring holding kPlainKey, imported from a plain keyring.
  void Init() {
    {
      std::ofstream p(dir_ + "/plain");
      p << kTenant << " " << absl::BytesToHexString(kPlainKey) << "\n";
    }
    chmod((dir_ + "/plain").c_str(), 0600);
    KeysArgs a = Args();
    a.import_plain = dir_ + "/plain";
    ASSERT_EQ(RunKeysInit(a, io_, out_, err_), 0) << err_.str();
  }

  // The sample policy with retention.phi_years replaced.
  std::string Policy(int years) {
    const std::string path = dir_ + "/policy.yaml";
    std::ofstream o(path, std::ios::trunc);
    o << absl::StrReplaceAll(
        Slurp(FRONTDESK_SAMPLE_POLICY),
        {{"phi_years: 7", absl::StrCat("phi_years: ", years)}});
    return path;
  }

  KeysArgs ShredArgs(const std::string& role, int years) {
    KeysArgs a = Args();
    a.actor_id = "pat";
    a.role = role;
    a.purpose = "retention schedule";
    a.policy_file = Policy(years);
    return a;
  }

  std::vector<ev::AccessRecorded> Accesses() {
    std::vector<ev::AccessRecorded> out;
    for (const auto& r : access_log_.Topic(kafka::kAccessTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      ev::AccessRecorded a;
      a.ParseFromString(e->body.payload());
      out.push_back(a);
    }
    return out;
  }

  ev::SealedPhi SealOld() {
    ev::PhiFields f;
    f.set_utterance("old words");
    return phi::PhiSealer::FromKey(kPlainKey)->Seal(f, kTenant, "c1");
  }

  std::string dir_;
  FakeClock clock_;
  eventlog::InMemoryEventLog access_log_;
  events::EventChain chain_;
  access::AccessRecorder recorder_;
  KeysIo io_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(KeysCommandsTest, InitImportsRotateAddsListShowsNoKeyMaterial) {
  Init();
  const std::string old_id = phi::PhiSealer::FromKey(kPlainKey)->key_id();
  EXPECT_THAT(out_.str(), HasSubstr("imported key " + old_id));
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/kek").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The keyring names its KEK by file name, next to it.
  EXPECT_THAT(Slurp(dir_ + "/keyring"), HasSubstr("kek file:kek "));
  EXPECT_EQ(RunKeysInit(Args(), io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("exists"));

  io_.now += absl::Hours(1);
  KeysArgs rotate = Args();
  rotate.kek_file = "";  // the one the keyring names
  ASSERT_EQ(RunKeysRotate(rotate, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("key " + old_id + " retired"));

  std::ostringstream list;
  ASSERT_EQ(RunKeysList(Args(), io_, list, err_), 0) << err_.str();
  EXPECT_THAT(list.str(), HasSubstr(old_id + "  retired"));
  EXPECT_THAT(list.str(), HasSubstr("active"));
  // Services and replay load the result: the old key still opens old PHI.
  auto keyring = phi::PhiKeyring::FromLocalFile(dir_ + "/keyring");
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_NE(keyring->SealerFor(kTenant)->key_id(), old_id);
  EXPECT_EQ(keyring->Open(SealOld(), kTenant, "c1")->utterance(), "old words");

  const std::string hex = absl::BytesToHexString(kPlainKey);
  const std::string kek_hex(absl::StripAsciiWhitespace(Slurp(dir_ + "/kek")));
  for (const std::string& text :
       {out_.str(), err_.str(), list.str(), Slurp(dir_ + "/keyring")}) {
    EXPECT_THAT(text, Not(HasSubstr(hex)));
    EXPECT_THAT(text, Not(HasSubstr(kek_hex)));
  }
}

TEST_F(KeysCommandsTest, RotateWithTheWrongKekChangesNothing) {
  Init();
  const std::string before = Slurp(dir_ + "/keyring");
  const std::string other = dir_ + "/other_kek";
  std::remove(other.c_str());
  ASSERT_TRUE(phi::KeyEncryptionKey::CreateFile(other).ok());
  KeysArgs a = Args();
  a.kek_file = other;
  EXPECT_EQ(RunKeysRotate(a, io_, out_, err_), 1);
  EXPECT_THAT(err_.str(), HasSubstr("the keys are wrapped by KEK"));
  EXPECT_EQ(Slurp(dir_ + "/keyring"), before);
}

TEST_F(KeysCommandsTest, ShredRefusedWithoutThePermissionAndRecorded) {
  Init();
  io_.now += absl::Hours(1);
  ASSERT_EQ(RunKeysRotate(Args(), io_, out_, err_), 0);
  const std::string before = Slurp(dir_ + "/keyring");
  KeysArgs a = ShredArgs("front-desk", 0);
  a.before = phi::KeyringTime(io_.now);
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), kExitRefused);
  EXPECT_THAT(err_.str(), HasSubstr("is not granted \"keys.shred\""));
  EXPECT_EQ(Slurp(dir_ + "/keyring"), before);
  const auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0].action(), "keys.shred");
  EXPECT_FALSE(accesses[0].allowed());
}

TEST_F(KeysCommandsTest, ShredWithinRetentionIsRefusedBeforeRecording) {
  Init();
  io_.now += absl::Hours(1);
  ASSERT_EQ(RunKeysRotate(Args(), io_, out_, err_), 0);
  KeysArgs a = ShredArgs("privacy-officer", 7);
  a.before = phi::KeyringTime(io_.now);
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("is within the retention"));
  EXPECT_TRUE(Accesses().empty());
  // "retention" is now minus 7 years: the key retired an hour ago stays.
  a.before = "retention";
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr(": 0 key(s) shredded"));
  // Another clinic's tenant is refused.
  a.tenant_id = "other-clinic";
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("is not the clinic of policy"));
}

// With no minimum retention the limit is now itself, to the fraction of a
// second: a --before a few milliseconds ago is allowed, one just ahead is not.
TEST_F(KeysCommandsTest, ZeroRetentionAllowsBeforeUpToNowToTheMillisecond) {
  Init();
  io_.now += absl::Milliseconds(1500);
  ASSERT_EQ(RunKeysRotate(Args(), io_, out_, err_), 0);
  io_.now += absl::Milliseconds(20);
  KeysArgs a = ShredArgs("privacy-officer", 0);
  a.before = absl::FormatTime(
      absl::RFC3339_full, io_.now + absl::Milliseconds(5), absl::UTCTimeZone());
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("is within the retention"));
  a.before =
      absl::FormatTime(absl::RFC3339_full, io_.now - absl::Milliseconds(10),
                       absl::UTCTimeZone());
  EXPECT_EQ(RunKeysShred(a, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("shredded key "));
}

TEST_F(KeysCommandsTest, ShredDestroysRetiredKeysKeepsActiveAndRecords) {
  Init();
  const std::string old_id = phi::PhiSealer::FromKey(kPlainKey)->key_id();
  io_.now += absl::Hours(1);
  ASSERT_EQ(RunKeysRotate(Args(), io_, out_, err_), 0);
  const absl::Time rotated = io_.now;
  io_.now += absl::Hours(1);
  KeysArgs a = ShredArgs("privacy-officer", 0);
  a.kek_file = "/nonexistent";  // shredding needs no KEK
  a.before = phi::KeyringTime(rotated + absl::Minutes(1));
  ASSERT_EQ(RunKeysShred(a, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("shredded key " + old_id));
  EXPECT_THAT(out_.str(), HasSubstr("kept the active key"));
  const auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_EQ(accesses[0].action(), "keys.shred");
  EXPECT_TRUE(accesses[0].allowed());
  EXPECT_EQ(accesses[0].purpose(), "retention schedule");
  EXPECT_EQ(accesses[1].action(), "keys.shredded");
  EXPECT_EQ(accesses[1].resource(),
            absl::StrCat("keys/", kTenant, "/", old_id));

  std::ostringstream list;
  ASSERT_EQ(RunKeysList(Args(), io_, list, err_), 0);
  EXPECT_THAT(list.str(), HasSubstr(old_id + "  shredded"));
  auto keyring = phi::PhiKeyring::FromLocalFile(dir_ + "/keyring");
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  absl::Status s = keyring->Open(SealOld(), kTenant, "c1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("was shredded at"));
  EXPECT_TRUE(keyring->SealerFor(kTenant).ok());
}

}  // namespace
}  // namespace frontdesk::cli
