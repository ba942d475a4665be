// Staff tokens for local runs and drills:
//   frontdesk token keygen --out_dir DIR [--force]
//       writes the issuer's key pair, DIR/token-issuer.key (mode 600) and
//       DIR/token-issuer.pub (what handoff-prep and record-keeper verify
//       with, --token_public_key_file).
//   frontdesk token issue --issuer_key_file F --subject S --role R
//                         [--tenant T] [--ttl_minutes N]
//       prints a signed staff token (libs/auth/staff_token.h) for S in R.
// Production tokens come from the clinic's identity provider instead.
#ifndef FRONTDESK_TOOLS_FRONTDESK_TOKEN_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_TOKEN_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace frontdesk::cli {

// `args` are the words after "frontdesk". Returns the exit code: 0 done,
// 1 failed, 2 usage.
int RunToken(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_TOKEN_COMMANDS_H_
