#include "libs/scheduling/scheduler.h"

namespace frontdesk::scheduling {

absl::string_view StatusName(AppointmentStatus status) {
  switch (status) {
    case AppointmentStatus::kProposed:
      return "proposed";
    case AppointmentStatus::kPending:
      return "pending";
    case AppointmentStatus::kBooked:
      return "booked";
    case AppointmentStatus::kCancelled:
      return "cancelled";
  }
  return "proposed";
}

bool ParseStatusName(absl::string_view name, AppointmentStatus* status) {
  for (AppointmentStatus s :
       {AppointmentStatus::kProposed, AppointmentStatus::kPending,
        AppointmentStatus::kBooked, AppointmentStatus::kCancelled}) {
    if (StatusName(s) == name) {
      *status = s;
      return true;
    }
  }
  return false;
}

}  // namespace frontdesk::scheduling
