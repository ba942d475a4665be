// The staff console in a real browser: Debian's Chromium, headless, driven
// over WebDriver, against the real department and broker. A nurse opens the
// console on the nurse line; a chest-pain call comes in and its handoff
// appears on the page with no reload; the nurse claims it with the button;
// the claim and the console's accesses are on the Kafka log; a screenshot is
// kept as a test artifact; the nurse resolves it with a note.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/uuid.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"
#include "tests/integration/web_driver.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;

constexpr char kWords[] = "I have chest pain";
constexpr absl::Duration kPageWait = absl::Seconds(20);

// The card of one handoff, as a CSS selector.
std::string Card(const std::string& handoff_id) {
  return absl::StrCat("article[data-handoff-id=\"", handoff_id, "\"]");
}

// A script that is true once the card exists and `condition` holds for it
// (as `a`).
std::string CardScript(const std::string& handoff_id,
                       const std::string& condition) {
  return absl::StrCat("const a = document.querySelector('", Card(handoff_id),
                      "'); return !!a && (", condition, ");");
}

TEST(StaffConsoleBrowserTest, AFreshUrgentHandoffAppearsLiveAndIsClaimed) {
  // A missing browser is a failure, never a skip.
  ASSERT_TRUE(std::filesystem::exists(kChromiumBinary))
      << kChromiumBinary
      << " is missing: install Debian's chromium package "
         "(deploy/local/install-deps.sh does, for make test)";
  ASSERT_TRUE(std::filesystem::exists(kChromedriverBinary))
      << kChromedriverBinary
      << " is missing: install Debian's chromium-driver package "
         "(deploy/local/install-deps.sh does, for make test)";

  auto dept = Department::Start(2000, "", /*staff_console=*/true);
  ASSERT_TRUE(dept.ok()) << dept.status();
  const int port = (*dept)->console_port();
  ASSERT_GT(port, 0);
  auto browser = WebDriver::Start({.work_dir = (*dept)->dir()});
  ASSERT_TRUE(browser.ok()) << browser.status();
  WebDriver& page = **browser;
  const std::string staff_id = "nurse-" + NewUuid().substr(0, 8);

  // 1. The console opens; the nurse signs in and picks her queue.
  ASSERT_TRUE(page.Navigate(absl::StrCat("http://127.0.0.1:", port, "/")).ok());
  ASSERT_TRUE(page.WaitUntil("return document.querySelectorAll("
                             "'#role option[value=\"triage-nurse\"]').length "
                             "=== 1;",
                             kPageWait)
                  .ok());
  auto id_box = page.Find("#staff-id");
  ASSERT_TRUE(id_box.ok()) << id_box.status();
  ASSERT_TRUE(page.Type(*id_box, staff_id).ok());
  // She signs in with her staff token; the person and role in it count.
  absl::StatusOr<std::string> token =
      (*dept)->StaffToken(staff_id, "triage-nurse");
  ASSERT_TRUE(token.ok()) << token.status();
  auto token_box = page.Find("#token");
  ASSERT_TRUE(token_box.ok()) << token_box.status();
  ASSERT_TRUE(page.Type(*token_box, *token).ok());
  for (const char* css : {"#role option[value=\"triage-nurse\"]",
                          "#queue option[value=\"nurse-line\"]", "#open"}) {
    auto e = page.Find(css);
    ASSERT_TRUE(e.ok()) << e.status();
    absl::Status clicked = page.Click(*e);
    ASSERT_TRUE(clicked.ok()) << css << ": " << clicked;
  }
  absl::Status live = page.WaitUntil(
      "return document.getElementById('live').dataset.state === 'live';",
      kPageWait);
  ASSERT_TRUE(live.ok()) << live;
  // A reload would lose this.
  ASSERT_TRUE(page.Execute("window.consoleTestMarker = 'same page';"
                           "return true;")
                  .ok());

  // 2. A chest-pain call: a fresh urgent handoff for the nurse line.
  auto answer = (*dept)->Answer();
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  start.set_channel(av::CHANNEL_VOICE);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  start.set_caller_number("+1 555 010 4242");
  av::StartCallResponse started;
  {
    grpc::ClientContext ctx;
    grpc::Status s = answer->StartCall(&ctx, start, &started);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  av::TurnRequest turn;
  turn.set_call_id(started.call_id());
  turn.set_utterance(kWords);
  av::TurnResponse urgent;
  {
    grpc::ClientContext ctx;
    grpc::Status s = answer->Turn(&ctx, turn, &urgent);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string handoff_id = urgent.handoff_id();
  ASSERT_FALSE(handoff_id.empty());

  // It appears on the page by itself, on the same page, marked urgent, with
  // the caller's words and the matched phrase.
  const absl::Time called = absl::Now();
  absl::Status shown =
      page.WaitUntil(CardScript(handoff_id, "true"), kPageWait);
  ASSERT_TRUE(shown.ok()) << shown;
  std::cout << "the handoff appeared on the page "
            << absl::FormatDuration(absl::Now() - called)
            << " after the call's turn returned\n";
  auto card = page.Execute(
      absl::StrCat("const a = document.querySelector('", Card(handoff_id),
                   "'); const cards = Array.from(document.querySelectorAll("
                   "'#list article'));"
                   "return {marker: window.consoleTestMarker || '',"
                   " urgent: a.classList.contains('urgent'),"
                   " state: a.dataset.state, text: a.innerText,"
                   " mark: a.querySelector('mark').textContent,"
                   " clock: a.querySelector('.clock').textContent,"
                   // No urgent card below one that is not.
                   " urgentFirst: cards.every((c, i) => i === 0 ||"
                   " !c.classList.contains('urgent') ||"
                   " cards[i - 1].classList.contains('urgent'))};"));
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ((*card)["marker"], "same page");
  EXPECT_EQ((*card)["urgent"], true);
  EXPECT_EQ((*card)["state"], "created");
  EXPECT_EQ((*card)["mark"], "chest pain");
  EXPECT_EQ((*card)["urgentFirst"], true);
  const std::string text = (*card)["text"].get<std::string>();
  EXPECT_TRUE(absl::StrContains(text, "URGENT")) << text;
  EXPECT_TRUE(absl::StrContains(text, kWords)) << text;
  EXPECT_TRUE(absl::StrContains(text, "triage-nurse")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Open, not claimed")) << text;
  EXPECT_TRUE(absl::StrContains(text, urgent.reply())) << text;
  const std::string clock = (*card)["clock"].get<std::string>();
  EXPECT_TRUE(absl::EndsWith(clock, " left")) << clock;
  EXPECT_TRUE(absl::StartsWith(clock, "4:") || absl::StartsWith(clock, "5:"))
      << clock;

  // 3. The nurse claims it with the button.
  auto claim = page.Find(Card(handoff_id) + " button.claim");
  ASSERT_TRUE(claim.ok()) << claim.status();
  ASSERT_TRUE(page.Click(*claim).ok());
  absl::Status claimed = page.WaitUntil(
      CardScript(handoff_id, absl::StrCat("a.dataset.state === 'claimed' && "
                                          "a.innerText.includes('Claimed by ",
                                          staff_id, " (triage-nurse)')")),
      kPageWait);
  ASSERT_TRUE(claimed.ok()) << claimed;

  // 4. The claim is on the Kafka log, and so are the console's accesses.
  kafka::KafkaKeyReader reader((*dept)->kafka());
  auto calls = reader.ReadKey(kafka::kCallsTopic, started.call_id());
  ASSERT_TRUE(calls.ok()) << calls.status();
  int claims = 0;
  for (const auto& r : *calls) {
    auto e = events::OpenEnvelopeBytes(r.value);
    ASSERT_TRUE(e.ok()) << e.status();
    if (e->body.type() != ev::EVENT_TYPE_HANDOFF_CLAIMED) continue;
    ev::HandoffClaimed c;
    ASSERT_TRUE(c.ParseFromString(e->body.payload()));
    EXPECT_EQ(c.handoff_id(), handoff_id);
    EXPECT_EQ(c.staff_id(), staff_id);
    EXPECT_EQ(c.role(), "triage-nurse");
    ++claims;
  }
  EXPECT_EQ(claims, 1);
  auto accesses = reader.ReadKey(kafka::kAccessTopic, "actor/" + staff_id);
  ASSERT_TRUE(accesses.ok()) << accesses.status();
  std::vector<std::string> seen;
  for (const auto& r : *accesses) {
    auto e = events::OpenEnvelopeBytes(r.value);
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_EQ(e->body.type(), ev::EVENT_TYPE_ACCESS_RECORDED);
    ev::AccessRecorded a;
    ASSERT_TRUE(a.ParseFromString(e->body.payload()));
    EXPECT_EQ(a.actor_id(), staff_id);
    EXPECT_EQ(a.role(), "triage-nurse");
    EXPECT_EQ(a.via(), "console");
    EXPECT_TRUE(a.allowed()) << a.action() << " " << a.reason();
    seen.push_back(absl::StrCat(a.action(), " ", a.resource()));
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), "list_open queue/nurse-line"),
            seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "watch queue/nurse-line"),
            seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "claim handoff/" + handoff_id),
            seen.end());

  // 5. A screenshot of the claimed handoff, kept with the build.
  const std::filesystem::path artifacts = FRONTDESK_TEST_ARTIFACT_DIR;
  std::filesystem::create_directories(artifacts);
  const std::filesystem::path shot = artifacts / "staff_console.png";
  ASSERT_TRUE(
      page.Execute(absl::StrCat("document.querySelector('", Card(handoff_id),
                                "').scrollIntoView(); return true;"))
          .ok());
  auto png = page.Screenshot();
  ASSERT_TRUE(png.ok()) << png.status();
  ASSERT_GT(png->size(), 1000u);
  EXPECT_EQ(png->substr(1, 3), "PNG");
  {
    std::ofstream out(shot, std::ios::binary | std::ios::trunc);
    out << *png;
    ASSERT_TRUE(out.flush());
  }
  std::cout << "screenshot: " << shot.string() << "\n";
  RecordProperty("screenshot", shot.string());

  // The nurse resolves it with a note: it leaves the page.
  auto note = page.Find(Card(handoff_id) + " textarea.note");
  ASSERT_TRUE(note.ok()) << note.status();
  ASSERT_TRUE(page.Type(*note, "Called back, sent to the ER").ok());
  auto resolve = page.Find(Card(handoff_id) + " button.resolve");
  ASSERT_TRUE(resolve.ok()) << resolve.status();
  ASSERT_TRUE(page.Click(*resolve).ok());
  absl::Status gone = page.WaitUntil(
      absl::StrCat("return !document.querySelector('", Card(handoff_id), "');"),
      kPageWait);
  EXPECT_TRUE(gone.ok()) << gone;
  auto after = reader.ReadKey(kafka::kCallsTopic, started.call_id());
  ASSERT_TRUE(after.ok()) << after.status();
  auto last = events::OpenEnvelopeBytes(after->back().value);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->body.type(), ev::EVENT_TYPE_HANDOFF_RESOLVED);

  // The browser goes; every service stops cleanly; no log line holds what
  // the caller said or their number.
  browser->reset();
  absl::Status stopped = (*dept)->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped;
  const std::string logs = (*dept)->Logs();
  for (const char* phi : {kWords, "010 4242", "sent to the ER"}) {
    EXPECT_EQ(logs.find(phi), std::string::npos) << phi;
  }
}

}  // namespace
}  // namespace frontdesk::testing
