// Replay: a call's timeline read straight from the log, and checked.
//
// BuildTimeline verifies the records of one call (hashes, per-producer
// sequences and links, duplicates) and formats one line per event: time,
// producer, sequence, event type and a PHI-free summary. With a keyring (or a
// sealer), the sealed caller words and number are opened and shown on an
// indented line; PHI that cannot be opened is reported as such.
#ifndef FRONTDESK_TOOLS_FRONTDESK_REPLAY_TIMELINE_H_
#define FRONTDESK_TOOLS_FRONTDESK_REPLAY_TIMELINE_H_

#include <string>
#include <vector>

#include "libs/eventlog/event_log.h"
#include "libs/events/chain_verifier.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::cli {

struct Timeline {
  std::vector<std::string> lines;
  std::vector<events::Finding> findings;
  int64_t events = 0;
  size_t producers = 0;
};

// `sealer` may be null: PHI then stays sealed. With a sealer, only PHI sealed
// under its one key opens.
Timeline BuildTimeline(const std::string& call_id,
                       const std::vector<eventlog::StoredRecord>& records,
                       const phi::PhiSealer* sealer);

// Opens each event's PHI with the key of that event's tenant named by its key
// id.
Timeline BuildTimeline(const std::string& call_id,
                       const std::vector<eventlog::StoredRecord>& records,
                       const phi::PhiKeyring& keyring);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_REPLAY_TIMELINE_H_
