// RecordsQueries: the auditor and staff queries of the operating record,
// each checked against the policy's access roles and recorded.
//
// Every query names its caller (id, role, purpose). It is refused
// (PERMISSION_DENIED) unless the policy grants the role records.read
// (GetCall, ListCalls, GetHandoff) or records.accesses (ListAccesses). Every
// query, allowed or refused, is recorded on frontdesk.access.v1 through the
// AccessRecorder before anything is read; when the access cannot be recorded
// the query is refused with the recorder's error (fail closed). Resources
// name ids and filters, never PHI.
//
// Example:
//   RecordsQueries queries(store, policy, &recorder);
//   auto call = queries.GetCall({"aud-1", "auditor", "quarterly audit"},
//                               request);
//
// Thread-safe when the store and the recorder are.
#ifndef FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_QUERIES_H_
#define FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_QUERIES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "frontdesk/records/v1/records_service.pb.h"
#include "libs/access/access_recorder.h"
#include "libs/policy/clinic_policy.h"
#include "libs/records/record_store.h"

namespace frontdesk::record_keeper {

// Who asks, in which role, and why.
struct Caller {
  std::string id;
  std::string role;
  std::string purpose;
  // The surface, for the access record: "grpc".
  std::string via = "grpc";
};

// INVALID_ARGUMENT naming the first of x-staff-id, x-staff-role, x-purpose
// that is empty or longer than its limit.
absl::Status CheckCaller(const Caller& caller);

class RecordsQueries {
 public:
  // `store` and `recorder` must outlive the queries.
  RecordsQueries(const records::RecordStore* store,
                 std::shared_ptr<const policy::ClinicPolicy> policy,
                 access::AccessRecorder* recorder)
      : store_(store), policy_(std::move(policy)), recorder_(recorder) {}

  absl::StatusOr<frontdesk::records::v1::GetCallResponse> GetCall(
      const Caller& caller,
      const frontdesk::records::v1::GetCallRequest& request) const;
  absl::StatusOr<frontdesk::records::v1::ListCallsResponse> ListCalls(
      const Caller& caller,
      const frontdesk::records::v1::ListCallsRequest& request) const;
  absl::StatusOr<frontdesk::records::v1::GetHandoffResponse> GetHandoff(
      const Caller& caller,
      const frontdesk::records::v1::GetHandoffRequest& request) const;
  absl::StatusOr<frontdesk::records::v1::ListAccessesResponse> ListAccesses(
      const Caller& caller,
      const frontdesk::records::v1::ListAccessesRequest& request) const;

 private:
  absl::Status Authorize(const Caller& caller, const std::string& action,
                         const std::string& resource,
                         const char* permission) const;

  const records::RecordStore* const store_;
  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  access::AccessRecorder* const recorder_;
};

}  // namespace frontdesk::record_keeper

#endif  // FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_QUERIES_H_
