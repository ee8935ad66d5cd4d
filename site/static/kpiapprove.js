"use strict";
// Approving last month's KPI results of an estate (kpi.approve: supervisors, project managers):
// the snapshot's figures against their targets, a required sentence for each missed target,
// then "approved · published" (GET /api/commitments, POST …/<estate>/<month>/approval).
(() => {
  const P = window.Portal;
  const $ = (id) => document.getElementById(id);
  const root = $("approve-page");
  if (!P || !root) return;
  const d = root.dataset;
  const text = JSON.parse(d.text || "{}");
  let labels = {};
  try { labels = JSON.parse($("service-data").dataset.labels || "{}"); } catch (e) { labels = {}; }
  const kpiName = (key) => (labels["site.kpi"] || {})[key] || key;
  const statusName = (s) => (labels["kpi.status"] || {})[s] || s;
  const status = $("status");
  const pick = $("pick");
  const form = $("approve-form");
  const estates = P.json("estates") || [];
  let snapshots = [];
  let mayApprove = false;

  const estateOf = (slug) => estates.find((e) => e.slug === slug) || { name: slug, tz: "" };
  const amount = (value, unit) => (value === null || value === undefined ? "—"
    : `${value}${unit === "permille" ? "‰" : "%"}`);
  const monthName = (ym) => P.fill(text.month_label, { year: ym.slice(0, 4), month: Number(ym.slice(5, 7)), mm: ym.slice(5, 7) });

  function localTime(iso, slug) {
    const opts = { timeZone: estateOf(slug).tz || "Asia/Shanghai", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", opts).formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }

  function figure(f, s) {
    const li = document.createElement("li");
    li.dataset.kpi = f.key;
    li.dataset.status = f.status;
    const name = document.createElement("strong");
    name.textContent = kpiName(f.key);
    const mark = document.createElement("span");
    mark.className = `tag ${f.status === "met" ? "mark-met" : f.status === "not_met" ? "mark-breached" : "mark-pending"}`;
    mark.textContent = statusName(f.status);
    const ratio = document.createElement("small");
    ratio.className = "ratio";
    const target = f.target === null ? "" : P.fill(text.target,
      { target: P.fill(f.direction === "max" ? d.max : d.min, { value: amount(f.target, f.unit) }) });
    ratio.textContent = [P.fill(text.value, { value: amount(f.value, f.unit) }), target,
      `${f.numerator} / ${f.denominator}`].filter(Boolean).join(" · ");
    li.append(name, " ", mark, ratio);
    if (f.status !== "not_met") return li;
    const said = s.explanations[f.key] || "";
    if (s.state === "approved") {
      const p = document.createElement("p");
      p.className = "said";
      p.textContent = said;
      li.append(p);
      return li;
    }
    const id = `why-${f.key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = P.fill(text.why_label, { kpi: kpiName(f.key) });
    const area = document.createElement("textarea");
    area.id = id;
    area.name = f.key;
    area.rows = 3;
    area.maxLength = 300;
    area.required = true;
    area.value = said;
    li.append(label, area);
    return li;
  }

  function show(s) {
    const approved = s.state === "approved";
    $("c-title").textContent = `${monthName(s.month)} · ${estateOf(s.estate).name}`;
    const state = $("c-state");
    state.textContent = approved ? `${text.approved} · ${text.published}` : text.prepared;
    state.className = `tag ${approved ? "mark-met" : "mark-pending"}`;
    $("c-by").textContent = approved ? P.fill(text.approved_by,
      { by: s.approved_by.replace(/^staff:/, ""), at: localTime(s.approved_at, s.estate) }) : "";
    const today = localTime(new Date().toISOString(), s.estate).slice(0, 10);
    $("c-due").textContent = approved ? "" : (today > s.due_by ? text.late : P.fill(text.due, { due: s.due_by }));
    $("c-summary").textContent = s.missed.length ? P.fill(text.missed_count, { count: s.missed.length }) : text.all_met;
    $("c-figures").replaceChildren(...s.figures.map((f) => figure(f, s)));
    $("c-approve").hidden = approved || !mayApprove;
    $("c-month-box").hidden = false;
  }

  function showMonth() {
    const s = snapshots.find((x) => x.month === pick.elements.month.value);
    P.say($("approve-status"), "");
    if (s) show(s);
  }

  async function load() {
    P.say(status, P.msgs.loading);
    const slug = pick.elements.estate.value;
    const r = await P.call("GET", `/api/commitments?${new URLSearchParams({ estate: slug })}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    snapshots = r.data.items;
    const months = pick.elements.month;
    months.replaceChildren(...snapshots.map((s) => new Option(
      `${monthName(s.month)} · ${s.state === "approved" ? text.approved : text.prepared}`, s.month)));
    months.hidden = $("c-month-label").hidden = snapshots.length < 2;
    $("c-none").hidden = snapshots.length > 0;
    $("c-month-box").hidden = true;
    if (snapshots.length) showMonth();
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const st = $("approve-status");
    const areas = [...form.querySelectorAll("textarea")];
    for (const a of areas) a.removeAttribute("aria-invalid");
    const empty = areas.find((a) => !a.value.trim());
    if (empty) {
      empty.setAttribute("aria-invalid", "true");
      empty.focus();
      return P.say(st, P.msgs.required, true);
    }
    const s = snapshots.find((x) => x.month === pick.elements.month.value);
    const button = $("c-approve");
    button.disabled = true;
    P.say(st, P.msgs.working);
    const r = await P.call("POST",
      `/api/commitments/${encodeURIComponent(s.estate)}/${encodeURIComponent(s.month)}/approval`,
      { explanations: areas.map((a) => ({ kpi: a.name, text: a.value.trim() })) });
    button.disabled = false;
    if (!r.ok) return P.say(st, P.errorText(r), true);
    snapshots = snapshots.map((x) => (x.month === r.data.month ? r.data : x));
    const option = [...pick.elements.month.options].find((o) => o.value === r.data.month);
    if (option) option.textContent = `${monthName(r.data.month)} · ${text.approved}`;
    show(r.data);
    P.say(st, P.fill(text.approved_done, { month: monthName(r.data.month) }));
    $("c-title").focus();
  });

  pick.elements.estate.addEventListener("change", load);
  pick.elements.month.addEventListener("change", showMonth);

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const me = r.data;
    mayApprove = me.roles.some((role) => d.roles.split(" ").includes(role));
    const mine = me.estates && me.estates.length ? me.estates : estates.map((e) => e.slug);
    for (const slug of mine) pick.elements.estate.append(new Option(estateOf(slug).name, slug));
    const q = new URLSearchParams(location.search).get("estate");
    if (q && mine.includes(q)) pick.elements.estate.value = q;
    pick.hidden = false;
    load();
  }

  start();
})();
