// LogVerifier: the replay checks over every call of a time range.
//
// VerifyCalls takes every record of the calls topic (read once, for example
// with kafka::KafkaKeyReader::ReadTopic), groups them by call id (the record
// key) in log order, keeps the calls with at least one event that occurred in
// [from, to), and runs CheckCall (replay_checker.h) on each whole call. A
// record whose body does not parse cannot be placed in time; it is checked
// with its call, if that call is in range.
//
// Example:
//   auto records = reader.ReadTopic(kafka::kCallsTopic);
//   RangeCheck r = VerifyCalls(*records, from, to, &keys);
//   std::cout << RangeSummaryText(r);
//
// Thread-compatible. ProducerKeys::Verify is safe to call from several
// threads at once (OpenSSL keys are only read).
#ifndef FRONTDESK_LIBS_AUDIT_LOG_VERIFIER_H_
#define FRONTDESK_LIBS_AUDIT_LOG_VERIFIER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/audit/replay_checker.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_signer.h"
#include "nlohmann/json.hpp"

namespace frontdesk::audit {

struct CallFinding {
  std::string call_id;
  Finding finding;
};

struct RangeCheck {
  absl::Time from;
  absl::Time to;
  // Records read, and those of the calls in range.
  int64_t records_read = 0;
  int64_t calls = 0;
  int64_t events = 0;
  int64_t actions_checked = 0;
  int64_t signed_events = 0;
  bool signatures_checked = false;
  std::vector<CallFinding> findings;
  // Finding kind -> count.
  std::map<std::string, int64_t> by_kind;
};

// `records` in log order; `keys` may be null (signatures not checked).
// Calls are checked on `threads` threads (signature checks dominate); the
// result does not depend on the number.
RangeCheck VerifyCalls(const std::vector<eventlog::StoredRecord>& records,
                       absl::Time from, absl::Time to,
                       const events::ProducerKeys* keys, int threads = 1);

// The summary as text: the range, counts, findings by kind, then each
// finding on its own line.
std::string RangeCheckText(const RangeCheck& r);

nlohmann::json RangeCheckJson(const RangeCheck& r);

}  // namespace frontdesk::audit

#endif  // FRONTDESK_LIBS_AUDIT_LOG_VERIFIER_H_
