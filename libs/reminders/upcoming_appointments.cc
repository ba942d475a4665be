#include "libs/reminders/upcoming_appointments.h"

#include <algorithm>
#include <utility>

namespace frontdesk::reminders {

void InMemoryUpcomingAppointments::Add(UpcomingAppointment appointment) {
  absl::MutexLock lock(&mu_);
  appointments_.push_back(std::move(appointment));
}

void InMemoryUpcomingAppointments::Remove(const std::string& appointment_id) {
  absl::MutexLock lock(&mu_);
  std::erase_if(appointments_, [&](const UpcomingAppointment& a) {
    return a.appointment_id == appointment_id;
  });
}

int InMemoryUpcomingAppointments::list_calls() const {
  absl::MutexLock lock(&mu_);
  return list_calls_;
}

absl::StatusOr<std::vector<UpcomingAppointment>>
InMemoryUpcomingAppointments::List(absl::Time from, absl::Time to) {
  absl::MutexLock lock(&mu_);
  ++list_calls_;
  std::vector<UpcomingAppointment> out;
  for (const UpcomingAppointment& a : appointments_) {
    if (a.start >= from && a.start < to) out.push_back(a);
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const UpcomingAppointment& x, const UpcomingAppointment& y) {
        return x.start < y.start;
      });
  return out;
}

ScheduleStoreUpcomingAppointments::ScheduleStoreUpcomingAppointments(
    scheduling::SqliteScheduleStore* store,
    absl::flat_hash_map<std::string, int> no_shows)
    : store_(store), no_shows_(std::move(no_shows)) {}

absl::StatusOr<std::vector<UpcomingAppointment>>
ScheduleStoreUpcomingAppointments::List(absl::Time from, absl::Time to) {
  absl::StatusOr<std::vector<scheduling::Appointment>> booked =
      store_->ListBooked(from, to);
  if (!booked.ok()) return booked.status();
  std::vector<UpcomingAppointment> out;
  out.reserve(booked->size());
  for (const scheduling::Appointment& a : *booked) {
    UpcomingAppointment u;
    u.appointment_id = a.id;
    u.patient_ref = a.patient;
    u.visit_type = a.visit_type;
    u.clinician = a.practitioner;
    const scheduling::ClinicianSpec* c =
        store_->schedule().FindClinician(a.practitioner);
    u.clinician_display =
        c != nullptr && !c->display.empty() ? c->display : a.practitioner;
    u.start = a.start;
    u.end = a.end;
    auto it = no_shows_.find(a.patient);
    u.history.prior_no_shows = it == no_shows_.end() ? 0 : it->second;
    u.history.new_patient = a.visit_type == kNewPatientVisitType;
    u.simulated = a.simulated;
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace frontdesk::reminders
