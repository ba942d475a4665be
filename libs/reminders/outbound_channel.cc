#include "libs/reminders/outbound_channel.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/policy/baa_gate.h"
#include "nlohmann/json.hpp"

namespace frontdesk::reminders {

namespace pv = frontdesk::policy::v1;

absl::StatusOr<std::unique_ptr<FileOutboundChannel>> FileOutboundChannel::Open(
    FileChannelOptions options, const Clock* clock) {
  if (options.out_path.empty()) {
    return absl::InvalidArgumentError("file channel: out_path is empty");
  }
  absl::flat_hash_map<std::string, std::deque<std::string>> replies;
  if (!options.replies_path.empty()) {
    std::ifstream in(options.replies_path);
    if (!in) {
      return absl::NotFoundError(absl::StrCat(
          "file channel: cannot read replies file ", options.replies_path));
    }
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr,
                                               /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("patient_ref") ||
          !j["patient_ref"].is_string() || !j.contains("reply") ||
          !j["reply"].is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "file channel: ", options.replies_path, ":", number,
            ": expected {\"patient_ref\": string, \"reply\": string}"));
      }
      replies[j["patient_ref"].get<std::string>()].push_back(
          j["reply"].get<std::string>());
    }
  }
  auto channel = std::unique_ptr<FileOutboundChannel>(
      new FileOutboundChannel(std::move(options), clock));
  channel->replies_ = std::move(replies);
  return channel;
}

absl::Status FileOutboundChannel::Send(const OutboundMessage& message) {
  nlohmann::json j;
  j["time"] =
      absl::FormatTime(absl::RFC3339_full, clock_->Now(), absl::UTCTimeZone());
  j["conversation_id"] = message.conversation_id;
  j["patient_ref"] = message.patient_ref;
  j["text_id"] = message.text_id;
  j["text_version"] = message.text_version;
  j["text"] = message.text;
  const std::string line = j.dump() + "\n";
  absl::MutexLock lock(&mu_);
  std::ofstream out(options_.out_path, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  if (!out) {
    return absl::UnavailableError(
        absl::StrCat("file channel: cannot append to ", options_.out_path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> FileOutboundChannel::NextReply(
    const std::string& conversation_id, const std::string& patient_ref) {
  absl::MutexLock lock(&mu_);
  auto it = replies_.find(patient_ref);
  if (it == replies_.end() || it->second.empty()) return std::nullopt;
  std::string reply = std::move(it->second.front());
  it->second.pop_front();
  return reply;
}

absl::StatusOr<std::unique_ptr<OutboundChannel>> CreateGatewayChannel(
    const policy::ClinicPolicy& policy, const GatewayChannelOptions& options) {
  // The gate first: without a BAA nothing else about the gateway matters.
  absl::Status gate = policy::CheckPhiFlow(policy, options.subprocessor_id,
                                           /*request_type=*/"", {});
  if (!gate.ok()) return gate;
  const pv::Subprocessor* sub =
      policy::FindSubprocessor(policy.proto(), options.subprocessor_id);
  if (sub->kind() != pv::SUBPROCESSOR_KIND_MESSAGING &&
      sub->kind() != pv::SUBPROCESSOR_KIND_SPEECH) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gateway channel: subprocessor \"", options.subprocessor_id,
        "\" is not a messaging or speech subprocessor"));
  }
  if (options.kind != "sms" && options.kind != "voice") {
    return absl::InvalidArgumentError(absl::StrCat(
        "gateway channel: kind must be \"sms\" or \"voice\", not \"",
        options.kind, "\""));
  }
  // TODO(issue 7): the HTTP adapter goes here. It must send each message
  // through policy::OutboundPhiSender (request type appointment-confirm,
  // field phone) so the BAA gate checks every send, not just construction.
  return absl::UnimplementedError(absl::StrCat(
      "gateway channel: no HTTP adapter is built yet (subprocessor \"",
      options.subprocessor_id, "\" has a BAA on record)"));
}

}  // namespace frontdesk::reminders
