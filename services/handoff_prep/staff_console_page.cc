#include "services/handoff_prep/staff_console_page.h"

namespace frontdesk::handoff_prep {

const char kStaffConsolePage[] = R"page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Handoffs - front desk</title>
<style>
  :root {
    --ink: #111;
    --muted: #4a4a4a;
    --line: #c8c8c8;
    --paper: #fff;
    --page: #eef0f2;
    --urgent: #b00020;
    --urgent-bg: #fdecee;
    --warn: #8a5a00;
    --ok: #1b6e2a;
    --action: #0b57d0;
  }
  * { box-sizing: border-box; }
  body {
    margin: 0; background: var(--page); color: var(--ink);
    font: 20px/1.4 system-ui, "DejaVu Sans", Arial, sans-serif;
  }
  header {
    position: sticky; top: 0; z-index: 1;
    display: flex; flex-wrap: wrap; align-items: end; gap: 12px 24px;
    padding: 12px 24px; background: var(--paper);
    border-bottom: 2px solid var(--line);
  }
  h1 { font-size: 28px; margin: 0 24px 4px 0; }
  form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 16px;
          color: var(--muted); }
  input, select, textarea, button { font: inherit; }
  input, select { padding: 6px 8px; min-width: 11em;
                  border: 1px solid #888; border-radius: 4px; }
  button {
    padding: 8px 20px; border-radius: 4px; cursor: pointer;
    border: 2px solid var(--action); background: var(--action); color: #fff;
    font-weight: 600;
  }
  button:disabled { opacity: .5; cursor: default; }
  button.secondary { background: var(--paper); color: var(--action); }
  #live { margin-left: auto; font-weight: 600; padding: 6px 12px;
          border-radius: 4px; background: #ddd; }
  #live[data-state="live"] { background: #dff3e3; color: var(--ok); }
  #live[data-state="retrying"] { background: #fff3d6; color: var(--warn); }
  main { padding: 16px 24px 48px; max-width: 1400px; }
  #message { margin: 0 0 12px; font-weight: 600; color: var(--urgent); }
  #message:empty { display: none; }
  #summary { margin: 0 0 12px; color: var(--muted); }
  article {
    background: var(--paper); border: 1px solid var(--line);
    border-left: 10px solid #7a8793; border-radius: 6px;
    padding: 14px 20px; margin: 0 0 14px;
  }
  article.urgent { border-left-color: var(--urgent);
                   background: var(--urgent-bg); }
  article[data-state="claimed"] { border-left-style: double; }
  article { scroll-margin-top: 110px; }
  .ids { margin: 4px 0 0; font-size: 15px; color: var(--muted); }
  .top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; }
  .badge { font-size: 16px; font-weight: 700; letter-spacing: .05em;
           padding: 2px 10px; border-radius: 4px; background: #e2e5e9; }
  .urgent .badge.priority { background: var(--urgent); color: #fff; }
  .title { font-size: 24px; font-weight: 700; }
  .clock { margin-left: auto; font-size: 30px; font-weight: 700;
           font-variant-numeric: tabular-nums; }
  .clock.soon { color: var(--warn); }
  .clock.overdue { color: var(--urgent); }
  .clock.claimed { color: var(--ok); font-size: 22px; }
  dl { display: grid; grid-template-columns: max-content 1fr;
       gap: 4px 16px; margin: 10px 0; }
  dt { color: var(--muted); }
  dd { margin: 0; }
  .words { font-size: 22px; }
  mark { background: #ffd54f; color: var(--ink); padding: 0 2px; }
  .actions { display: flex; flex-wrap: wrap; gap: 12px; align-items: end;
             margin-top: 8px; }
  .actions textarea { flex: 1 1 24em; min-height: 2.6em; padding: 6px 8px;
                      border: 1px solid #888; border-radius: 4px; }
  .error { color: var(--urgent); font-weight: 600; }
  .error:empty { display: none; }
  #empty { font-size: 24px; color: var(--muted); }
</style>
</head>
<body>
<header>
  <h1>Handoffs</h1>
  <form id="who">
    <label>Staff id <input id="staff-id" autocomplete="off" required></label>
    <label>Role <select id="role" required></select></label>
    <label>Queue <select id="queue" required></select></label>
    <label>Sign-in token <input id="token" type="password" autocomplete="off"
      title="Your staff token; the person and role in it are what counts"></label>
    <button id="open" type="submit">Show queue</button>
  </form>
  <span id="live" data-state="off" role="status">Not connected</span>
</header>
<main>
  <p id="message" role="alert"></p>
  <p id="summary"></p>
  <section id="list" aria-label="Open handoffs"></section>
  <p id="empty" hidden>No open handoffs on this queue.</p>
</main>
<script>
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    staffId: "", role: "", queue: "", token: "",
    // handoff_id -> {view, node, deadlineLocal}
    items: new Map(),
    source: null,
    queues: [],
  };

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function setMessage(text) { $("message").textContent = text || ""; }

  function setLive(kind, text) {
    const live = $("live");
    live.dataset.state = kind;
    live.textContent = text;
  }

  function headers() {
    const h = {
      "Content-Type": "application/json",
      "X-Staff-Id": state.staffId,
      "X-Staff-Role": state.role,
    };
    if (state.token) h["Authorization"] = "Bearer " + state.token;
    return h;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method: method, headers: headers(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (!res.ok) {
      const err = new Error(data.error || ("HTTP " + res.status));
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function duration(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }

  function tickOne(item) {
    const clock = item.node.querySelector(".clock");
    const v = item.view;
    if (v.state === "claimed") {
      clock.className = "clock claimed";
      clock.textContent = "Claimed by " + v.claimed_by;
      return;
    }
    const left = item.deadlineLocal - Date.now();
    clock.className = "clock" + (left < 0 ? " overdue" :
                                 left < 60000 ? " soon" : "");
    clock.textContent = left < 0 ? duration(left) + " overdue"
                                 : duration(left) + " left";
  }
  function tick() { state.items.forEach(tickOne); }

  // The caller's words, with the matched phrase marked when the offsets
  // (Unicode characters) point into them.
  function words(v) {
    const p = el("dd", "words");
    const chars = Array.from(v.trigger_words || "");
    const b = v.trigger_begin, e = v.trigger_end;
    if (v.trigger_source === "utterance" && e > b && e <= chars.length) {
      p.append("\u201c", chars.slice(0, b).join(""));
      p.append(el("mark", "", chars.slice(b, e).join("")));
      p.append(chars.slice(e).join(""), "\u201d");
    } else if (chars.length > 0) {
      p.textContent = "\u201c" + v.trigger_words + "\u201d";
    } else {
      p.textContent = "(cannot be opened here)";
    }
    return p;
  }

  function row(dl, label, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", "", label));
    if (value instanceof Node) dl.append(value); else dl.append(el("dd", "", value));
  }

  function render(v, old) {
    const a = el("article", v.urgent ? "urgent" : "");
    a.dataset.handoffId = v.handoff_id;
    a.dataset.state = v.state;
    const top = el("div", "top");
    top.append(el("span", "badge priority",
                  v.urgent ? "URGENT" : "Priority " + v.priority));
    top.append(el("span", "title",
                  [v.category, v.request_type].filter(Boolean).join(" \u00b7 ")
                  || "handoff"));
    top.append(el("span", "clock"));
    a.append(top);

    const dl = el("dl");
    row(dl, "Owner", v.owner_role + (v.escalation_level > 0
        ? " (escalated, level " + v.escalation_level + ")" : ""));
    row(dl, "State", v.state === "claimed"
        ? "Claimed by " + v.claimed_by + " (" + v.claimed_role + ")"
        : "Open, not claimed");
    row(dl, "Deadline", new Date(v.deadline_ms).toLocaleTimeString());
    row(dl, "Caller said", words(v));
    row(dl, "Matched phrase", v.trigger_phrase
        ? v.trigger_phrase + (v.trigger_source ? " (in " + v.trigger_source + ")" : "")
        : (v.matched_triggers || []).join(", "));
    row(dl, "Patient was told", v.patient_told);
    row(dl, "Caller number", v.caller_number);
    for (const f of v.intake || []) row(dl, f.field.replace(/_/g, " "), f.value);
    if (v.consent_declined) row(dl, "Consent", "declined: nothing more was collected");
    a.append(dl);
    a.append(el("p", "ids", ["rule " + v.rule_id, "handoff " + v.handoff_id,
                             "call " + v.call_id].join(" \u00b7 ")));

    const actions = el("div", "actions");
    const error = el("p", "error");
    if (v.state === "created") {
      const claim = el("button", "claim", "Claim");
      claim.type = "button";
      claim.addEventListener("click", () => act(claim, error, "/api/claim",
                                                {handoff_id: v.handoff_id}));
      actions.append(claim);
    } else if (v.state === "claimed" && v.claimed_by === state.staffId) {
      const note = el("textarea", "note");
      note.placeholder = "What was done (required)";
      note.setAttribute("aria-label", "Resolution note");
      const keep = old && old.querySelector("textarea.note");
      if (keep) note.value = keep.value;
      const resolve = el("button", "resolve", "Resolve");
      resolve.type = "button";
      resolve.addEventListener("click", () => {
        if (!note.value.trim()) { error.textContent = "Write a note first."; return; }
        act(resolve, error, "/api/resolve",
            {handoff_id: v.handoff_id, note: note.value});
      });
      actions.append(note, resolve);
    }
    a.append(actions, error);
    return a;
  }

  async function act(button, error, path, body) {
    button.disabled = true;
    error.textContent = "";
    try {
      upsert(await api("POST", path, body));
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  }

  function order() {
    const list = $("list");
    const items = Array.from(state.items.values());
    items.sort((x, y) => (x.view.priority - y.view.priority) ||
                         (x.view.deadline_ms - y.view.deadline_ms) ||
                         (x.view.created_ms - y.view.created_ms));
    for (const it of items) list.append(it.node);
    $("empty").hidden = items.length > 0;
    const urgent = items.filter((it) => it.view.urgent).length;
    $("summary").textContent = state.queue
        ? items.length + " open on " + state.queue +
          (urgent ? ", " + urgent + " urgent" : "") : "";
  }

  // Applies one view: the highest revision of each handoff wins; resolved
  // handoffs and handoffs that left the queue are dropped.
  function apply(v) {
    const old = state.items.get(v.handoff_id);
    // Nothing new: leave the card (and a note being typed) alone.
    if (old && old.view.revision >= v.revision) return;
    if (v.state === "resolved" || v.queue !== state.queue) {
      if (old) { old.node.remove(); state.items.delete(v.handoff_id); }
      return;
    }
    const node = render(v, old && old.node);
    if (old) old.node.replaceWith(node);
    const item = {view: v, node: node,
                  deadlineLocal: Date.now() + (v.deadline_ms - v.now_ms)};
    state.items.set(v.handoff_id, item);
    tickOne(item);
  }
  function upsert(v) { apply(v); order(); }

  function replaceAll(views) {
    state.items.forEach((it) => it.node.remove());
    state.items.clear();
    for (const v of views) apply(v);
    order();
  }

  function disconnect() {
    if (state.source) { state.source.close(); state.source = null; }
  }

  async function connect() {
    disconnect();
    setMessage("");
    state.staffId = $("staff-id").value.trim();
    state.role = $("role").value;
    state.queue = $("queue").value;
    // The token is a secret: kept in this page only, never stored.
    state.token = $("token").value.trim();
    if (!state.staffId || !state.role || !state.queue) {
      setMessage("Enter your staff id, role and queue.");
      return;
    }
    localStorage.setItem("frontdesk.console",
        JSON.stringify({staffId: state.staffId, role: state.role,
                        queue: state.queue}));
    setLive("off", "Connecting\u2026");
    try {
      const open = await api("GET", "/api/open?queue=" +
                             encodeURIComponent(state.queue));
      replaceAll(open.handoffs || []);
    } catch (e) {
      replaceAll([]);
      setLive("off", "Not connected");
      setMessage(e.message);
      return;
    }
    const q = new URLSearchParams({queue: state.queue,
                                   staff_id: state.staffId, role: state.role});
    if (state.token) q.set("token", state.token);
    const source = new EventSource("/api/events?" + q.toString());
    state.source = source;
    source.addEventListener("open", () => setLive("live", "Live"));
    source.addEventListener("snapshot", (e) => {
      replaceAll(JSON.parse(e.data).handoffs || []);
    });
    source.addEventListener("handoff", (e) => upsert(JSON.parse(e.data)));
    source.addEventListener("error", () => {
      if (state.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        setLive("retrying", "Disconnected, retrying\u2026");
        setTimeout(() => { if (state.source === source) connect(); }, 5000);
      } else {
        setLive("retrying", "Reconnecting\u2026");
      }
    });
  }

  function fillQueues() {
    const select = $("queue");
    const chosen = select.value;
    select.replaceChildren();
    const role = $("role").value;
    for (const q of state.queues) {
      const roles = [q.owner_role, q.backup_role, q.last_resort_role];
      const o = el("option", "", q.id + " (" + q.owner_role + ")");
      o.value = q.id;
      if (role && !roles.includes(role)) o.disabled = true;
      select.append(o);
    }
    const usable = Array.from(select.options).filter((o) => !o.disabled);
    if (usable.some((o) => o.value === chosen)) select.value = chosen;
    else if (usable.length) select.value = usable[0].value;
  }

  async function init() {
    let saved = {};
    try { saved = JSON.parse(localStorage.getItem("frontdesk.console")) || {}; }
    catch (e) { saved = {}; }
    try {
      const res = await fetch("/api/queues");
      const data = await res.json();
      state.queues = data.queues || [];
      const role = $("role");
      role.append(el("option", "", "choose\u2026"));
      role.options[0].value = "";
      for (const r of data.roles || []) {
        const o = el("option", "", r);
        o.value = r;
        role.append(o);
      }
    } catch (e) {
      setMessage("Cannot load the queues: " + e.message);
      return;
    }
    $("staff-id").value = saved.staffId || "";
    $("role").value = saved.role || "";
    fillQueues();
    const usable = Array.from($("queue").options)
        .some((o) => o.value === saved.queue && !o.disabled);
    if (usable) $("queue").value = saved.queue;
    $("role").addEventListener("change", fillQueues);
    $("who").addEventListener("submit", (e) => { e.preventDefault(); connect(); });
    setInterval(tick, 1000);
    if ($("staff-id").value && $("role").value && $("queue").value) connect();
  }

  init();
})();
</script>
</body>
</html>
)page";

}  // namespace frontdesk::handoff_prep
