#include "tools/frontdesk/queue_commands.h"

#include "gtest/gtest.h"

namespace frontdesk::cli {
namespace {

namespace hv = ::frontdesk::handoff::v1;

TEST(QueueCommandsTest, DetailsHoldWhatAPersonNeedsToAct) {
  hv::HandoffView v;
  hv::HandoffPacket* p = v.mutable_packet();
  p->set_handoff_id("h-1");
  p->set_priority(1);
  p->set_state(hv::HANDOFF_STATE_CREATED);
  p->set_owner_role("on-call-clinician");
  p->set_escalation_level(1);
  p->set_category("urgent-symptoms");
  p->set_queue("nurse-line");
  p->set_call_id("c-1");
  p->set_rule_id("HO-URGENT-001");
  p->set_trigger_phrase("chest pain");
  p->set_trigger_source("utterance");
  p->set_trigger_begin(7);
  p->set_trigger_end(17);
  p->set_patient_told("Hang up and call 911.");
  v.set_trigger_words("I have chest pain");
  v.set_seconds_to_deadline(-130);
  auto* name = v.add_intake();
  name->set_field("name");
  name->set_value("Jane Roe");
  const std::string text = HandoffDetails(v);
  EXPECT_NE(text.find("P1 created  2m10s overdue"), std::string::npos) << text;
  EXPECT_NE(text.find("on-call-clinician (backup)"), std::string::npos);
  EXPECT_NE(text.find("caller said: \"I have chest pain\""), std::string::npos);
  EXPECT_NE(text.find("matched: \"chest pain\" (utterance 7-17)"),
            std::string::npos);
  EXPECT_NE(text.find("patient was told: \"Hang up and call 911.\""),
            std::string::npos);
  EXPECT_NE(text.find("name: Jane Roe"), std::string::npos);
  p->set_state(hv::HANDOFF_STATE_CLAIMED);
  p->set_claimed_by("nurse-ana");
  v.set_seconds_to_deadline(65);
  EXPECT_NE(HandoffLine(v).find("1m05s left"), std::string::npos);
  EXPECT_NE(HandoffLine(v).find("by nurse-ana"), std::string::npos);
}

}  // namespace
}  // namespace frontdesk::cli
