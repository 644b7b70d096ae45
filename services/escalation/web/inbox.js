// The staff inbox: a list of conversations, one conversation, staff actions; live through SSE.
// Also sign-in, the owner's team page, and the view tabs (the calendar lives in calendar.js).
"use strict";

const state = { current: null, conversations: [], me: null, view: "inbox", listeners: [], search: "", mine: false,
  assignees: null, upcoming: new Map() };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  // Every change carries the session's CSRF token.
  if (options.method && options.method !== "GET" && state.me) headers["X-CSRF-Token"] = state.me.csrf_token;
  const response = await fetch(path, { credentials: "same-origin", headers, ...options });
  if (response.status === 401 && !path.startsWith("/api/login")) { showLogin(); throw new Error("sign in first"); }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const d = data.detail;
    const detail = typeof d === "string" ? d : (d && d.message) || JSON.stringify(d);
    throw new Error(detail || response.statusText);
  }
  return data;
}

function when(iso) {
  const d = new Date(iso);
  return d.toLocaleString([], { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
}
function dollars(cents) { return "$" + (cents / 100).toLocaleString(undefined, { maximumFractionDigits: 0 }); }

// An open urgent escalation (a possible emergency) is marked the same way everywhere.
function urgentBadge() { return el("span", { class: "badge urgent" }, "URGENT"); }

function showLogin() {
  state.me = null;
  for (const id of ["app", "calendar", "team", "tabs", "invite", "sign-out"]) $(id).hidden = true;
  $("login").hidden = false;
  $("me").textContent = "";
}

function showView(view) {
  state.view = view;
  $("app").hidden = view !== "inbox";
  $("calendar").hidden = view !== "calendar";
  $("team").hidden = view !== "team";
  $("owner").hidden = view !== "owner";
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  refresh();
}

async function loadRecovered() {
  const data = await api("/api/recovered");
  const box = $("recovered");
  box.textContent = "";
  if (!data.spas.length) { box.textContent = "Recovered: no bookings yet"; return; }
  for (const spa of data.spas) {
    box.append(el("span", {},
      `${spa.name}: ${spa.bookings} booked (${dollars(spa.revenue_cents)}), `
      + `${spa.after_hours_bookings} after hours (${dollars(spa.after_hours_revenue_cents)})   `));
  }
}

async function loadList() {
  const params = new URLSearchParams();
  if (state.search) params.set("q", state.search);
  if (state.mine) params.set("mine", "true");
  const data = await api("/api/conversations?" + params);
  state.conversations = data.conversations;
  const list = $("conversations");
  list.textContent = "";
  if (!data.conversations.length) list.append(el("li", { class: "none" }, state.search ? "No client matches." : "No conversations."));
  for (const c of data.conversations) list.append(conversationItem(c));
  const open = await api("/api/escalations?status=open");
  const escalations = $("escalations");
  escalations.textContent = "";
  for (const e of open.escalations) escalations.append(escalationItem(e));
  const failed = await api("/api/failed-deliveries");
  const failedList = $("failed");
  failedList.textContent = "";
  for (const m of failed.messages) {
    failedList.append(el("li", { onclick: () => openConversation(`${m.tenant_id}/${m.conversation_id}`) },
      `${when(m.occurred_at)} · ${m.error || m.delivery_status || "failed"}`));
  }
}

// One conversation in the list: needs a person (red), unread (bold, dot), who it is assigned to.
function conversationItem(c) {
  const key = `${c.tenant_id}/${c.conversation_id}`;
  const classes = [c.open_escalations > 0 ? "escalated" : "", c.urgent ? "urgent" : "", c.unread ? "unread" : "",
    state.current === key ? "active" : ""];
  return el("li", { class: classes.join(" "), "data-key": key, onclick: () => openConversation(key) },
    el("div", { class: "who" }, c.unread ? el("span", { class: "dot", title: "unread" }) : null,
      c.client_name || c.client,
      c.urgent ? urgentBadge() : null,
      el("span", { class: "badge " + (c.ai_paused ? "paused" : "ai") }, c.ai_paused ? "AI paused" : "AI active")),
    c.open_escalations > 0
      ? el("div", { class: "needs" }, (c.open_labels || []).join(", ") || "Needs a person") : null,
    el("div", { class: "preview" }, c.last_body || ""),
    el("div", { class: "meta" }, `${c.client} · ${when(c.last_activity_at)}`,
      c.assigned_name ? el("span", { class: "assignee" }, ` · ${c.assigned_name}`) : null));
}

// One open escalation: what it is about, the client's name and number, their upcoming bookings.
function escalationItem(e) {
  const key = e.conversation_id ? `${e.tenant_id}/${e.conversation_id}` : null;
  const item = el("li", { class: e.priority === "urgent" ? "urgent" : "", "data-key": key || "",
    onclick: () => key ? openConversation(key) : null },
    e.priority === "urgent" ? urgentBadge() : null, el("strong", {}, e.label), ` · ${when(e.raised_at)}`,
    key ? el("div", { class: "client" }, `${e.client_name || "Client"} · ${e.client || "number unknown"}`) : null,
    e.conversation_id ? null : el("div", {}, e.reason,
      el("button", { onclick: (ev) => { ev.stopPropagation(); resolve(e.escalation_id); } }, "Resolve")));
  if (key) {
    const upcoming = el("div", { class: "upcoming meta" });
    item.append(upcoming);
    upcomingBookings(key).then((text) => { upcoming.textContent = text; });
  }
  return item;
}

// The client's upcoming bookings, asked of the scheduler at most once a minute per conversation.
async function upcomingBookings(key) {
  const cached = state.upcoming.get(key);
  if (cached && Date.now() - cached.at < 60000) return cached.text;
  let text;
  try {
    const data = await api(`/api/conversations/${key}/bookings`);
    text = data.bookings.length
      ? "Booked: " + data.bookings.map((b) => `${b.service_name} ${b.local_label}`).join("; ")
      : "No upcoming bookings";
  } catch (err) { text = "Bookings unavailable"; }
  state.upcoming.set(key, { at: Date.now(), text });
  return text;
}

async function openConversation(key) {
  state.current = key;
  $("app").classList.add("reading");  // narrow screens: the conversation replaces the list
  location.hash = "#/c/" + key.split("/")[1];
  for (const li of document.querySelectorAll(".conversations li")) {
    li.classList.toggle("active", li.dataset.key === key);
  }
  await renderConversation();
  // What other scripts add to the conversation (its drafts, its paging) shows on opening too,
  // not only after the next live update.
  for (const listener of state.listeners) await listener(state.view);
}

async function renderConversation() {
  if (!state.current) return;
  const data = await api(`/api/conversations/${state.current}`);
  const c = data.conversation;
  const pane = $("conversation");
  // A reply being typed survives the rebuild a live update makes (text, focus and cursor).
  const typing = pane.querySelector("form.reply textarea");
  const focus = typing && document.activeElement === typing
    ? [typing.selectionStart, typing.selectionEnd] : null;
  pane.textContent = "";
  const head = el("div", { class: "conv-head" },
    el("button", { type: "button", class: "back", "aria-label": "back to the list", onclick: closeConversation }, "‹ Back"),
    el("span", { class: "title" }, `${c.client_name || "Client"} `,
      el("a", { href: `tel:${c.client}`, class: "number" }, c.client)),
    assignControl(c),
    data.escalations.some((e) => e.status === "open" && e.priority === "urgent") ? urgentBadge() : null,
    el("span", { class: "badge " + (c.ai_paused ? "paused" : "ai") },
      c.ai_paused ? `AI paused${c.paused_by ? " by " + c.paused_by : ""}` : "AI active"),
    c.ai_paused
      ? el("button", { onclick: () => act("resume") }, "Resume AI")
      : el("button", { onclick: () => act("pause") }, "Take over"));
  pane.append(head);
  const open = data.escalations.filter((e) => e.status === "open");
  if (open.length) {
    const box = el("div", { class: "esc-list" });
    for (const e of open) {
      const alerts = e.alerts.map((a) => `${a.notifier}: ${a.state}`).join(", ");
      box.append(el("div", { class: e.priority === "urgent" ? "urgent" : "" },
        e.priority === "urgent" ? urgentBadge() : null, el("strong", {}, e.label),
        e.priority === "urgent" ? null : el("span", { class: "meta" }, ` (${e.priority_label})`), ` — ${e.reason} (${when(e.raised_at)}; alerts ${alerts}) `,
        el("button", { onclick: () => resolve(e.escalation_id) }, "Resolve")));
    }
    pane.append(box);
  }
  pane.append(clientBookings(c));
  if (data.staff_notes.length) {
    const notes = el("div", { class: "notes" }, el("strong", {}, "Agent's notes for staff"));
    for (const n of data.staff_notes) {
      notes.append(el("div", { class: "note" }, n.note, el("span", { class: "meta" }, ` · ${when(n.occurred_at)}`)));
    }
    pane.append(notes);
  }
  const messages = el("div", { class: "messages" });
  for (const m of data.messages) {
    const failed = m.status === "failed" || ["failed", "undelivered"].includes(m.delivery_status);
    const status = m.direction === "out" ? ` · ${m.delivery_status || m.status}${m.error ? " — " + m.error : ""}` : "";
    // A client's pictures (PHI): links for signed-in staff, https only, opened without a referrer.
    const pictures = (m.media_urls || []).filter((u) => u.startsWith("https://")).map((u, i) =>
      el("a", { class: "media", href: u, target: "_blank", rel: "noopener noreferrer" }, `picture ${i + 1}`));
    messages.append(el("div", { class: `msg ${m.direction} ${m.purpose || ""} ${failed ? "failed" : ""}` },
      m.body || (pictures.length ? "" : "(text not available)"), ...pictures,
      el("span", { class: "meta" }, `${m.purpose ? m.purpose + " · " : ""}${when(m.occurred_at)}${status}`)));
  }
  pane.append(messages);
  const key = state.current;
  const typed = state.typed || (state.typed = {});
  const box = el("textarea", { placeholder: "Reply to the client as staff…", maxlength: "1600" });
  box.value = typed[key] || "";
  box.addEventListener("input", () => { typed[key] = box.value; });
  const form = el("form", { class: "reply", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    try {
      await api(`/api/conversations/${key}/reply`, {
        method: "POST", body: JSON.stringify({ body, request_id: crypto.randomUUID() }),
      });
      delete typed[key];
      const current = $("conversation").querySelector("form.reply textarea");
      if (current) current.value = "";
    } catch (err) { alert(err.message); }
  } }, box, el("button", { class: "primary", type: "submit" }, "Send"));
  pane.append(form);
  messages.scrollTop = messages.scrollHeight;
  if (focus) { box.focus(); box.setSelectionRange(focus[0], focus[1]); }
}

function closeConversation() {
  state.current = null;
  $("app").classList.remove("reading");
  history.replaceState(null, "", location.pathname);
  $("conversation").textContent = "";
  $("conversation").append(el("p", { class: "empty" }, "Pick a conversation."));
  loadList();
}

// Who the conversation is assigned to; changing it is saved at once (and audited).
function assignControl(c) {
  const select = el("select", { class: "assign", "aria-label": "assigned to" }, el("option", { value: "" }, "Unassigned"));
  for (const person of state.assignees || []) {
    const option = el("option", { value: person.user_id }, person.display_name);
    if (person.user_id === c.assigned_to) option.selected = true;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    try {
      await api(`/api/conversations/${c.tenant_id}/${c.conversation_id}/assign`,
        { method: "POST", body: JSON.stringify({ user_id: select.value || null }) });
      await refresh();
    } catch (err) { alert(err.message); }
  });
  return select;
}

let searching = null;
$("search").addEventListener("input", (ev) => {
  clearTimeout(searching);
  searching = setTimeout(() => { state.search = ev.target.value.trim(); loadList(); }, 200);
});
$("mine").addEventListener("change", (ev) => { state.mine = ev.target.checked; loadList(); });

// ----- the client's upcoming bookings: cancel or move them from the conversation -----

function clientBookings(c) {
  const key = `${c.tenant_id}/${c.conversation_id}`;
  if (state.bookings && state.bookings.key === key) return state.bookings.node;
  const node = el("div", { class: "bookings", id: "client-bookings" }, el("strong", {}, "Upcoming bookings"));
  state.bookings = { key, node };
  loadClientBookings(key, node);
  return node;
}

async function loadClientBookings(key, node) {
  let data;
  try { data = await api(`/api/conversations/${key}/bookings`); }
  catch (err) { node.append(el("div", { class: "meta" }, `bookings unavailable: ${err.message}`)); return; }
  node.textContent = "";
  node.append(el("strong", {}, "Upcoming bookings"));
  if (!data.bookings.length) node.append(el("div", { class: "meta" }, " none"));
  const resume = el("input", { type: "checkbox", name: "resume_ai" });
  for (const b of data.bookings) {
    const change = (kind, extra = {}) => async () => {
      const body = { request_id: crypto.randomUUID(), resume_ai: resume.checked, ...extra };
      try {
        await api(`/api/conversations/${key}/bookings/${b.booking_id}/${kind}`, { method: "POST", body: JSON.stringify(body) });
        state.bookings = null;
        await refresh();
      } catch (err) { alert(err.message); }
    };
    node.append(el("div", { class: "booking", "data-booking": b.booking_id },
      `${b.service_name} · ${b.local_label} with ${b.provider_first_name} `,
      el("button", { type: "button", class: "danger", onclick: change("cancel") }, "Cancel booking"),
      slotPicker(b.service_id, (slot) => change("reschedule", { start: slot.start, provider_id: slot.provider_id })())));
  }
  if (data.bookings.length) {
    node.append(el("label", { class: "meta" }, resume, " hand the conversation back to the AI afterwards"));
  }
}

async function act(action) {
  try { await api(`/api/conversations/${state.current}/${action}`, { method: "POST" }); await refresh(); }
  catch (err) { alert(err.message); }
}

async function resolve(id) {
  try { await api(`/api/escalations/${id}/resolve`, { method: "POST" }); await refresh(); }
  catch (err) { alert(err.message); }
}

let pending = null;
function refreshSoon() {
  // Coalesce a burst of changes into one reload.
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh(); }, 150);
}

async function refresh() {
  if (!state.me) return;
  try {
    await loadRecovered();
    if (state.view === "inbox") { await loadList(); await renderConversation(); }
    for (const listener of state.listeners) await listener(state.view);
    if (state.view === "team") await loadTeam();
  } catch (err) { console.warn(err); }
}

let source = null;
function listen() {
  if (source) source.close();
  source = new EventSource("/api/events");
  source.addEventListener("change", refreshSoon);
  source.addEventListener("hello", refreshSoon);
}

// ----- the owner's team page -----

async function loadTeam() {
  const data = await api("/api/staff");
  const table = $("team-list");
  table.textContent = "";
  table.append(el("tr", {}, el("th", {}, "Name"), el("th", {}, "Email"), el("th", {}, "Role"), el("th", {}, "State"), el("th")));
  for (const u of data.staff) {
    const mine = u.user_id === state.me.user_id;
    const change = u.active ? "disable" : "enable";
    table.append(el("tr", { "data-email": u.email },
      el("td", {}, u.display_name), el("td", {}, u.email), el("td", {}, u.role),
      el("td", {}, u.active ? (u.invited ? "invited" : "active") : "disabled"),
      el("td", {}, mine ? "" : el("button", { onclick: () => setActive(u.user_id, change) }, change === "disable" ? "Disable" : "Enable"))));
  }
}

async function setActive(userId, change) {
  try { await api(`/api/staff/${userId}/${change}`, { method: "POST" }); await loadTeam(); }
  catch (err) { alert(err.message); }
}

$("invite-staff").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  try {
    const data = await api("/api/staff", { method: "POST", body: JSON.stringify(Object.fromEntries(form)) });
    $("invite-result").textContent = `Send ${data.account.email} this one-time link: ${data.invite_url}`;
    ev.target.reset();
    await loadTeam();
  } catch (err) { $("invite-result").textContent = err.message; }
});

// ----- signing in and out, invitations -----

async function start() {
  const invite = location.hash.match(/^#\/invite\/(.+)$/);
  if (invite) { $("invite").hidden = false; $("invite").dataset.token = invite[1]; return; }
  try {
    state.me = await api("/api/me");
  } catch (err) { return; }
  $("login").hidden = true;
  $("invite").hidden = true;
  $("tabs").hidden = false;
  $("sign-out").hidden = false;
  $("team-tab").hidden = state.me.role !== "owner";
  $("owner-tab").hidden = state.me.role !== "owner";
  state.assignees = (await api("/api/assignees")).staff;
  $("me").textContent = `${state.me.staff_user} · ${state.me.spa.name}`;
  showView("inbox");
  const match = location.hash.match(/^#\/c\/(.+)$/);
  await refresh();
  if (match) {
    const found = state.conversations.find((c) => c.conversation_id === match[1]);
    if (found) await openConversation(`${found.tenant_id}/${found.conversation_id}`);
  }
  listen();
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  try {
    await api("/api/login", { method: "POST", body: JSON.stringify(Object.fromEntries(form)) });
    $("login-error").textContent = "";
    ev.target.reset();
    start();
  } catch (err) { $("login-error").textContent = err.message; }
});

$("invite-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const password = new FormData(ev.target).get("password");
  try {
    await api("/api/invites/accept", { method: "POST", body: JSON.stringify({ token: $("invite").dataset.token, password }) });
    location.hash = "";
    $("invite").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = "Password set: sign in.";
  } catch (err) { $("invite-error").textContent = err.message; }
});

$("sign-out").addEventListener("click", async () => {
  try { await api("/api/logout", { method: "POST" }); } catch (err) { console.warn(err); }
  if (source) source.close();
  showLogin();
});

for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showView(b.dataset.view));

start();
