// The staff console's one page (staff_console.h serves it at "/"): plain
// HTML, CSS and JavaScript in one document, with no external assets, so it
// loads in one request on a front-desk monitor with no internet access.
//
// What it shows and does: the staff id and role (kept in localStorage), a
// queue to watch, its open handoffs urgent first with a live countdown to
// each deadline, the owner role, state and claimer, the caller's exact
// words with the matched trigger phrase marked, what the patient was told,
// the intake values the role may see, and Claim and Resolve buttons. Updates
// arrive over /api/events (Server-Sent Events) without a reload. Everything
// the server sends is put in the page as text, never as markup.
//
// Hooks for tests: each handoff is an <article data-handoff-id="..."
// data-state="created|claimed|resolved">, its buttons have the classes
// "claim" and "resolve", and #live has data-state="live" while the event
// stream is open.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_PAGE_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_PAGE_H_

namespace frontdesk::handoff_prep {

extern const char kStaffConsolePage[];

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_PAGE_H_
