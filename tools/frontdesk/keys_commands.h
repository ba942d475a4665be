// `frontdesk keys`: the PHI data keys of a wrapped keyring
// (libs/phi/wrapped_keyring.h): make one, rotate, list and shred.
//
//   frontdesk keys init --keyring_file F --kek_file K [--tenant T]
//                       [--import_plain P]
//       Makes the wrapped keyring F (which must not exist). K is the KEK
//       file; a new random KEK is written there (mode 600) when it does not
//       exist. With --import_plain, the keys of a plain development keyring
//       are wrapped into F (the last of each tenant stays active); a --tenant
//       without a key gets a new random one.
//   frontdesk keys rotate --tenant T --keyring_file F [--kek_file K]
//       A new random data key becomes T's active key; the old one is retired
//       and keeps opening what it sealed. Restart the services to seal with
//       the new key. Needs the KEK (the one F names, or --kek_file).
//   frontdesk keys list --tenant T --keyring_file F
//       Each key: id, state (active, retired, shredded), created, retired,
//       shredded. Never key material; needs no KEK.
//   frontdesk keys shred --tenant T --before DATE|retention --keyring_file F
//                        --policy P --actor A --role R --purpose WHY
//       Destroys every key of T retired before DATE, leaving a tombstone, and
//       rewrites F atomically. The active key is never shredded. DATE may not
//       be later than now minus the policy's retention.phi_years ("retention"
//       means exactly that); T must be the policy's clinic. The role needs
//       `keys.shred`; the access, granted or refused, is recorded on
//       frontdesk.access.v1 before anything is destroyed, and the ids of
//       the keys destroyed after ("keys.shredded"). Needs no KEK.
//
// init, rotate and shred hold an exclusive flock on "<keyring>.lock" while
// they read and rewrite the keyring, so concurrent changes never lose one.
//
// Exit codes: 0 done, 1 a file or the access record failed, 2 bad arguments,
// 4 access refused.
//
// Example:
//   KeysArgs a;  // tenant_id, keyring_file, ...
//   KeysIo io{.now = absl::Now()};
//   return RunKeysRotate(a, io, std::cout, std::cerr);
#ifndef FRONTDESK_TOOLS_FRONTDESK_KEYS_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_KEYS_COMMANDS_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/access/access_recorder.h"

namespace frontdesk::cli {

struct KeysArgs {
  std::string tenant_id;
  std::string keyring_file;
  // Empty: the KEK file the keyring names.
  std::string kek_file;
  // init: a plain development keyring to wrap.
  std::string import_plain;
  // shred: RFC 3339, YYYY-MM-DD (UTC midnight), or "retention".
  std::string before;
  // shred: who, in which role, why, and the policy that decides.
  std::string actor_id;
  std::string role;
  std::string purpose;
  std::string policy_file;
};

struct KeysIo {
  absl::Time now;
  // shred: the recorder of the access; called only after the arguments
  // check out. An error means the access cannot be recorded.
  std::function<absl::StatusOr<access::AccessRecorder*>()> recorder;
};

int RunKeysInit(const KeysArgs& args, KeysIo& io, std::ostream& out,
                std::ostream& err);
int RunKeysRotate(const KeysArgs& args, KeysIo& io, std::ostream& out,
                  std::ostream& err);
int RunKeysList(const KeysArgs& args, KeysIo& io, std::ostream& out,
                std::ostream& err);
int RunKeysShred(const KeysArgs& args, KeysIo& io, std::ostream& out,
                 std::ostream& err);

// The `keys` command: args are the positional arguments after the program
// name ("keys", "init"|"rotate"|"list"|"shred"); the flags are the tool's.
int RunKeysCli(const std::vector<char*>& args, std::ostream& out,
               std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_KEYS_COMMANDS_H_
