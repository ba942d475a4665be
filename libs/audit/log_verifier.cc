#include "libs/audit/log_verifier.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/envelope.pb.h"

namespace frontdesk::audit {

namespace ev = ::frontdesk::events::v1;

namespace {

// When the record's event occurred, as its body says; nullopt when the body
// does not parse. Nothing is verified here: the call is checked in full.
std::optional<absl::Time> OccurredAt(const std::string& value) {
  ev::EventEnvelope envelope;
  ev::EventBody body;
  if (!envelope.ParseFromString(value) ||
      !body.ParseFromString(envelope.body()) || !body.has_occurred_at()) {
    return std::nullopt;
  }
  return absl::FromUnixSeconds(body.occurred_at().seconds()) +
         absl::Nanoseconds(body.occurred_at().nanos());
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

RangeCheck VerifyCalls(const std::vector<eventlog::StoredRecord>& records,
                       absl::Time from, absl::Time to,
                       const events::ProducerKeys* keys, int threads) {
  RangeCheck r;
  r.from = from;
  r.to = to;
  r.records_read = static_cast<int64_t>(records.size());
  r.signatures_checked = keys != nullptr;

  // Calls in order of their first record; each call's records in log order.
  std::vector<std::string> order;
  absl::flat_hash_map<std::string, std::vector<eventlog::StoredRecord>> calls;
  for (const eventlog::StoredRecord& rec : records) {
    auto [it, fresh] = calls.try_emplace(rec.key);
    if (fresh) order.push_back(rec.key);
    it->second.push_back(rec);
  }
  std::vector<const std::string*> in_range;
  for (const std::string& call_id : order) {
    for (const eventlog::StoredRecord& rec : calls[call_id]) {
      std::optional<absl::Time> at = OccurredAt(rec.value);
      if (at.has_value() && *at >= from && *at < to) {
        in_range.push_back(&call_id);
        break;
      }
    }
  }
  // Signature checks dominate: calls are checked on `threads` threads, each
  // taking every threads-th call, and merged back in log order.
  std::vector<CallCheck> checked(in_range.size());
  const size_t n_threads =
      std::max<size_t>(1, std::min<size_t>(threads, in_range.size()));
  auto work = [&](size_t first) {
    for (size_t i = first; i < in_range.size(); i += n_threads) {
      const std::string& call_id = *in_range[i];
      checked[i] = CheckCall(call_id, calls.at(call_id), keys);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n_threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();

  for (size_t i = 0; i < in_range.size(); ++i) {
    CallCheck& c = checked[i];
    ++r.calls;
    r.events += static_cast<int64_t>(c.records.size());
    r.actions_checked += c.actions_checked;
    r.signed_events += c.signed_events;
    for (Finding& f : c.findings) {
      ++r.by_kind[f.kind];
      r.findings.push_back({*in_range[i], std::move(f)});
    }
  }
  return r;
}

std::string RangeCheckText(const RangeCheck& r) {
  std::string out = absl::StrCat(
      "verified ", Rfc3339(r.from), " .. ", Rfc3339(r.to), ": ", r.calls,
      " calls, ", r.events, " events (of ", r.records_read, " records read), ",
      r.actions_checked,
      " actions checked against their "
      "decisions, ",
      r.signatures_checked ? absl::StrCat(r.signed_events, " signatures valid")
                           : std::string("signatures NOT checked (no "
                                         "--producer_keys)"),
      "\n");
  if (r.findings.empty()) {
    absl::StrAppend(&out, "no findings\n");
    return out;
  }
  absl::StrAppend(&out, r.findings.size(), " findings:");
  for (const auto& [kind, n] : r.by_kind)
    absl::StrAppend(&out, " ", kind, "=", n);
  absl::StrAppend(&out, "\n");
  for (const CallFinding& f : r.findings) {
    absl::StrAppend(&out, "  call ", f.call_id, ": ", FindingLine(f.finding),
                    "\n");
  }
  return out;
}

nlohmann::json RangeCheckJson(const RangeCheck& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const CallFinding& f : r.findings) {
    nlohmann::json j = FindingJson(f.finding);
    j["call_id"] = f.call_id;
    findings.push_back(std::move(j));
  }
  return {{"from", Rfc3339(r.from)},
          {"to", Rfc3339(r.to)},
          {"records_read", r.records_read},
          {"calls", r.calls},
          {"events", r.events},
          {"actions_checked", r.actions_checked},
          {"signatures_checked", r.signatures_checked},
          {"signed_events", r.signed_events},
          {"by_kind", r.by_kind},
          {"findings", std::move(findings)}};
}

}  // namespace frontdesk::audit
