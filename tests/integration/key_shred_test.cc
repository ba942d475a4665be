// Crypto-shredding, end to end, both halves: real calls through the real
// department sealing under a wrapped keyring (libs/phi/wrapped_keyring.h),
// a rotation, more calls, then `frontdesk keys shred` of the keys retired
// before a time between the two sets of calls. Afterwards:
//   - the PHI of an old call cannot be opened (replay says the key was
//     shredded), while a new call's PHI still opens;
//   - `frontdesk verify` over both calls reports zero findings: event types,
//     lanes, rule ids, hashes, signatures and chains do not need the keys.
// And secrets never leak: no data key, nor the KEK, nor a service's signing
// private key, appears in any service log, /metrics page, tool output, or
// record on the frontdesk topics.
#include <dirent.h>
#include <httplib.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/phi_sealer.h"
#include "libs/phi/wrapped_keyring_file.h"
#include "libs/policy/clinic_policy.h"
#include "nlohmann/json.hpp"
#include "tests/integration/department_harness.h"
#include "tools/frontdesk/log_window_reader.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ToolRun {
  int exit_code = -1;
  std::string out;
};

class KeyShredTest : public ::testing::Test {
 protected:
  void SetUp() override {
    start_ = absl::Now() - absl::Seconds(5);
    auto d = Department::Start();
    ASSERT_TRUE(d.ok()) << d.status();
    dept_ = *std::move(d);
    keyring_ = dept_->keyring_file();
    kek_ = dept_->dir() + "/kek";
    stderr_file_ = dept_->dir() + "/frontdesk-tool.stderr";
    // The sample policy, with no minimum retention, so that keys retired a
    // moment ago may be shredded.
    policy_ = dept_->dir() + "/policy-no-retention.yaml";
    std::ofstream(policy_) << absl::StrReplaceAll(
        ReadAll(
            absl::StrCat(FRONTDESK_SOURCE_DIR, "/examples/clinic/policy.yaml")),
        {{"phi_years: 7", "phi_years: 0"}});
  }
  void TearDown() override {
    if (dept_ != nullptr) {
      EXPECT_TRUE(dept_->Stop().ok());
    }
  }

  // Runs the frontdesk binary; stdout captured, stderr appended to a file
  // that the secret scan reads too.
  ToolRun Frontdesk(const std::vector<std::string>& args) {
    std::string cmd = absl::StrCat(FRONTDESK_BIN_DIR, "/frontdesk");
    for (const std::string& a : args) absl::StrAppend(&cmd, " '", a, "'");
    absl::StrAppend(&cmd, " 2>>'", stderr_file_, "'");
    ToolRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    tool_output_ += r.out;
    return r;
  }

  std::vector<std::string> Auditor(const std::string& role) {
    return {"--actor=it-privacy", "--role=" + role, "--purpose=retention test",
            "--policy=" + policy_, "--kafka_brokers=" + TestBrokers()};
  }

  ToolRun Replay(const std::string& call_id) {
    std::vector<std::string> args = {
        "replay", "--call=" + call_id, "--keyring_file=" + keyring_,
        "--producer_keys=" + dept_->signing_keys_dir(),
        "--since=" +
            absl::FormatTime(absl::RFC3339_full, start_, absl::UTCTimeZone())};
    for (auto& a : Auditor("privacy-officer")) args.push_back(a);
    return Frontdesk(args);
  }

  // Restarts the two sealing services, which read the keyring at start.
  void RestartSealers() {
    ASSERT_TRUE(dept_->RestartOnSamePortAfterKill("answer").ok());
    ASSERT_TRUE(dept_->RestartOnSamePortAfterKill("handoff-prep").ok());
  }

  // A real call with PHI: a refill request with the caller's details.
  std::string RealCall() {
    auto answer = dept_->Answer();
    av::StartCallRequest start;
    start.set_tenant_id(kTenant);
    start.set_channel(av::CHANNEL_VOICE);
    start.set_reason(av::CALL_REASON_AFTER_HOURS);
    av::StartCallResponse started;
    {
      grpc::ClientContext ctx;
      EXPECT_TRUE(answer->StartCall(&ctx, start, &started).ok());
    }
    for (const char* words :
         {"what are your hours?", "I need a refill of my inhaler",
          "Maria Lopez", "March 3rd 1980", "yes", "312 555 7788"}) {
      av::TurnRequest t;
      t.set_call_id(started.call_id());
      t.set_utterance(words);
      av::TurnResponse reply;
      grpc::ClientContext ctx;
      EXPECT_TRUE(answer->Turn(&ctx, t, &reply).ok()) << words;
    }
    av::EndCallRequest end;
    end.set_call_id(started.call_id());
    av::EndCallResponse ended;
    grpc::ClientContext ctx;
    EXPECT_TRUE(answer->EndCall(&ctx, end, &ended).ok());
    return started.call_id();
  }

  std::unique_ptr<Department> dept_;
  absl::Time start_;
  std::string keyring_;
  std::string kek_;
  std::string policy_;
  std::string stderr_file_;
  std::string tool_output_;
};

TEST_F(KeyShredTest, ShreddedPhiIsUnreadableAndTheAuditSkeletonVerifies) {
  // The harness's plain keyring, wrapped by a new KEK in place.
  const std::string plain_hex(absl::StripAsciiWhitespace(
      std::vector<std::string>(absl::StrSplit(ReadAll(keyring_), ' '))[1]));
  const std::string old_key = absl::HexStringToBytes(plain_hex);
  const std::string old_id = phi::PhiSealer::FromKey(old_key)->key_id();
  const std::string wrapped = dept_->dir() + "/keyring.wrapped";
  ToolRun init =
      Frontdesk({"keys", "init", "--keyring_file=" + wrapped,
                 "--kek_file=" + kek_, "--import_plain=" + keyring_});
  ASSERT_EQ(init.exit_code, 0) << init.out;
  ASSERT_EQ(std::rename(wrapped.c_str(), keyring_.c_str()), 0);
  EXPECT_FALSE(absl::StrContains(ReadAll(keyring_), plain_hex));
  RestartSealers();

  const std::string old_call = RealCall();

  ToolRun rotate =
      Frontdesk({"keys", "rotate", "--tenant=" + std::string(kTenant),
                 "--keyring_file=" + keyring_});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out;
  auto keys = phi::WrappedKeyringFile::Load(keyring_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  const std::string new_key = *(*keys)->ActiveKey(kTenant);
  const std::string new_id = phi::PhiSealer::FromKey(new_key)->key_id();
  ASSERT_NE(new_id, old_id);
  const absl::Time between = absl::Now() + absl::Milliseconds(10);
  RestartSealers();

  const std::string new_call = RealCall();

  // Before the shred, the old call's PHI opens with the old key.
  ToolRun before = Replay(old_call);
  ASSERT_EQ(before.exit_code, 0) << before.out;
  EXPECT_TRUE(absl::StrContains(before.out, "words: \"Maria Lopez\""))
      << before.out;

  // The privacy officer shreds what was retired before `between`; a role
  // without keys.shred is refused first.
  std::vector<std::string> shred = {
      "keys", "shred", "--tenant=" + std::string(kTenant),
      "--keyring_file=" + keyring_,
      "--before=" +
          absl::FormatTime(absl::RFC3339_full, between, absl::UTCTimeZone())};
  std::vector<std::string> refused = shred;
  for (auto& a : Auditor("front-desk")) refused.push_back(a);
  EXPECT_EQ(Frontdesk(refused).exit_code, 4);
  EXPECT_EQ(*(*keys)->KeyById(kTenant, old_id), old_key);
  for (auto& a : Auditor("privacy-officer")) shred.push_back(a);
  ToolRun shredded = Frontdesk(shred);
  ASSERT_EQ(shredded.exit_code, 0) << shredded.out;
  EXPECT_TRUE(absl::StrContains(shredded.out, "shredded key " + old_id))
      << shredded.out;
  EXPECT_TRUE(absl::StrContains(shredded.out, "kept the active key " + new_id))
      << shredded.out;

  // The refusal, the shred and the keys it destroyed are on the access topic.
  auto access = cli::ReadLogWindow(dept_->kafka(), kafka::kAccessTopic, start_,
                                   nullptr, absl::Minutes(2));
  ASSERT_TRUE(access.ok()) << access.status();
  int refused_shreds = 0, allowed_shreds = 0, destroyed = 0;
  for (const auto& r : *access) {
    auto e = events::OpenEnvelopeBytes(r.value);
    if (!e.ok()) continue;
    ev::AccessRecorded a;
    if (!a.ParseFromString(e->body.payload())) continue;
    if (a.actor_id() != "it-privacy") continue;
    if (a.action() == "keys.shred")
      ++(a.allowed() ? allowed_shreds : refused_shreds);
    if (a.action() == "keys.shredded" &&
        a.resource() == absl::StrCat("keys/", kTenant, "/", old_id)) {
      ++destroyed;
    }
  }
  EXPECT_EQ(refused_shreds, 1);
  EXPECT_EQ(allowed_shreds, 1);
  EXPECT_EQ(destroyed, 1);

  ToolRun list = Frontdesk({"keys", "list", "--tenant=" + std::string(kTenant),
                            "--keyring_file=" + keyring_});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(list.out, old_id + "  shredded")) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, new_id + "  active")) << list.out;

  // Half one: the old call's PHI cannot be opened, and replay says why.
  ToolRun old_replay = Replay(old_call);
  ASSERT_EQ(old_replay.exit_code, 0) << old_replay.out;
  EXPECT_FALSE(absl::StrContains(old_replay.out, "Maria Lopez"))
      << old_replay.out;
  EXPECT_TRUE(absl::StrContains(
      old_replay.out,
      absl::StrCat("(PHI not opened: PHI key ", old_id, " of tenant \"",
                   kTenant, "\" was shredded at ")))
      << old_replay.out;
  // A new call's PHI still opens.
  ToolRun new_replay = Replay(new_call);
  ASSERT_EQ(new_replay.exit_code, 0) << new_replay.out;
  EXPECT_TRUE(absl::StrContains(new_replay.out, "words: \"Maria Lopez\""))
      << new_replay.out;
  EXPECT_FALSE(absl::StrContains(new_replay.out, "PHI not opened"))
      << new_replay.out;

  // Half two: the audit skeleton of both calls still verifies.
  std::vector<std::string> verify = {
      "verify",
      "--from=" +
          absl::FormatTime(absl::RFC3339_full, start_, absl::UTCTimeZone()),
      "--to=" + absl::FormatTime(absl::RFC3339_full,
                                 absl::Now() + absl::Seconds(1),
                                 absl::UTCTimeZone()),
      "--lookback=0s",
      "--json",
      "--producer_keys=" + dept_->signing_keys_dir()};
  for (auto& a : Auditor("privacy-officer")) verify.push_back(a);
  ToolRun verified = Frontdesk(verify);
  // The broker is shared: other departments' events in the same window are
  // checked too, against keys that are not theirs, so only this
  // department's calls must be clean (exit 0 when no one else ran).
  ASSERT_TRUE(verified.exit_code == 0 || verified.exit_code == 3)
      << verified.out;
  const nlohmann::json j = nlohmann::json::parse(verified.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << verified.out;
  EXPECT_GE(j["calls"].get<int>(), 2);
  for (const auto& f : j["findings"]) {
    const std::string call = f.value("call_id", "");
    EXPECT_NE(call, old_call) << f.dump(2);
    EXPECT_NE(call, new_call) << f.dump(2);
    EXPECT_FALSE(absl::StrContains(f.dump(), old_call)) << f.dump(2);
    EXPECT_FALSE(absl::StrContains(f.dump(), new_call)) << f.dump(2);
  }
  if (verified.exit_code == 3) {
    std::cerr << "note: verify found " << j["findings"].size()
              << " finding(s) in other departments' events on the shared "
                 "broker; none concern this test's calls\n";
  }

  // Secrets: the data keys, the KEK and the signing private keys.
  std::vector<std::string> secrets;
  for (const std::string& key :
       {old_key, new_key,
        absl::HexStringToBytes(absl::StripAsciiWhitespace(ReadAll(kek_)))}) {
    secrets.push_back(key);
    secrets.push_back(absl::BytesToHexString(key));
    secrets.push_back(absl::AsciiStrToUpper(absl::BytesToHexString(key)));
    secrets.push_back(absl::Base64Escape(key));
  }
  int private_keys = 0;
  if (DIR* d = opendir(dept_->signing_keys_dir().c_str())) {
    while (dirent* e = readdir(d)) {
      if (!absl::EndsWith(e->d_name, ".key")) continue;
      ++private_keys;
      const std::string pem =
          ReadAll(absl::StrCat(dept_->signing_keys_dir(), "/", e->d_name));
      for (absl::string_view line : absl::StrSplit(pem, '\n')) {
        if (line.size() >= 24 && !absl::StartsWith(line, "-----")) {
          secrets.emplace_back(line);
        }
      }
    }
    closedir(d);
  }
  EXPECT_GT(private_keys, 0);

  std::vector<std::pair<std::string, std::string>> places = {
      {"service logs", dept_->Logs()},
      {"tool output", tool_output_},
      {"tool errors", ReadAll(stderr_file_)},
      {"keyring file", ReadAll(keyring_)}};
  for (const auto& [name, port] : dept_->MetricsPorts()) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10);
    auto res = c.Get("/metrics");
    ASSERT_TRUE(res) << name;
    ASSERT_EQ(res->status, 200) << name;
    places.emplace_back(name + " /metrics", res->body);
  }
  auto policy = policy::LoadPolicyFile(policy_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<std::string> topics = {kafka::kCallsTopic, kafka::kAccessTopic,
                                     kafka::kPolicyTopic};
  for (const std::string& q : policy->QueueIds()) {
    topics.push_back(kafka::HandoffTopic(q));
  }
  size_t records = 0;
  for (const std::string& topic : topics) {
    auto read = cli::ReadLogWindow(dept_->kafka(), topic, start_, nullptr,
                                   absl::Minutes(2));
    if (!read.ok() && read.status().code() == absl::StatusCode::kNotFound) {
      continue;
    }
    ASSERT_TRUE(read.ok()) << topic << ": " << read.status();
    std::string all;
    for (const auto& r : *read) absl::StrAppend(&all, r.key, "\n", r.value);
    records += read->size();
    places.emplace_back(topic, all);
  }
  EXPECT_GT(records, 20u);
  for (const auto& [where, text] : places) {
    for (size_t i = 0; i < secrets.size(); ++i) {
      EXPECT_FALSE(absl::StrContains(text, secrets[i]))
          << "secret #" << i << " appears in " << where;
    }
  }
}

}  // namespace
}  // namespace frontdesk::testing
