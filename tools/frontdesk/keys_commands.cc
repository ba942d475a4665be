#include "tools/frontdesk/keys_commands.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <memory>
#include <optional>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/key_encryption_key.h"
#include "libs/phi/local_keyring_file.h"
#include "libs/phi/wrapped_keyring.h"
#include "libs/phi/wrapped_keyring_file.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/clinic_policy.h"
#include "tools/frontdesk/verify_commands.h"

ABSL_FLAG(std::string, kek_file, "",
          "keys: the key-encryption key file (64 hex, mode 600); default: "
          "the one the keyring names");
ABSL_FLAG(std::string, import_plain, "",
          "keys init: wrap the keys of this plain development keyring");
ABSL_FLAG(std::string, before, "",
          "keys shred: destroy keys retired before this time (RFC 3339 or "
          "YYYY-MM-DD), or \"retention\" (now minus the policy's "
          "retention.phi_years)");

namespace frontdesk::cli {

namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string Base(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// How the keyring names its KEK file: by file name when both are in the same
// folder (so the pair can move together), else by absolute path.
std::string KekReference(const std::string& keyring, const std::string& kek) {
  if (Folder(keyring) == Folder(kek)) return "file:" + Base(kek);
  if (absl::StartsWith(kek, "/")) return "file:" + kek;
  char* cwd = getcwd(nullptr, 0);
  std::string abs = absl::StrCat(cwd == nullptr ? "." : cwd, "/", kek);
  std::free(cwd);
  return "file:" + abs;
}

// Serializes the commands that rewrite a keyring (init, rotate, shred):
// an exclusive flock on "<keyring>.lock", held until destroyed, so that two
// operators never overwrite each other's change.
class KeyringLock {
 public:
  static absl::StatusOr<std::unique_ptr<KeyringLock>> Take(
      const std::string& keyring) {
    const std::string path = keyring + ".lock";
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
      if (fd >= 0) close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("cannot lock ", path, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<KeyringLock>(new KeyringLock(fd));
  }
  ~KeyringLock() { close(fd_); }

 private:
  explicit KeyringLock(int fd) : fd_(fd) {}
  int fd_;
};

int Fail(const char* command, const absl::Status& s, std::ostream& err) {
  err << "frontdesk keys " << command << ": " << s.message() << "\n";
  return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Required(const char* command, const char* flag, std::ostream& err) {
  err << "frontdesk keys " << command << ": " << flag << ": required\n";
  return 2;
}

// The same UTC wall time `years` earlier, keeping the fraction of a second:
// dropping it would put the limit up to a second before `now`.
absl::Time YearsBefore(absl::Time now, int years) {
  const absl::CivilSecond c = absl::ToCivilSecond(now, absl::UTCTimeZone());
  const absl::Duration fraction = now - absl::FromCivil(c, absl::UTCTimeZone());
  return absl::FromCivil(absl::CivilSecond(c.year() - years, c.month(), c.day(),
                                           c.hour(), c.minute(), c.second()),
                         absl::UTCTimeZone()) +
         fraction;
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

}  // namespace

int RunKeysInit(const KeysArgs& args, KeysIo& io, std::ostream& out,
                std::ostream& err) {
  if (args.keyring_file.empty()) return Required("init", "--keyring_file", err);
  if (args.kek_file.empty()) return Required("init", "--kek_file", err);
  auto lock = KeyringLock::Take(args.keyring_file);
  if (!lock.ok()) return Fail("init", lock.status(), err);
  if (Exists(args.keyring_file)) {
    err << "frontdesk keys init: --keyring_file " << args.keyring_file
        << ": exists; use `frontdesk keys rotate` to add keys\n";
    return 2;
  }
  std::optional<std::unique_ptr<phi::LocalKeyringFile>> plain;
  if (!args.import_plain.empty()) {
    auto p = phi::LocalKeyringFile::Load(args.import_plain);
    if (!p.ok()) return Fail("init", p.status(), err);
    plain.emplace(*std::move(p));
  }
  const bool new_kek = !Exists(args.kek_file);
  absl::StatusOr<phi::KeyEncryptionKey> kek =
      new_kek ? phi::KeyEncryptionKey::CreateFile(args.kek_file)
              : phi::KeyEncryptionKey::FromFile(args.kek_file);
  if (!kek.ok()) return Fail("init", kek.status(), err);
  phi::WrappedKeyring ring(KekReference(args.keyring_file, args.kek_file),
                           kek->id());
  if (plain.has_value()) {
    for (const auto& e : (*plain)->entries()) {
      auto id = ring.Add(*kek, e.tenant_id, e.key, io.now);
      if (!id.ok()) return Fail("init", id.status(), err);
      out << "imported key " << *id << " of " << e.tenant_id << "\n";
    }
  }
  if (!args.tenant_id.empty() && ring.ForTenant(args.tenant_id).empty()) {
    auto id = ring.Rotate(*kek, args.tenant_id, io.now);
    if (!id.ok()) return Fail("init", id.status(), err);
    out << "new key " << *id << " of " << args.tenant_id << " (active)\n";
  }
  if (ring.keys().empty()) {
    err << "frontdesk keys init: no keys: give --tenant or --import_plain\n";
    return 2;
  }
  absl::Status w =
      phi::WrappedKeyringFile::WriteKeyring(args.keyring_file, ring);
  if (!w.ok()) return Fail("init", w, err);
  out << "wrapped keyring " << args.keyring_file << " (KEK " << kek->id()
      << (new_kek ? ", new, in " : ", from ") << args.kek_file << ")\n";
  return 0;
}

int RunKeysRotate(const KeysArgs& args, KeysIo& io, std::ostream& out,
                  std::ostream& err) {
  if (args.keyring_file.empty())
    return Required("rotate", "--keyring_file", err);
  if (args.tenant_id.empty()) return Required("rotate", "--tenant", err);
  auto lock = KeyringLock::Take(args.keyring_file);
  if (!lock.ok()) return Fail("rotate", lock.status(), err);
  auto ring = phi::WrappedKeyringFile::ReadKeyring(args.keyring_file);
  if (!ring.ok()) return Fail("rotate", ring.status(), err);
  auto kek = phi::KeyEncryptionKey::FromFile(phi::WrappedKeyringFile::KekPath(
      args.keyring_file, *ring, args.kek_file));
  if (!kek.ok()) return Fail("rotate", kek.status(), err);
  // Every existing key must unwrap with this KEK before the file changes.
  auto check = phi::WrappedKeyringFile::FromKeyring(*ring, *kek);
  if (!check.ok()) return Fail("rotate", check.status(), err);
  std::string retired;
  for (const auto& k : ring->ForTenant(args.tenant_id)) {
    if (k.active()) retired = k.key_id;
  }
  auto id = ring->Rotate(*kek, args.tenant_id, io.now);
  if (!id.ok()) return Fail("rotate", id.status(), err);
  absl::Status w =
      phi::WrappedKeyringFile::WriteKeyring(args.keyring_file, *ring);
  if (!w.ok()) return Fail("rotate", w, err);
  out << "tenant " << args.tenant_id << ": key " << *id << " is active";
  if (!retired.empty()) out << "; key " << retired << " retired";
  out << " at " << phi::KeyringTime(io.now)
      << ". Restart answer and handoff-prep to seal with it.\n";
  return 0;
}

int RunKeysList(const KeysArgs& args, KeysIo&, std::ostream& out,
                std::ostream& err) {
  if (args.keyring_file.empty()) return Required("list", "--keyring_file", err);
  if (args.tenant_id.empty()) return Required("list", "--tenant", err);
  auto ring = phi::WrappedKeyringFile::ReadKeyring(args.keyring_file);
  if (!ring.ok()) return Fail("list", ring.status(), err);
  const auto keys = ring->ForTenant(args.tenant_id);
  if (keys.empty()) {
    err << "frontdesk keys list: tenant \"" << args.tenant_id
        << "\" has no keys in " << args.keyring_file << "\n";
    return 1;
  }
  auto time_or_dash = [](absl::Time t) {
    return t == absl::InfiniteFuture() ? std::string("-") : phi::KeyringTime(t);
  };
  out << "tenant " << args.tenant_id << ", keys wrapped by KEK "
      << ring->kek_id() << "\n";
  out << std::left << std::setw(18) << "key id" << std::setw(10) << "state"
      << std::setw(37) << "created" << std::setw(37) << "retired"
      << "shredded\n";
  for (const auto& k : keys) {
    const char* state =
        k.is_shredded() ? "shredded" : (k.active() ? "active" : "retired");
    out << std::left << std::setw(18) << k.key_id << std::setw(10) << state
        << std::setw(37) << phi::KeyringTime(k.created) << std::setw(37)
        << time_or_dash(k.retired) << time_or_dash(k.shredded) << "\n";
  }
  return 0;
}

int RunKeysShred(const KeysArgs& args, KeysIo& io, std::ostream& out,
                 std::ostream& err) {
  if (args.keyring_file.empty())
    return Required("shred", "--keyring_file", err);
  if (args.tenant_id.empty()) return Required("shred", "--tenant", err);
  if (args.before.empty()) return Required("shred", "--before", err);
  AuditArgs who;
  who.actor_id = args.actor_id;
  who.role = args.role;
  who.purpose = args.purpose;
  if (absl::Status s = CheckAuditArgs(who); !s.ok()) {
    err << "frontdesk keys shred: " << s.message() << "\n";
    return 2;
  }
  auto policy = policy::LoadPolicyFile(args.policy_file);
  if (!policy.ok()) {
    err << "frontdesk keys shred: --policy: " << policy.status().message()
        << "\n";
    return 2;
  }
  if (policy->tenant_id() != args.tenant_id) {
    err << "frontdesk keys shred: --tenant " << args.tenant_id
        << " is not the clinic of policy " << policy->version() << " ("
        << policy->tenant_id() << ")\n";
    return 2;
  }
  if (!policy->proto().has_retention()) {
    err << "frontdesk keys shred: policy " << policy->version()
        << " sets no retention.phi_years; decide how long PHI is kept "
           "before destroying keys\n";
    return 2;
  }
  const int years = static_cast<int>(policy->proto().retention().phi_years());
  const absl::Time latest = YearsBefore(io.now, years);
  absl::Time before = latest;
  if (args.before != "retention") {
    auto t = ParseSince("--before", args.before);
    if (!t.ok()) {
      err << "frontdesk keys shred: " << t.status().message() << "\n";
      return 2;
    }
    before = *t;
  }
  if (before > latest) {
    err << "frontdesk keys shred: --before " << args.before
        << " is within the retention of policy " << policy->version() << " ("
        << years << " years: PHI from " << phi::KeyringTime(latest)
        << " on must be kept)\n";
    return 2;
  }
  auto lock = KeyringLock::Take(args.keyring_file);
  if (!lock.ok()) return Fail("shred", lock.status(), err);
  // Check the keyring before recording anything.
  auto ring = phi::WrappedKeyringFile::ReadKeyring(args.keyring_file);
  if (!ring.ok()) return Fail("shred", ring.status(), err);
  if (ring->ForTenant(args.tenant_id).empty()) {
    err << "frontdesk keys shred: tenant \"" << args.tenant_id
        << "\" has no keys in " << args.keyring_file << "\n";
    return 2;
  }

  auto recorder = io.recorder();
  if (!recorder.ok()) {
    err << "frontdesk keys shred: the access record cannot be written, so "
           "nothing was destroyed: "
        << recorder.status().message() << "\n";
    return 1;
  }
  access::Access a;
  a.tenant_id = policy->tenant_id();
  a.policy_version = policy->version();
  a.actor_id = args.actor_id;
  a.role = args.role;
  a.action = "keys.shred";
  a.resource = absl::StrCat("keys/", args.tenant_id, "/retired-before/",
                            phi::KeyringTime(before));
  a.purpose = args.purpose;
  a.via = "cli";
  absl::Status s = access::AuthorizeAndRecord(policy->proto(), **recorder, a,
                                              policy::kPermKeysShred);
  if (s.code() == absl::StatusCode::kPermissionDenied) {
    err << "frontdesk keys shred: refused: role \"" << args.role
        << "\" is not granted \"" << policy::kPermKeysShred << "\" by policy "
        << policy->version() << " (the refusal is recorded)\n";
    return kExitRefused;
  }
  if (!s.ok()) {
    err << "frontdesk keys shred: the access could not be recorded, so "
           "nothing was destroyed: "
        << s.message() << "\n";
    return 1;
  }

  auto gone = ring->Shred(args.tenant_id, before, io.now);
  if (!gone.ok()) return Fail("shred", gone.status(), err);
  if (!gone->empty()) {
    absl::Status w =
        phi::WrappedKeyringFile::WriteKeyring(args.keyring_file, *ring);
    if (!w.ok()) return Fail("shred", w, err);
  }
  if (!gone->empty()) {
    // Which keys were destroyed, for the audit trail (ids only).
    std::vector<std::string> ids;
    for (const auto& k : *gone) ids.push_back(k.key_id);
    access::Access done = a;
    done.action = "keys.shredded";
    done.resource =
        absl::StrCat("keys/", args.tenant_id, "/", absl::StrJoin(ids, ","));
    done.allowed = true;
    done.reason.clear();
    if (absl::Status r = (*recorder)->Record(done); !r.ok()) {
      err << "frontdesk keys shred: the keys were shredded, but which ones "
             "could not be recorded: "
          << r.message() << "\n";
      return 1;
    }
  }
  for (const auto& k : *gone) {
    out << "shredded key " << k.key_id << " (used "
        << phi::KeyringTime(k.created) << " to " << phi::KeyringTime(k.retired)
        << "): the PHI it sealed can no longer be opened\n";
  }
  for (const auto& k : ring->ForTenant(args.tenant_id)) {
    if (k.active()) out << "kept the active key " << k.key_id << "\n";
  }
  out << "tenant " << args.tenant_id << ": " << gone->size()
      << " key(s) shredded, retired before " << phi::KeyringTime(before)
      << " (retention " << years << " years, " << Day(latest) << ")\n";
  return 0;
}

namespace {

std::string ToolFlag(absl::string_view name) {
  absl::CommandLineFlag* f = absl::FindCommandLineFlag(name);
  return f == nullptr ? std::string() : f->CurrentValue();
}

}  // namespace

int RunKeysCli(const std::vector<char*>& args, std::ostream& out,
               std::ostream& err) {
  const std::string sub = args.size() >= 3 ? args[2] : "";
  KeysArgs a;
  a.tenant_id = ToolFlag("tenant");
  a.keyring_file = ToolFlag("keyring_file");
  a.kek_file = absl::GetFlag(FLAGS_kek_file);
  a.import_plain = absl::GetFlag(FLAGS_import_plain);
  a.before = absl::GetFlag(FLAGS_before);
  a.actor_id = ToolFlag("actor");
  a.role = ToolFlag("role");
  a.purpose = ToolFlag("purpose");
  a.policy_file = ToolFlag("policy");
  KeysIo io;
  io.now = RealClock::Get()->Now();
  // The CLI's own producer of access events, made only when needed.
  std::unique_ptr<kafka::KafkaEventLog> log;
  std::unique_ptr<events::EventChain> chain;
  std::unique_ptr<access::AccessRecorder> recorder;
  io.recorder = [&]() -> absl::StatusOr<access::AccessRecorder*> {
    auto settings = kafka::ParseKafkaSettings(ToolFlag("kafka_brokers"),
                                              ToolFlag("kafka_properties"));
    if (!settings.ok()) return settings.status();
    kafka::KafkaEventLogOptions options;
    options.client_id = "frontdesk-cli";
    options.warm_topics = {kafka::kAccessTopic};
    auto l = kafka::KafkaEventLog::Create(*settings, options);
    if (!l.ok()) return l.status();
    log = *std::move(l);
    chain = std::make_unique<events::EventChain>(
        events::ThisProcess("frontdesk-cli"), RealClock::Get());
    recorder = std::make_unique<access::AccessRecorder>(log.get(), chain.get(),
                                                        absl::Seconds(10));
    return recorder.get();
  };
  if (sub == "init") return RunKeysInit(a, io, out, err);
  if (sub == "rotate") return RunKeysRotate(a, io, out, err);
  if (sub == "list") return RunKeysList(a, io, out, err);
  if (sub == "shred") return RunKeysShred(a, io, out, err);
  err << "usage: frontdesk keys init|rotate|list|shred (see "
         "tools/frontdesk/keys_commands.h)\n";
  return 2;
}

}  // namespace frontdesk::cli
