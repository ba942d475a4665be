#include "tools/frontdesk/replay_timeline.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace frontdesk::cli {

namespace {

namespace ev = ::frontdesk::events::v1;

// Opens an event's sealed PHI; empty: PHI stays sealed.
using PhiOpener = std::function<absl::StatusOr<ev::PhiFields>(
    const ev::SealedPhi&, absl::string_view tenant_id,
    absl::string_view call_id)>;

Timeline Build(const std::string& call_id,
               const std::vector<eventlog::StoredRecord>& records,
               const PhiOpener& open) {
  Timeline t;
  events::ChainVerifier verifier(call_id);
  for (const eventlog::StoredRecord& r : records) {
    const std::string position =
        absl::StrCat(r.topic, "/", r.partition, "@", r.offset);
    absl::StatusOr<events::OpenedEvent> e = verifier.Add(r.value, position);
    if (!e.ok()) {
      t.lines.push_back(
          absl::StrCat("!! ", position, " damaged: ", e.status().message()));
      continue;
    }
    const auto& b = e->body;
    const absl::Time at = absl::FromUnixSeconds(b.occurred_at().seconds()) +
                          absl::Nanoseconds(b.occurred_at().nanos());
    t.lines.push_back(absl::StrFormat(
        "%s  %-13s #%-3d %-17s %s",
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone()),
        b.producer().service(), b.sequence(), events::EventTypeName(b.type()),
        events::SummarizePayload(b)));
    if (b.has_sealed_phi()) {
      if (!open) {
        t.lines.push_back(absl::StrCat("      (PHI sealed under key ",
                                       b.sealed_phi().key_id(), ")"));
      } else {
        auto phi = open(b.sealed_phi(), b.tenant_id(), b.call_id());
        if (!phi.ok()) {
          t.lines.push_back(absl::StrCat(
              "      (PHI not opened: ", phi.status().message(), ")"));
        } else {
          if (!phi->utterance().empty()) {
            t.lines.push_back(
                absl::StrCat("      words: \"", phi->utterance(), "\""));
          }
          if (!phi->caller_number().empty()) {
            t.lines.push_back(
                absl::StrCat("      caller number: ", phi->caller_number()));
          }
          for (const auto& v : phi->intake()) {
            t.lines.push_back(
                absl::StrCat("      ", v.field(), ": ", v.value()));
          }
          if (!phi->reply_text().empty()) {
            t.lines.push_back(
                absl::StrCat("      said: \"", phi->reply_text(), "\""));
          }
        }
      }
    }
  }
  t.findings = verifier.findings();
  t.events = verifier.intact_events();
  t.producers = verifier.producers();
  return t;
}

}  // namespace

Timeline BuildTimeline(const std::string& call_id,
                       const std::vector<eventlog::StoredRecord>& records,
                       const phi::PhiSealer* sealer) {
  if (sealer == nullptr) return Build(call_id, records, nullptr);
  return Build(call_id, records,
               [sealer](const ev::SealedPhi& s, absl::string_view tenant_id,
                        absl::string_view id) {
                 return sealer->Open(s, tenant_id, id);
               });
}

Timeline BuildTimeline(const std::string& call_id,
                       const std::vector<eventlog::StoredRecord>& records,
                       const phi::PhiKeyring& keyring) {
  return Build(call_id, records,
               [&keyring](const ev::SealedPhi& s, absl::string_view tenant_id,
                          absl::string_view id) {
                 return keyring.Open(s, tenant_id, id);
               });
}

}  // namespace frontdesk::cli
