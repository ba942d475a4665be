// Text for `frontdesk queue`: one handoff as a staff member sees it.
#ifndef FRONTDESK_TOOLS_FRONTDESK_QUEUE_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_QUEUE_COMMANDS_H_

#include <string>

#include "frontdesk/handoff/v1/staff_service.pb.h"

namespace frontdesk::cli {

// A one-line summary: priority, state, countdown, owner, category, id.
std::string HandoffLine(const frontdesk::handoff::v1::HandoffView& view);

// The summary and the details a person needs to act without replaying the
// call: the trigger words and phrase, what the patient was told, the
// intake values shown to the viewer's role, the caller's number.
std::string HandoffDetails(const frontdesk::handoff::v1::HandoffView& view);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_QUEUE_COMMANDS_H_
