#include "services/record_keeper/records_queries.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/common/input_limits.h"
#include "libs/policy/access_roles.h"

namespace frontdesk::record_keeper {

namespace rv = ::frontdesk::records::v1;

namespace {

constexpr size_t kMaxPurposeBytes = 200;

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<int> PageSize(uint32_t requested) {
  if (requested == 0) return records::kDefaultPageSize;
  if (requested > static_cast<uint32_t>(records::kMaxPageSize)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: at most ", records::kMaxPageSize));
  }
  return static_cast<int>(requested);
}

absl::Status CheckId(const std::string& value, const char* field) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (value.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckOptional(const std::string& value, const char* field) {
  if (value.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCaller(const Caller& caller) {
  for (const auto& [value, name, limit] :
       {std::tuple{&caller.id, "metadata x-staff-id", kMaxIdBytes},
        std::tuple{&caller.role, "metadata x-staff-role", kMaxIdBytes},
        std::tuple{&caller.purpose, "metadata x-purpose", kMaxPurposeBytes}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    }
    if (value->size() > limit) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": at most ", limit, " bytes"));
    }
  }
  return absl::OkStatus();
}

absl::Status RecordsQueries::Authorize(const Caller& caller,
                                       const std::string& action,
                                       const std::string& resource,
                                       const char* permission) const {
  if (absl::Status st = CheckCaller(caller); !st.ok()) return st;
  access::Access a;
  a.tenant_id = policy_->tenant_id();
  a.policy_version = policy_->version();
  a.actor_id = caller.id;
  a.role = caller.role;
  a.action = action;
  a.resource = resource;
  a.purpose = caller.purpose;
  a.via = caller.via;
  return access::AuthorizeAndRecord(policy_->proto(), *recorder_, std::move(a),
                                    permission);
}

absl::StatusOr<rv::GetCallResponse> RecordsQueries::GetCall(
    const Caller& caller, const rv::GetCallRequest& request) const {
  if (absl::Status st = CheckId(request.call_id(), "call_id"); !st.ok()) {
    return st;
  }
  if (absl::Status st = Authorize(caller, "get_call",
                                  absl::StrCat("call/", request.call_id()),
                                  policy::kPermRecordsRead);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<rv::GetCallResponse> call = store_->GetCall(request.call_id());
  // Another clinic's call is as unknown as one that never happened.
  if (call.ok() && call->call().tenant_id() != policy_->tenant_id()) {
    return absl::NotFoundError("call_id: no such call");
  }
  return call;
}

absl::StatusOr<rv::ListCallsResponse> RecordsQueries::ListCalls(
    const Caller& caller, const rv::ListCallsRequest& request) const {
  absl::StatusOr<int> size = PageSize(request.page_size());
  if (!size.ok()) return size.status();
  if (!frontdesk::events::v1::Lane_IsValid(request.lane())) {
    return absl::InvalidArgumentError("lane: unknown value");
  }
  if (!rv::HandoffFilter_IsValid(request.handoff())) {
    return absl::InvalidArgumentError("handoff: unknown value");
  }
  for (const auto& [value, name] :
       {std::pair{&request.request_type(), "request_type"},
        std::pair{&request.category(), "category"}}) {
    if (absl::Status st = CheckOptional(*value, name); !st.ok()) return st;
  }
  if (request.page_token().size() > 2 * kMaxIdBytes) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  records::CallFilter f;
  std::vector<std::string> parts;
  if (request.has_from()) {
    f.from = ToTime(request.from());
    parts.push_back(absl::StrCat("from=", absl::FormatTime(*f.from)));
  }
  if (request.has_to()) {
    f.to = ToTime(request.to());
    parts.push_back(absl::StrCat("to=", absl::FormatTime(*f.to)));
  }
  if (f.from && f.to && *f.to <= *f.from) {
    return absl::InvalidArgumentError("to: must be after from");
  }
  f.lane = request.lane();
  if (f.lane != frontdesk::events::v1::LANE_UNSPECIFIED) {
    parts.push_back(
        absl::StrCat("lane=", frontdesk::events::v1::Lane_Name(f.lane)));
  }
  f.request_type = request.request_type();
  if (!f.request_type.empty()) {
    parts.push_back(absl::StrCat("request_type=", f.request_type));
  }
  f.category = request.category();
  if (!f.category.empty())
    parts.push_back(absl::StrCat("category=", f.category));
  f.handoff = request.handoff();
  if (f.handoff != rv::HANDOFF_FILTER_UNSPECIFIED) {
    parts.push_back(
        absl::StrCat("handoff=", rv::HandoffFilter_Name(f.handoff)));
  }
  f.page_token = request.page_token();
  f.page_size = *size;
  if (absl::Status st =
          Authorize(caller, "list_calls",
                    absl::StrCat("calls?", absl::StrJoin(parts, "&")),
                    policy::kPermRecordsRead);
      !st.ok()) {
    return st;
  }
  f.tenant_id = policy_->tenant_id();
  return store_->ListCalls(f);
}

absl::StatusOr<rv::GetHandoffResponse> RecordsQueries::GetHandoff(
    const Caller& caller, const rv::GetHandoffRequest& request) const {
  if (absl::Status st = CheckId(request.handoff_id(), "handoff_id"); !st.ok()) {
    return st;
  }
  if (absl::Status st = Authorize(
          caller, "get_handoff", absl::StrCat("handoff/", request.handoff_id()),
          policy::kPermRecordsRead);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<rv::HandoffRecord> h =
      store_->GetHandoff(request.handoff_id());
  if (!h.ok()) return h.status();
  absl::StatusOr<rv::GetCallResponse> call = store_->GetCall(h->call_id());
  if (!call.ok() || call->call().tenant_id() != policy_->tenant_id()) {
    return absl::NotFoundError("handoff_id: no such handoff");
  }
  rv::GetHandoffResponse out;
  *out.mutable_handoff() = *std::move(h);
  return out;
}

absl::StatusOr<rv::ListAccessesResponse> RecordsQueries::ListAccesses(
    const Caller& caller, const rv::ListAccessesRequest& request) const {
  absl::StatusOr<int> size = PageSize(request.page_size());
  if (!size.ok()) return size.status();
  for (const auto& [value, name] :
       {std::pair{&request.actor_id(), "actor_id"},
        std::pair{&request.resource(), "resource"}}) {
    if (absl::Status st = CheckOptional(*value, name); !st.ok()) return st;
  }
  if (request.page_token().size() > 2 * kMaxIdBytes) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  records::AccessFilter f;
  std::vector<std::string> parts;
  if (request.has_from()) {
    f.from = ToTime(request.from());
    parts.push_back(absl::StrCat("from=", absl::FormatTime(*f.from)));
  }
  if (request.has_to()) {
    f.to = ToTime(request.to());
    parts.push_back(absl::StrCat("to=", absl::FormatTime(*f.to)));
  }
  if (f.from && f.to && *f.to <= *f.from) {
    return absl::InvalidArgumentError("to: must be after from");
  }
  f.actor_id = request.actor_id();
  if (!f.actor_id.empty()) parts.push_back(absl::StrCat("actor=", f.actor_id));
  f.resource = request.resource();
  if (!f.resource.empty()) {
    parts.push_back(absl::StrCat("resource=", f.resource));
  }
  f.page_token = request.page_token();
  f.page_size = *size;
  if (absl::Status st =
          Authorize(caller, "list_accesses",
                    absl::StrCat("accesses?", absl::StrJoin(parts, "&")),
                    policy::kPermRecordsAccesses);
      !st.ok()) {
    return st;
  }
  f.tenant_id = policy_->tenant_id();
  return store_->ListAccesses(f);
}

}  // namespace frontdesk::record_keeper
