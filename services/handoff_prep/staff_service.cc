#include "services/handoff_prep/staff_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/common/input_limits.h"
#include "spdlog/spdlog.h"

namespace frontdesk::handoff_prep {

namespace hv = ::frontdesk::handoff::v1;

namespace {

std::string Metadata(const grpc::ServerContext* context, const char* key) {
  const auto& md = context->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

}  // namespace

// UNAUTHENTICATED when the caller did not prove (or, in development, say)
// who they are.
absl::StatusOr<StaffMember> StaffService::Who(
    const grpc::ServerContext* context) const {
  absl::StatusOr<auth::StaffPrincipal> p = authenticator_->Authenticate(
      Metadata(context, "authorization"), Metadata(context, kStaffIdHeader),
      Metadata(context, kStaffRoleHeader));
  if (!p.ok()) return p.status();
  StaffMember who;
  who.id = p->subject;
  who.role = p->role;
  who.via = "grpc";
  who.break_glass_reason = Metadata(context, kBreakGlassHeader);
  return who;
}

grpc::Status StaffService::ListOpen(grpc::ServerContext* context,
                                    const hv::ListOpenRequest* request,
                                    hv::ListOpenResponse* response) {
  absl::StatusOr<StaffMember> who = Who(context);
  if (!who.ok()) return ToGrpc(who.status());
  size_t total = 0;
  auto open = desk_->ListOpen(*who, request->queue(), &total);
  if (!open.ok()) return ToGrpc(open.status());
  response->set_open_total(static_cast<uint32_t>(total));
  for (auto& v : *open) *response->add_handoffs() = std::move(v);
  return grpc::Status::OK;
}

grpc::Status StaffService::Claim(grpc::ServerContext* context,
                                 const hv::ClaimRequest* request,
                                 hv::HandoffView* response) {
  absl::StatusOr<StaffMember> who = Who(context);
  if (!who.ok()) return ToGrpc(who.status());
  auto view = desk_->Claim(*who, request->handoff_id());
  if (!view.ok()) return ToGrpc(view.status());
  *response = *std::move(view);
  return grpc::Status::OK;
}

grpc::Status StaffService::Resolve(grpc::ServerContext* context,
                                   const hv::ResolveRequest* request,
                                   hv::HandoffView* response) {
  absl::StatusOr<StaffMember> who = Who(context);
  if (!who.ok()) return ToGrpc(who.status());
  auto view = desk_->Resolve(*who, request->handoff_id(), request->note());
  if (!view.ok()) return ToGrpc(view.status());
  *response = *std::move(view);
  return grpc::Status::OK;
}

grpc::Status StaffService::Watch(grpc::ServerContext* context,
                                 const hv::WatchRequest* request,
                                 grpc::ServerWriter<hv::HandoffView>* writer) {
  absl::StatusOr<StaffMember> who = Who(context);
  if (!who.ok()) return ToGrpc(who.status());
  absl::Status st = desk_->StartWatch(*who, request->queue());
  if (!st.ok()) return ToGrpc(st);
  uint64_t version = 0;
  while (!context->IsCancelled()) {
    for (const hv::HandoffView& v : desk_->WaitForChanges(
             *who, request->queue(), &version, absl::Seconds(1))) {
      if (!writer->Write(v)) return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

}  // namespace frontdesk::handoff_prep
