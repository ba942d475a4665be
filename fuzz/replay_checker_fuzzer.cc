// libFuzzer target: the replay checker over a log of arbitrary records.
//
// The input is split into records, each a 2-byte big-endian length followed
// by that many bytes (a short last record takes what is left). The records
// are checked in order by events::ChainVerifier for call "call-1", then
// given to the replay timeline without keys. Neither may crash, and both
// must agree on how many events were intact.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/eventlog/event_log.h"
#include "libs/events/chain_verifier.h"
#include "tools/frontdesk/replay_timeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<frontdesk::eventlog::StoredRecord> records;
  size_t at = 0;
  while (at < size && records.size() < 64) {
    size_t len = data[at] << 8;
    if (at + 1 < size) len |= data[at + 1];
    at += 2;
    if (at > size) at = size;
    if (len > size - at) len = size - at;
    frontdesk::eventlog::StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.offset = static_cast<int64_t>(records.size());
    r.key = "call-1";
    r.value.assign(reinterpret_cast<const char*>(data) + at, len);
    records.push_back(std::move(r));
    at += len;
  }

  frontdesk::events::ChainVerifier verifier("call-1");
  for (const auto& r : records) {
    (void)verifier.Add(r.value, std::to_string(r.offset));
  }
  if (verifier.intact_events() > static_cast<int64_t>(records.size()))
    __builtin_trap();

  const frontdesk::cli::Timeline t =
      frontdesk::cli::BuildTimeline("call-1", records, nullptr);
  if (t.events != verifier.intact_events() ||
      t.findings.size() != verifier.findings().size()) {
    __builtin_trap();
  }
  return 0;
}
