// FhirScheduler's strictness: what it makes of an EHR that answers with an
// OperationOutcome, times out, refuses a hold, sends a missing or garbled
// Expires header, or answers with something that is not the resource asked
// for. Scripted servers stand in for EHRs the simulated EHR cannot imitate;
// the retry-after-recovery cases run against the simulated EHR and the real
// embedded store over loopback HTTP.
#include "libs/scheduling/fhir_scheduler.h"

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/scheduling/fhir_json.h"
#include "libs/scheduling/scheduler_test_backends.h"
#include "libs/scheduling/scripted_ehr_server.h"

namespace frontdesk::scheduling {
namespace {

using json = nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Free text a real EHR might put in an OperationOutcome. None of it may
// reach a Status message.
constexpr char kPatientText[] =
    "Jane Q. Example, DOB 1961-04-02, MRN 889911 already has a visit";

absl::Time T(int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, 12, 1, hour, minute),
                         absl::UTCTimeZone());
}

Appointment Appt(std::string id, AppointmentStatus status, absl::Time start) {
  Appointment a;
  a.id = std::move(id);
  a.status = status;
  a.visit_type = "follow-up";
  a.practitioner = "dr-patel";
  a.start = start;
  a.end = start + absl::Minutes(20);
  a.simulated = false;
  if (status == AppointmentStatus::kBooked) a.patient = "Patient/p-1";
  return a;
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), fhir::kFhirJson);
}

json Bundle(const std::vector<Appointment>& appointments) {
  return fhir::BundleOf(appointments, "https://ehr.example/fhir", false);
}

json Outcome(const std::string& severity, const std::string& code) {
  return json{{"resourceType", "OperationOutcome"},
              {"issue",
               json::array({json{
                   {"severity", severity},
                   {"code", code},
                   {"details",
                    {{"coding", json::array({json{{"system", "urn:ehr:msg"},
                                                  {"code", "MSG_SLOT_TAKEN"},
                                                  {"display", kPatientText}}})},
                     {"text", kPatientText}}},
                   {"diagnostics", kPatientText}}})}};
}

std::unique_ptr<FhirScheduler> AdapterFor(
    const std::string& base_url, absl::Duration timeout = absl::Seconds(5),
    int max_attempts = 3) {
  auto a = FhirScheduler::Create(
      {.base_url = base_url, .timeout = timeout, .max_attempts = max_attempts});
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : nullptr;
}

FindRequest Tuesday() {
  FindRequest r;
  r.start = T(0, 0);
  r.end = T(23, 0);
  r.max_results = 20;
  return r;
}

BookRequest BookOf(std::string id, std::string key) {
  BookRequest r;
  r.appointment_id = std::move(id);
  r.patient = "Patient/p-1";
  r.idempotency_key = std::move(key);
  return r;
}

// --- (a) OperationOutcome -------------------------------------------------

struct OutcomeCase {
  int http;
  const char* severity;
  const char* issue_code;
  absl::StatusCode want;
};

class OperationOutcomeTest : public ::testing::TestWithParam<OutcomeCase> {};

TEST_P(OperationOutcomeTest, MapsToTheDocumentedCodeWithoutFreeText) {
  const OutcomeCase c = GetParam();
  ScriptedEhrServer ehr(
      [&](int, const httplib::Request&, httplib::Response& res) {
        Reply(res, c.http, Outcome(c.severity, c.issue_code));
      });
  auto adapter = AdapterFor(ehr.base_url());
  absl::Status s = adapter->Find(Tuesday()).status();
  EXPECT_EQ(s.code(), c.want) << s;
  EXPECT_THAT(std::string(s.message()),
              AllOf(HasSubstr(absl::StrCat("OperationOutcome ", c.severity, " ",
                                           c.issue_code)),
                    HasSubstr("[MSG_SLOT_TAKEN]"), Not(HasSubstr("Jane")),
                    Not(HasSubstr("1961")), Not(HasSubstr("889911"))));
}

INSTANTIATE_TEST_SUITE_P(
    IssueCodes, OperationOutcomeTest,
    ::testing::Values(
        OutcomeCase{409, "error", "conflict", absl::StatusCode::kAborted},
        OutcomeCase{404, "error", "not-found", absl::StatusCode::kNotFound},
        OutcomeCase{400, "error", "invalid",
                    absl::StatusCode::kInvalidArgument},
        OutcomeCase{422, "error", "business-rule",
                    absl::StatusCode::kFailedPrecondition},
        OutcomeCase{504, "error", "timeout",
                    absl::StatusCode::kDeadlineExceeded},
        OutcomeCase{503, "error", "transient", absl::StatusCode::kUnavailable},
        OutcomeCase{500, "fatal", "exception", absl::StatusCode::kInternal},
        // An issue code the mapping does not know: the HTTP status decides.
        OutcomeCase{409, "error", "too-costly", absl::StatusCode::kAborted},
        // Some servers answer errors with 200.
        OutcomeCase{200, "error", "conflict", absl::StatusCode::kAborted},
        // scheduler.h lists no PERMISSION_DENIED: a refused login is
        // INTERNAL.
        OutcomeCase{403, "error", "security", absl::StatusCode::kInternal},
        OutcomeCase{401, "error", "login", absl::StatusCode::kInternal}));

TEST(FhirSchedulerTest, AnErrorEntryInABundleIsTheAnswer) {
  ScriptedEhrServer ehr(
      [](int, const httplib::Request&, httplib::Response& res) {
        json b = Bundle({Appt("a1", AppointmentStatus::kProposed, T(15, 0))});
        b["entry"].push_back({{"resource", Outcome("error", "conflict")},
                              {"search", {{"mode", "outcome"}}}});
        Reply(res, 200, b);
      });
  absl::Status s = AdapterFor(ehr.base_url())->Find(Tuesday()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_THAT(std::string(s.message()),
              AllOf(HasSubstr("error conflict"), Not(HasSubstr("Jane"))));
}

TEST(FhirSchedulerTest, AnInformationEntryInABundleIsSkipped) {
  ScriptedEhrServer ehr([](int, const httplib::Request&,
                           httplib::Response& res) {
    json b = Bundle({Appt("a1", AppointmentStatus::kProposed, T(15, 0))});
    b["entry"].push_back({{"resource", Outcome("information", "informational")},
                          {"search", {{"mode", "outcome"}}}});
    Reply(res, 200, b);
  });
  auto found = AdapterFor(ehr.base_url())->Find(Tuesday());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "a1");
  EXPECT_FALSE((*found)[0].simulated);
}

TEST(FhirSchedulerTest, AnHttpErrorWithoutAnOutcomeTakesItsHttpCode) {
  ScriptedEhrServer ehr(
      [](int n, const httplib::Request&, httplib::Response& res) {
        res.status = n == 0 ? 404 : 422;
        res.set_content("<html>nope</html>", "text/html");
      });
  auto adapter = AdapterFor(ehr.base_url());
  absl::Status get = adapter->Get("a1").status();
  EXPECT_EQ(get.code(), absl::StatusCode::kNotFound) << get;
  EXPECT_THAT(std::string(get.message()), HasSubstr("HTTP 404"));
  absl::Status book = adapter->Book(BookOf("a1", "k")).status();
  EXPECT_EQ(book.code(), absl::StatusCode::kFailedPrecondition) << book;
}

// --- (b) timeouts ------------------------------------------------------------

TEST(FhirSchedulerTest, AServerThatNeverAnswersIsDeadlineExceeded) {
  SilentEhrServer ehr;
  ASSERT_NE(ehr.port(), 0);
  auto adapter = AdapterFor(ehr.base_url(), absl::Milliseconds(300), 2);
  const absl::Time began = absl::Now();
  absl::Status find = adapter->Find(Tuesday()).status();
  EXPECT_EQ(find.code(), absl::StatusCode::kDeadlineExceeded) << find;
  EXPECT_THAT(std::string(find.message()), HasSubstr("$find"));
  absl::Status get = adapter->Get("a1").status();
  EXPECT_EQ(get.code(), absl::StatusCode::kDeadlineExceeded) << get;
  absl::Status cancel = adapter->Cancel("a1").status();
  EXPECT_EQ(cancel.code(), absl::StatusCode::kDeadlineExceeded) << cancel;

  absl::Status hold =
      adapter->Hold({.appointment_id = "a1", .idempotency_key = "h"}).status();
  EXPECT_EQ(hold.code(), absl::StatusCode::kDeadlineExceeded) << hold;
  EXPECT_THAT(std::string(hold.message()),
              AllOf(HasSubstr("tried 2 times"), HasSubstr("same key")));
  absl::Status book = adapter->Book(BookOf("a1", "b")).status();
  EXPECT_EQ(book.code(), absl::StatusCode::kDeadlineExceeded) << book;
  EXPECT_THAT(std::string(book.message()), HasSubstr("same key"));
  // Eight exchanges of 300 ms (Find, Get, and two attempts each of Cancel,
  // Hold and Book): the deadline is kept; nothing waits on TCP's own
  // timeouts.
  EXPECT_LT(absl::Now() - began, absl::Seconds(8));
}

TEST(FhirSchedulerTest, ARefusedConnectionIsUnavailable) {
  std::string url;
  {
    SilentEhrServer gone;
    ASSERT_NE(gone.port(), 0);
    url = gone.base_url();
  }
  absl::Status s =
      AdapterFor(url, absl::Milliseconds(300), 1)->Find(Tuesday()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST(FhirSchedulerTest, HoldRetriesAfterATimeoutCarryTheSameKey) {
  const Appointment held = Appt("h-1", AppointmentStatus::kPending, T(15, 0));
  ScriptedEhrServer ehr(
      [&](int n, const httplib::Request&, httplib::Response& res) {
        // The first answer comes too late for the adapter.
        if (n == 0) absl::SleepFor(absl::Milliseconds(1500));
        res.set_header("Expires", "Tue, 01 Dec 2026 15:05:00 GMT");
        Reply(res, 200, Bundle({held}));
      });
  auto adapter = AdapterFor(ehr.base_url(), absl::Milliseconds(500), 3);
  auto got = adapter->Hold(
      {.appointment_id = "p-1500", .idempotency_key = "call-1/hold-1"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id, "h-1");
  const auto requests = ehr.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/fhir/Appointment/$hold");
    EXPECT_EQ(r.idempotency_key, "call-1/hold-1");
    EXPECT_EQ(r.body, requests[0].body);
  }
}

// The simulated EHR over the real embedded store, holding back its replies
// to the first `late_holds_` holds and `late_books_` bookings (after doing
// them) until the test lets them go, long after the adapter gave up.
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<FakeClock>(absl::FromCivil(
        absl::CivilMinute(2026, 11, 30, 14, 0), absl::UTCTimeZone()));
    SimEhrServerOptions server;
    server.before_reply = [this](const std::string& op) {
      std::atomic<int>* late = op == "hold"   ? &late_holds_
                               : op == "book" ? &late_books_
                                              : nullptr;
      if (late == nullptr) return;
      ++seen_;
      int n = late->load();
      while (n > 0 && !late->compare_exchange_weak(n, n - 1)) {
      }
      if (n > 0) recovered_.WaitForNotificationWithTimeout(absl::Seconds(20));
    };
    FhirSchedulerOptions adapter;  // MakeBackend sets base_url.
    adapter.timeout = absl::Seconds(1);
    adapter.max_attempts = 2;
    auto b = MakeBackend(
        BackendKind::kFhirAdapter, FRONTDESK_SAMPLE_SCHEDULE, clock_.get(),
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), server,
        adapter);
    ASSERT_TRUE(b.ok()) << b.status();
    backend_ = *std::move(b);
  }

  void TearDown() override { Recover(); }

  // The EHR answers again: the replies held back go out (to connections the
  // adapter has closed) and no more are held back.
  void Recover() {
    late_holds_ = 0;
    late_books_ = 0;
    if (!recovered_.HasBeenNotified()) recovered_.Notify();
  }

  // Dr. Patel's first free follow-up on Tuesday 2026-12-01.
  Appointment FirstSlot() {
    FindRequest r;
    r.start = T(0, 0);
    r.end = T(23, 59);
    r.visit_types = {"follow-up"};
    r.practitioners = {"dr-patel"};
    r.max_results = 1;
    auto found = backend_->adapter->Find(r);
    EXPECT_TRUE(found.ok() && found->size() == 1) << found.status();
    return found.ok() && !found->empty() ? (*found)[0] : Appointment{};
  }

  // Declared before backend_: the server's threads wait on it until the
  // server is stopped.
  absl::Notification recovered_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<Backend> backend_;
  std::atomic<int> late_holds_{0};
  std::atomic<int> late_books_{0};
  // Holds and bookings the simulated EHR answered.
  std::atomic<int> seen_{0};
};

TEST_F(RecoveryTest, HoldRetriedWithTheSameKeyHoldsOnce) {
  const Appointment slot = FirstSlot();
  late_holds_ = 2;
  FhirScheduler& adapter = *backend_->adapter;
  auto lost =
      adapter.Hold({.appointment_id = slot.id, .idempotency_key = "c1/h1"});
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kDeadlineExceeded)
      << lost.status();
  Recover();
  // The caller retries with the same key, as documented.
  auto held =
      adapter.Hold({.appointment_id = slot.id, .idempotency_key = "c1/h1"});
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->status, AppointmentStatus::kPending);
  EXPECT_EQ(held->start, slot.start);
  EXPECT_EQ(held->hold_expires, clock_->Now() + absl::Minutes(5));
  EXPECT_EQ(seen_.load(), 3);
  // Exactly one hold has the time: another caller is refused, and releasing
  // the one hold frees the slot.
  auto other =
      adapter.Hold({.appointment_id = slot.id, .idempotency_key = "c2/h1"});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(adapter.Cancel(held->id).ok());
  EXPECT_EQ(FirstSlot().id, slot.id);
}

TEST_F(RecoveryTest, BookRetriedWithTheSameKeyBooksOnce) {
  const Appointment slot = FirstSlot();
  late_books_ = 2;
  FhirScheduler& adapter = *backend_->adapter;
  auto lost = adapter.Book(BookOf(slot.id, "c1/b1"));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kDeadlineExceeded)
      << lost.status();
  EXPECT_THAT(std::string(lost.status().message()), HasSubstr("same key"));
  Recover();
  auto booked = adapter.Book(BookOf(slot.id, "c1/b1"));
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->status, AppointmentStatus::kBooked);
  EXPECT_EQ(seen_.load(), 3);
  auto all = backend_->store->ListBooked(T(0, 0), T(23, 59));
  ASSERT_TRUE(all.ok()) << all.status();
  int at_slot = 0;
  for (const Appointment& a : *all) {
    if (a.start == slot.start && a.practitioner == "dr-patel") {
      ++at_slot;
      EXPECT_EQ(a.id, booked->id);
    }
  }
  EXPECT_EQ(at_slot, 1);
}

// --- (c) rejected holds ------------------------------------------------------

TEST(FhirSchedulerTest, AHoldAnsweredCancelledIsAborted) {
  ScriptedEhrServer ehr(
      [](int, const httplib::Request&, httplib::Response& res) {
        Reply(res, 200,
              Bundle({Appt("x", AppointmentStatus::kCancelled, T(15, 0))}));
      });
  auto adapter = AdapterFor(ehr.base_url());
  absl::Status hold =
      adapter->Hold({.appointment_id = "p", .idempotency_key = "h"}).status();
  EXPECT_EQ(hold.code(), absl::StatusCode::kAborted) << hold;
  absl::Status book = adapter->Book(BookOf("p", "b")).status();
  EXPECT_EQ(book.code(), absl::StatusCode::kAborted) << book;
  // A refusal is an answer: neither is retried.
  EXPECT_EQ(ehr.requests().size(), 2u);
}

TEST(FhirSchedulerTest, AHoldRefusedWith409IsAbortedAndNotRetried) {
  ScriptedEhrServer ehr(
      [](int n, const httplib::Request&, httplib::Response& res) {
        if (n == 0) {
          Reply(res, 409, Outcome("error", "conflict"));
        } else {
          res.status = 409;  // No body at all.
        }
      });
  auto adapter = AdapterFor(ehr.base_url());
  absl::Status first =
      adapter->Hold({.appointment_id = "p", .idempotency_key = "h1"}).status();
  EXPECT_EQ(first.code(), absl::StatusCode::kAborted) << first;
  EXPECT_THAT(std::string(first.message()), Not(HasSubstr("Jane")));
  absl::Status second =
      adapter->Hold({.appointment_id = "p", .idempotency_key = "h2"}).status();
  EXPECT_EQ(second.code(), absl::StatusCode::kAborted) << second;
  EXPECT_EQ(ehr.requests().size(), 2u);
}

// --- (d) Expires -------------------------------------------------------------

struct ExpiresCase {
  const char* header;  // nullptr: no header.
  absl::Time want;
};

class ExpiresTest : public ::testing::TestWithParam<ExpiresCase> {};

TEST_P(ExpiresTest, HoldExpiresIsTheHeaderOrUnknown) {
  const ExpiresCase c = GetParam();
  ScriptedEhrServer ehr(
      [&](int, const httplib::Request&, httplib::Response& res) {
        if (c.header != nullptr) res.set_header("Expires", c.header);
        Reply(res, 200,
              Bundle({Appt("h-1", AppointmentStatus::kPending, T(15, 0))}));
      });
  auto held = AdapterFor(ehr.base_url())
                  ->Hold({.appointment_id = "p", .idempotency_key = "h"});
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->id, "h-1");
  EXPECT_EQ(held->status, AppointmentStatus::kPending);
  EXPECT_EQ(held->hold_expires, c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, ExpiresTest,
    ::testing::Values(
        ExpiresCase{"Tue, 01 Dec 2026 14:35:00 GMT", T(14, 35)},
        ExpiresCase{nullptr, absl::InfinitePast()},
        ExpiresCase{"", absl::InfinitePast()},
        ExpiresCase{"soon", absl::InfinitePast()},
        ExpiresCase{"0", absl::InfinitePast()},
        ExpiresCase{"2026-12-01T14:35:00Z", absl::InfinitePast()},
        ExpiresCase{"Tue, 01 Dec 2026 14:35:00", absl::InfinitePast()},
        ExpiresCase{"Tue, 01 Dec 2026 25:35:00 GMT", absl::InfinitePast()}));

// --- (e) answers that are not what was asked for ----------------------------

struct MalformedCase {
  const char* name;
  int http;
  std::string body;
  // In the INTERNAL message: the operation and the field.
  const char* want_field;
};

class MalformedAnswerTest : public ::testing::TestWithParam<MalformedCase> {};

json WithoutKey(json j, const char* entry_key) {
  j["entry"][0]["resource"].erase(entry_key);
  return j;
}

json WithStatus(json j, const char* status) {
  j["entry"][0]["resource"]["status"] = status;
  return j;
}

TEST_P(MalformedAnswerTest, EveryOperationSaysInternalNamingTheField) {
  const MalformedCase c = GetParam();
  ScriptedEhrServer ehr(
      [&](int, const httplib::Request&, httplib::Response& res) {
        res.status = c.http;
        res.set_content(c.body, fhir::kFhirJson);
      });
  auto adapter = AdapterFor(ehr.base_url());
  const std::pair<const char*, absl::Status> calls[] = {
      {"$find", adapter->Find(Tuesday()).status()},
      {"$hold",
       adapter->Hold({.appointment_id = "p", .idempotency_key = "h"}).status()},
      {"$book", adapter->Book(BookOf("p", "b")).status()},
      {"read", adapter->Get("a1").status()},
      {"cancel", adapter->Cancel("a1").status()},
  };
  for (const auto& [op, s] : calls) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << op << ": " << s;
    EXPECT_THAT(std::string(s.message()),
                AllOf(HasSubstr(absl::StrCat("EHR: ", op, " answer")),
                      HasSubstr(c.want_field), Not(HasSubstr("p-1"))))
        << op;
  }
  // An unreadable answer is an answer: nothing was retried.
  EXPECT_EQ(ehr.requests().size(), 5u);
}

const json kGood = Bundle({Appt("a1", AppointmentStatus::kPending, T(15, 0))});

INSTANTIATE_TEST_SUITE_P(
    Bodies, MalformedAnswerTest,
    ::testing::Values(
        MalformedCase{"NotJson", 200, "<html>Service Desk</html>", "body"},
        MalformedCase{"Empty", 200, "", "body"},
        MalformedCase{"JsonArray", 200, "[1, 2]", "resourceType"},
        MalformedCase{"Patient", 200,
                      R"({"resourceType": "Patient", "id": "p-1"})",
                      "resourceType: expected Bundle, got Patient"},
        MalformedCase{"InformationOnly", 200,
                      Outcome("information", "informational").dump(),
                      "got OperationOutcome"},
        MalformedCase{"NoStart", 200, WithoutKey(kGood, "start").dump(),
                      "Appointment.start"},
        MalformedCase{"NoId", 200, WithoutKey(kGood, "id").dump(),
                      "Appointment.id"},
        MalformedCase{"UnknownStatus", 200, WithStatus(kGood, "arrived").dump(),
                      "Appointment.status"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(FhirSchedulerTest, AnAppointmentInTheWrongStatusIsInternal) {
  ScriptedEhrServer ehr([](int, const httplib::Request&,
                           httplib::Response& res) {
    // Booked: wrong for $find, $hold and cancel.
    Reply(res, 200, Bundle({Appt("a1", AppointmentStatus::kBooked, T(15, 0))}));
  });
  auto adapter = AdapterFor(ehr.base_url());
  for (const absl::Status& s :
       {adapter->Find(Tuesday()).status(),
        adapter->Hold({.appointment_id = "p", .idempotency_key = "h"}).status(),
        adapter->Cancel("a1").status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("Appointment.status: expected"));
  }
}

// --- Find: the guide's parameters only, the earliest max_results kept ------
// (this server ignores _count, as an EHR may)

TEST(FhirSchedulerTest, FindAsksForACountInTheUrlAndKeepsTheEarliest) {
  ScriptedEhrServer ehr(
      [](int, const httplib::Request&, httplib::Response& res) {
        Reply(res, 200,
              Bundle({Appt("d", AppointmentStatus::kProposed, T(16, 0)),
                      Appt("b", AppointmentStatus::kProposed, T(14, 0)),
                      Appt("c", AppointmentStatus::kProposed, T(15, 0)),
                      Appt("a", AppointmentStatus::kProposed, T(13, 0))}));
      });
  auto adapter = AdapterFor(ehr.base_url());
  FindRequest r = Tuesday();
  r.max_results = 2;
  auto found = adapter->Find(r);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].id, "a");
  EXPECT_EQ((*found)[1].id, "b");
  ASSERT_EQ(ehr.requests().size(), 1u);
  // Not a Parameters entry: $find declares none; the URL's _count instead.
  EXPECT_THAT(ehr.requests()[0].body, Not(HasSubstr("_count")));
  EXPECT_EQ(ehr.requests()[0].path, "/fhir/Appointment/$find");
  ASSERT_EQ(ehr.requests()[0].params.count("_count"), 1u);
  EXPECT_EQ(ehr.requests()[0].params.find("_count")->second, "2");

  r.max_results = 0;
  EXPECT_EQ(adapter->Find(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  r.max_results = 201;
  EXPECT_EQ(adapter->Find(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ehr.requests().size(), 1u);
}

}  // namespace
}  // namespace frontdesk::scheduling
