// The owner's view: what the agent handled and recovered, per day or week, drawn with uPlot
// (vendored in web/vendor/, served from this inbox; no CDN). Uses el/api/state from inbox.js.
"use strict";

const owner = { data: null, charts: [] };

// Each chart: its title, and the series it draws from a day's or week's figures.
const OWNER_CHARTS = [
  { id: "conversations", title: "Conversations handled", series: [
    { label: "conversations", stroke: "#24313f", value: (d) => d.conversations },
    { label: "after hours", stroke: "#d9822b", value: (d) => d.after_hours_conversations },
  ] },
  { id: "after-hours", title: "After-hours share (%)", series: [
    { label: "after hours %", stroke: "#d9822b", value: (d) => Math.round(d.after_hours_share * 1000) / 10 },
  ] },
  { id: "bookings", title: "Bookings by the agent", series: [
    { label: "bookings", stroke: "#2a6ad9", value: (d) => d.bookings },
    { label: "package sessions", stroke: "#8a63d2", value: (d) => d.package_sessions },
    { label: "free consultations", stroke: "#5cb85c", value: (d) => d.free_bookings },
  ] },
  { id: "revenue", title: "Estimated revenue recovered ($)", series: [
    { label: "revenue $", stroke: "#2e8b57", value: (d) => d.revenue_cents / 100 },
  ] },
  { id: "first-response", title: "Median first response (seconds)", series: [
    { label: "median seconds", stroke: "#555", value: (d) => d.median_first_response_seconds },
  ] },
];

const CATEGORY_COLOURS = ["#d9534f", "#f0ad4e", "#5bc0de", "#8a63d2", "#5cb85c", "#777", "#24313f", "#c71585"];

function figureBox(label, value) {
  return el("div", { class: "figure" }, el("strong", {}, String(value)), label);
}

function ownerTotals(data) {
  const t = data.total;
  const median = t.median_first_response_seconds;
  const box = $("owner-totals");
  box.textContent = "";
  box.append(
    figureBox("conversations handled", t.conversations),
    figureBox("after hours", `${Math.round(t.after_hours_share * 100)}%`),
    figureBox("bookings by the agent", t.bookings),
    figureBox("revenue recovered", dollars(t.revenue_cents)),
    figureBox("median first response", median === null ? "–" : `${Math.round(median)} s`),
    figureBox("escalations", Object.values(t.escalations).reduce((a, b) => a + b, 0)));
  const hours = data.opening_hours
    ? "the spa's opening hours (" + Object.entries(data.opening_hours).map(([d, h]) => `${d} ${h}`).join(", ") + ")"
    : `${data.fallback_hours} every day (the spa file lists no opening hours)`;
  $("owner-note").textContent = `After hours means outside ${hours}, ${data.spa.timezone}. `
    + "Sessions paid by a package and free consultations are bookings, not revenue.";
}

// Escalations by category become one series per category seen in the period.
function escalationChart(buckets) {
  const categories = [...new Set(buckets.flatMap((b) => Object.keys(b.escalations)))].sort();
  return { id: "escalations", title: "Escalations by category", series: categories.map((c, i) => ({
    label: ESCALATION_WORDS[c] || c, stroke: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length],
    value: (d) => d.escalations[c] || 0,
  })) };
}

// The same words the inbox uses for categories (kept short for a chart legend).
const ESCALATION_WORDS = {
  medical: "medical", cancellation: "cancel", reschedule: "reschedule", refund: "refund",
  payment_dispute: "payment", complaint: "complaint", human_request: "asked for a person",
  blocked_reply: "reply held", send_cap: "text limit", delivery_failed: "not delivered",
  dead_letter: "system", other: "other",
};

function drawOwnerCharts() {
  const data = owner.data;
  if (!data) return;
  for (const chart of owner.charts) chart.destroy();
  owner.charts = [];
  const host = $("owner-charts");
  host.textContent = "";
  const buckets = data[$("owner-by").value];
  const xs = buckets.map((b) => Date.parse(b.start + "T12:00:00") / 1000);
  const specs = [...OWNER_CHARTS, escalationChart(buckets)];
  for (const spec of specs) {
    const box = el("div", { class: "chart", "data-chart": spec.id }, el("h3", {}, spec.title));
    host.append(box);
    if (!spec.series.length) { box.append(el("p", { class: "meta" }, "none in this period")); continue; }
    const width = Math.max(260, box.clientWidth - 16);
    const opts = {
      width, height: 180,
      scales: { x: { time: true } },
      axes: [{}, { size: 44 }],
      series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { size: 5 } }))],
    };
    const series = [xs, ...spec.series.map((s) => buckets.map(s.value))];
    owner.charts.push(new uPlot(opts, series, box));
  }
}

async function loadOwner() {
  const data = await api(`/api/owner/stats?days=${$("owner-days").value}`);
  // Live updates reload the figures often: redraw only when they changed.
  if (owner.data && JSON.stringify(data) === JSON.stringify(owner.data) && owner.charts.length) return;
  owner.data = data;
  ownerTotals(owner.data);
  drawOwnerCharts();
}

$("owner-days").addEventListener("change", () => loadOwner().catch((err) => alert(err.message)));
$("owner-by").addEventListener("change", drawOwnerCharts);
let ownerResize = null;
window.addEventListener("resize", () => {
  clearTimeout(ownerResize);
  ownerResize = setTimeout(() => { if (state.view === "owner") drawOwnerCharts(); }, 200);
});
state.listeners.push(async (view) => { if (view === "owner") await loadOwner(); });
