// Draft mode and paging in the conversation view: the agent's drafts (send, edit and send, discard)
// with how many went out as is, the on-call paging of an urgent escalation (acknowledge, and who
// did), and the owner's switch between automatic and draft replies.
// Uses inbox.js's helpers ($, el, api, when, state); redrawn after every refresh (state.listeners).
"use strict";

const drafts = { editing: null, text: "" };

async function showDraftsAndPages(view) {
  if (view !== "inbox") return;
  await showReplyMode();
  if (!state.current) return;
  const key = state.current;
  const [d, p] = await Promise.all([
    api(`/api/conversations/${key}/drafts`), api(`/api/conversations/${key}/pages`)]);
  const pane = $("conversation");
  if (state.current !== key || !pane) return;
  const old = document.getElementById("drafts-panel");
  if (old) old.remove();
  const panel = el("div", { id: "drafts-panel", class: "drafts-panel" });
  for (const page of p.pages) panel.append(pageRow(page));
  if (d.drafts.length) panel.append(draftsBox(d));
  if (!panel.childElementCount) return;
  const head = pane.querySelector(".conv-head");
  if (head) head.after(panel); else pane.prepend(panel);
}

function pageRow(page) {
  const row = el("div", { class: "page-row" + (page.paging ? " paging" : ""), "data-escalation": page.escalation_id });
  const sent = `${page.pages_sent} text${page.pages_sent === 1 ? "" : "s"} to on-call`;
  if (page.acknowledged_at) {
    row.append(el("span", { class: "acknowledged" },
      `Acknowledged by ${page.acknowledged_by} at ${when(page.acknowledged_at)} (${sent})`));
  } else if (page.paging) {
    row.append(el("strong", {}, "Paging on-call: "), `${sent}${page.last_paged_at ? ", last " + when(page.last_paged_at) : ""} `,
      el("button", { type: "button", class: "primary", onclick: (ev) => acknowledge(ev, page.escalation_id) }, "Acknowledge"));
  } else {
    row.append(el("span", { class: "meta" }, `Paging stopped (${sent})`));
  }
  return row;
}

async function acknowledge(ev, id) {
  ev.target.disabled = true;
  try { await api(`/api/escalations/${id}/acknowledge`, { method: "POST" }); await refresh(); }
  catch (err) { ev.target.disabled = false; alert(err.message); }
}

function draftsBox(data) {
  const c = data.counts;
  const box = el("div", { class: "drafts" }, el("strong", {}, "Agent's drafts"),
    el("span", { class: "meta draft-counts" },
      ` · sent as is ${c.sent_as_is} · edited ${c.edited} · discarded ${c.discarded}`));
  for (const draft of data.drafts.filter((x) => x.status === "pending")) box.append(draftRow(draft));
  return box;
}

function draftRow(draft) {
  const row = el("div", { class: "draft", "data-draft": draft.draft_id });
  if (drafts.editing === draft.draft_id) {
    const text = el("textarea", { maxlength: "1600", "aria-label": "edit the draft",
      oninput: (ev) => { drafts.text = ev.target.value; } });
    text.value = drafts.text;
    row.append(text,
      el("button", { type: "button", class: "primary", onclick: (ev) => sendDraft(ev, draft.draft_id, text.value.trim()) }, "Send edited"),
      el("button", { type: "button", onclick: () => { drafts.editing = null; refresh(); } }, "Cancel"));
    return row;
  }
  row.append(el("div", { class: "draft-body" }, draft.body),
    el("span", { class: "meta" }, `drafted ${when(draft.drafted_at)} `),
    el("button", { type: "button", class: "primary", onclick: (ev) => sendDraft(ev, draft.draft_id, null) }, "Send"),
    el("button", { type: "button", onclick: () => { drafts.editing = draft.draft_id; drafts.text = draft.body; refresh(); } }, "Edit & send"),
    el("button", { type: "button", class: "danger", onclick: (ev) => discardDraft(ev, draft.draft_id) }, "Discard"));
  return row;
}

async function sendDraft(ev, id, body) {
  if (body === "") return;
  ev.target.disabled = true;
  try {
    await api(`/api/drafts/${id}/send`, { method: "POST", body: JSON.stringify(body === null ? {} : { body }) });
    drafts.editing = null;
    await refresh();
  } catch (err) { ev.target.disabled = false; alert(err.message); }
}

async function discardDraft(ev, id) {
  ev.target.disabled = true;
  try { await api(`/api/drafts/${id}/discard`, { method: "POST" }); await refresh(); }
  catch (err) { ev.target.disabled = false; alert(err.message); }
}

// ----- the spa's reply mode: shown to everyone, switched by the owner -----

async function showReplyMode() {
  const mode = await api("/api/reply-mode");
  let box = document.getElementById("reply-mode");
  const aside = document.querySelector("#app aside");
  if (!aside) return;
  if (!box) { box = el("div", { id: "reply-mode", class: "reply-mode" }); aside.prepend(box); }
  box.textContent = "";
  box.dataset.mode = mode.mode;
  const label = mode.mode === "draft" ? "AI replies wait as drafts" : "AI replies go out automatically";
  box.append(el("span", {}, label));
  if (state.me && state.me.role === "owner") {
    const other = mode.mode === "draft" ? "automatic" : "draft";
    box.append(" ", el("button", { type: "button", onclick: () => switchMode(other) },
      other === "draft" ? "Switch to drafts" : "Switch to automatic"));
  }
}

async function switchMode(mode) {
  try { await api("/api/reply-mode", { method: "POST", body: JSON.stringify({ mode }) }); await refresh(); }
  catch (err) { alert(err.message); }
}

state.listeners.push(showDraftsAndPages);
