// The calendar: day and week views per provider (bookings, holds, blocks, free time), a booking's
// details and actions, booking a phone or walk-in client from free time, blocking time.
// Uses inbox.js's helpers ($, el, api, state); refreshed by the same live updates.
"use strict";

const cal = { start: null, days: 1, data: null, catalog: null, selected: null, detail: null };

function isoDay(d) { return d.toISOString().slice(0, 10); }
function addDays(day, n) { const d = new Date(day + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }
function spaTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit", timeZone: cal.data.timezone });
}
function spaDay(iso) {
  return new Date(iso).toLocaleDateString("en-CA", { timeZone: cal.data.timezone });
}
// A wall-clock time typed in a form ("2026-12-03T14:00") as the instant it is in the spa's time
// zone, whatever the zone of the browser staff use.
function spaInstant(local) {
  const [d, t] = local.split("T");
  const [y, m, dd] = d.split("-").map(Number);
  const [hh, mi] = t.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, dd, hh, mi);
  const ahead = (at) => {  // minutes the spa's clock is ahead of UTC at an instant
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: cal.data.timezone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(at);
    const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
    return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at) / 60000;
  };
  const first = wall - ahead(wall) * 60000;
  return new Date(wall - ahead(first) * 60000).toISOString();  // again: the offset where it lands
}
function dayTitle(day) {
  return new Date(day + "T12:00:00Z").toLocaleDateString([], { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
}
const STATUS_LABELS = { booked: "booked", checked_in: "checked in", completed: "completed", no_show: "no-show",
  cancelled: "cancelled", rescheduled: "moved" };

async function loadCalendar() {
  if (!cal.start) cal.start = isoDay(new Date());
  if (!cal.catalog) cal.catalog = await api("/api/catalog");
  cal.data = await api(`/api/calendar?start=${cal.start}&days=${cal.days}`);
  renderCalendar();
}

function calendarControls() {
  const dayInput = el("input", { type: "date", value: cal.start, "aria-label": "day",
    onchange: (ev) => { cal.start = ev.target.value; loadCalendar(); } });
  const step = (n) => () => { cal.start = addDays(cal.start, n * cal.days); loadCalendar(); };
  const mode = (days, label) => el("button", { type: "button", class: cal.days === days ? "active" : "",
    onclick: () => { cal.days = days; loadCalendar(); } }, label);
  return el("div", { class: "cal-controls" },
    el("button", { type: "button", onclick: step(-1), "aria-label": "earlier" }, "‹"), dayInput,
    el("button", { type: "button", onclick: step(1), "aria-label": "later" }, "›"),
    mode(1, "Day"), mode(7, "Week"),
    el("button", { type: "button", class: "primary", onclick: () => showBlockForm() }, "Block time"));
}

function renderCalendar() {
  const box = $("calendar");
  box.textContent = "";
  box.append(calendarControls());
  const days = Array.from({ length: cal.days }, (_, i) => addDays(cal.start, i));
  const grid = el("table", { class: "cal-grid" });
  grid.append(el("tr", {}, el("th", { class: "provider" }, ""), ...days.map((d) => el("th", {}, dayTitle(d)))));
  for (const p of cal.data.providers) {
    grid.append(el("tr", {}, el("th", { class: "provider" }, p.first_name),
      ...days.map((d) => el("td", { class: "cal-cell" }, ...entriesOf(p, d)))));
  }
  // The detail pane survives live reloads, so a half-filled form is not lost.
  cal.detail = cal.detail || el("div", { id: "cal-detail", class: "cal-detail" });
  box.append(grid, cal.detail);
  if (cal.selected && !cal.detail.querySelector("form")) showDetail(cal.selected);
}

// A provider's day as a list in time order: bookings, holds, blocks, and the free time between.
function entriesOf(provider, day) {
  const items = [];
  for (const b of provider.bookings) {
    if (spaDay(b.start) !== day) continue;
    items.push({ start: b.start, node: el("button", { type: "button", class: `entry booking ${b.status}`,
      "data-booking": b.booking_id, onclick: () => { cal.selected = b.booking_id; showDetail(b.booking_id); } },
      `${spaTime(b.start)} ${b.service_name} · ${b.client_name || "client"} (${STATUS_LABELS[b.status]})`) });
  }
  for (const h of provider.holds) {
    if (spaDay(h.start) !== day) continue;
    items.push({ start: h.start, node: el("div", { class: "entry hold" }, `${spaTime(h.start)} held: ${h.service_name}`) });
  }
  for (const k of provider.blocks) {
    if (spaDay(k.start) !== day) continue;
    items.push({ start: k.start, node: el("div", { class: "entry block" },
      `${spaTime(k.start)}–${spaTime(k.end)} ${k.reason.replace("_", " ")} `,
      el("button", { type: "button", onclick: () => unblock(k.block_id) }, "Remove")) });
  }
  for (const gap of freeTime(provider, day)) {
    items.push({ start: gap.start, node: el("button", { type: "button", class: "entry free",
      "data-provider": provider.provider_id, "data-start": gap.start,
      onclick: () => showBookingForm(provider, gap) }, `${spaTime(gap.start)}–${spaTime(gap.end)} free · Book`) });
  }
  items.sort((a, b) => a.start.localeCompare(b.start));
  return items.length ? items.map((i) => i.node) : [el("div", { class: "entry off" }, "not working")];
}

// Working time minus bookings (not cancelled or moved), holds and blocks.
function freeTime(provider, day) {
  const busy = [
    ...provider.bookings.filter((b) => !["cancelled", "rescheduled"].includes(b.status)),
    ...provider.holds, ...provider.blocks,
  ].map((x) => [Date.parse(x.start), Date.parse(x.end)]).sort((a, b) => a[0] - b[0]);
  const gaps = [];
  for (const w of provider.working) {
    if (spaDay(w.start) !== day) continue;
    let from = Math.max(Date.parse(w.start), Date.now());
    const until = Date.parse(w.end);
    for (const [s, e] of busy) {
      if (e <= from || s >= until) continue;
      if (s > from) gaps.push([from, s]);
      from = Math.max(from, e);
    }
    if (until > from) gaps.push([from, until]);
  }
  return gaps.filter(([s, e]) => e - s >= 15 * 60000)
    .map(([s, e]) => ({ start: new Date(s).toISOString(), end: new Date(e).toISOString() }));
}

function findBooking(id) {
  for (const p of cal.data.providers) for (const b of p.bookings) if (b.booking_id === id) return b;
  return null;
}

function showDetail(id) {
  const b = findBooking(id);
  const box = $("cal-detail");
  if (!box) return;
  box.textContent = "";
  if (!b) { cal.selected = null; return; }
  const act = (path, body) => async () => {
    try { await api(`/api/bookings/${b.booking_id}/${path}`, { method: "POST", body: JSON.stringify(body) }); await loadCalendar(); }
    catch (err) { alert(err.message); }
  };
  const open = b.status === "booked" || b.status === "checked_in";
  box.append(el("h3", {}, `${b.service_name} · ${b.local_label}`),
    el("p", {}, `Client: ${b.client_name || "(no name)"} · with ${b.provider_first_name} · ${STATUS_LABELS[b.status]}`
      + (b.covered_by_package ? ` · package: ${b.covered_by_package}${b.package_session_used ? " (session used)" : ""}` : "")),
    el("div", { class: "actions" },
      b.status === "booked" ? el("button", { type: "button", onclick: act("status", { status: "checked_in" }) }, "Check in") : null,
      open ? el("button", { type: "button", onclick: act("status", { status: "completed" }) }, "Completed") : null,
      b.status === "booked" ? el("button", { type: "button", onclick: act("status", { status: "no_show" }) }, "No-show") : null,
      b.status === "booked" ? el("button", { type: "button", class: "danger", onclick: act("cancel", { reason: "client_asked" }) }, "Cancel booking") : null),
    b.status === "booked" ? slotPicker(b.service_id, (slot) => act("reschedule", { start: slot.start, provider_id: slot.provider_id })()) : "");
}

// Pick a day, see the live calendar's free times for the service, choose one.
function slotPicker(serviceId, choose, label = "Reschedule to") {
  const list = el("div", { class: "slots" });
  const day = el("input", { type: "date", "aria-label": "reschedule day", onchange: async (ev) => {
    list.textContent = "";
    try {
      const found = await api(`/api/slots?service_id=${serviceId}&day=${ev.target.value}`);
      if (!found.options.length) list.append("No free times that day.");
      for (const o of found.options) {
        list.append(el("button", { type: "button", class: "slot", onclick: () => choose(o) }, `${o.local_label} (${o.provider_first_name})`));
      }
    } catch (err) { list.append(err.message); }
  } });
  return el("div", { class: "slot-picker" }, el("label", {}, `${label} `, day), list);
}

function showBookingForm(provider, gap) {
  cal.selected = null;
  const box = $("cal-detail");
  box.textContent = "";
  const services = cal.catalog.services.filter((s) => s.provider_ids.includes(provider.provider_id));
  const form = el("form", { class: "book-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const client = {};
    if (f.get("phone")) client.phone = f.get("phone");
    if (f.get("name")) client.name = f.get("name");
    const start = new Date(f.get("start")).toISOString();
    try {
      await api("/api/bookings", { method: "POST", body: JSON.stringify({
        service_id: f.get("service_id"), provider_id: provider.provider_id, start, client }) });
      box.textContent = "Booked.";
      await loadCalendar();
    } catch (err) { form.querySelector(".error").textContent = err.message; }
  } },
    el("h3", {}, `Book with ${provider.first_name}`),
    el("label", {}, "Service ", el("select", { name: "service_id", required: "" },
      ...services.map((s) => el("option", { value: s.service_id }, `${s.name} (${s.duration_minutes} min)`)))),
    el("label", {}, "Start ", el("select", { name: "start" }, ...startsIn(gap).map((t) => el("option", { value: t }, spaTime(t))))),
    el("label", {}, "Client phone ", el("input", { name: "phone", type: "tel", placeholder: "+14155550123" })),
    el("label", {}, "or name ", el("input", { name: "name", maxlength: "120" })),
    el("button", { type: "submit", class: "primary" }, "Book"),
    el("p", { class: "error" }));
  box.append(form);
}

function startsIn(gap) {
  const out = [];
  for (let t = Date.parse(gap.start); t < Date.parse(gap.end); t += 15 * 60000) {
    const d = new Date(t);
    if (d.getUTCMinutes() % 15 === 0) out.push(d.toISOString());
  }
  return out;
}

function showBlockForm() {
  cal.selected = null;
  const box = $("cal-detail");
  box.textContent = "";
  const form = el("form", { class: "block-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try {
      await api("/api/blocks", { method: "POST", body: JSON.stringify({ provider_id: f.get("provider_id"),
        start: spaInstant(f.get("start")), end: spaInstant(f.get("end")), reason: f.get("reason") }) });
      box.textContent = "Blocked.";
      await loadCalendar();
    } catch (err) { form.querySelector(".error").textContent = err.message; }
  } },
    el("h3", {}, "Block a provider's time"),
    el("label", {}, "Provider ", el("select", { name: "provider_id" },
      ...cal.catalog.providers.map((p) => el("option", { value: p.provider_id }, p.first_name)))),
    el("p", { class: "hint" }, `Times are the spa's (${cal.data.timezone}).`),
    el("label", {}, "From ", el("input", { name: "start", type: "datetime-local", required: "" })),
    el("label", {}, "To ", el("input", { name: "end", type: "datetime-local", required: "" })),
    el("label", {}, "Why ", el("select", { name: "reason" },
      ...["time_off", "break", "training", "other"].map((r) => el("option", { value: r }, r.replace("_", " "))))),
    el("button", { type: "submit", class: "primary" }, "Block"),
    el("p", { class: "error" }));
  box.append(form);
}

async function unblock(blockId) {
  try { await api(`/api/blocks/${blockId}/remove`, { method: "POST" }); await loadCalendar(); }
  catch (err) { alert(err.message); }
}

state.listeners.push(async (view) => { if (view === "calendar") await loadCalendar(); });
