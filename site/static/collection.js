"use strict";
// The collection rate and arrears (finance): the period's rate by amount and by household,
// the 12-period trend and the month's daily path as SVG charts, buildings → units, arrears by
// age bucket with reminders, exports. Every figure comes from the API; nothing is computed here
// but the charts' geometry, so the page shows exactly what the exports hold.
(() => {
  const P = window.Portal;
  const $ = (id) => document.getElementById(id);
  const root = $("collection-page");
  if (!P || !root) return;
  const d = root.dataset;
  const status = $("status");
  const form = $("col-form");
  const buckets = JSON.parse(d.buckets || "{}");
  const heads = JSON.parse(d.headers || "{}");
  const SVG = "http://www.w3.org/2000/svg";
  let building = null;

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function pct(v) { return v === null || v === undefined ? "—" : `${v}%`; }

  // A line chart of percentages (0–100) with the dashed target path.
  function lineChart(svg, labels, values, targets) {
    const W = 640, H = 220, L = 44, R = 12, T = 12, B = 30;
    const x = (i) => L + (labels.length < 2 ? 0 : i * (W - L - R) / (labels.length - 1));
    const y = (v) => T + (100 - v) * (H - T - B) / 100;
    const parts = [el("line", { class: "axis", x1: L, y1: y(0), x2: W - R, y2: y(0) }),
      el("line", { class: "axis", x1: L, y1: y(0), x2: L, y2: y(100) })];
    for (const v of [0, 50, 100]) parts.push(el("text", { x: 4, y: y(v) + 4 }, `${v}%`));
    const path = (vals, cls) => {
      const pts = vals.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(Number(v)).toFixed(1)}`))
        .filter(Boolean);
      if (pts.length) parts.push(el("polyline", { class: cls, points: pts.join(" ") }));
    };
    path(targets, "target");
    path(values, "line");
    const step = Math.max(1, Math.ceil(labels.length / 6));
    labels.forEach((lab, i) => {
      if (i % step === 0 || i === labels.length - 1) parts.push(el("text", { x: x(i) - 18, y: H - 8 }, lab));
    });
    svg.replaceChildren(...parts);
  }

  function barChart(svg, rows) {
    const W = 640, H = 200, L = 12, B = 30, T = 24;
    const max = Math.max(1, ...rows.map((r) => r.total_fen));
    const w = (W - L) / rows.length;
    const parts = [];
    rows.forEach((r, i) => {
      const h = (H - T - B) * r.total_fen / max;
      parts.push(el("rect", { class: "bar", x: L + i * w + 8, y: H - B - h, width: w - 16, height: h,
        "data-key": r.key }));
      parts.push(el("text", { x: L + i * w + 8, y: H - B - h - 6 }, `¥${r.total_yuan}`));
      parts.push(el("text", { x: L + i * w + 8, y: H - 8 }, buckets[r.key] || r.key));
    });
    svg.replaceChildren(...parts);
  }

  function cells(tag, values) {
    const tr = document.createElement("tr");
    for (const v of values) {
      const c = document.createElement(tag);
      if (v instanceof Node) c.append(v); else c.textContent = v;
      tr.append(c);
    }
    return tr;
  }

  function figures(f) {
    return [f.billed_yuan, f.paid_yuan, f.outstanding_yuan, pct(f.rate_amount), String(f.households),
      String(f.paid_households), pct(f.rate_households)];
  }

  function query(extra) {
    const f = form.elements;
    const q = { estate: f.estate.value, period: f.period.value, ...extra };
    if (building) q.building = building;
    return new URLSearchParams(q).toString();
  }

  function showCollection(r) {
    $("c-rate-amount").textContent = `${pct(r.total.rate_amount)} · ${P.fill(d.target, { target: r.target })}`;
    $("c-rate-households").textContent = `${pct(r.total.rate_households)} · ${P.fill(d.households,
      { paid: r.total.paid_households, all: r.total.households })}`;
    $("c-money").textContent = `${d.paid} ¥${r.total.paid_yuan} / ${d.billed} ¥${r.total.billed_yuan}`;
    $("c-recovered").textContent = P.fill(d.recovered, { amount: r.arrears_recovered_yuan,
      households: r.arrears_recovered_households });
    lineChart($("trend-chart"), r.trend.map((t) => t.key.slice(2)), r.trend.map((t) => t.rate_amount),
      r.trend.map(() => r.target));
    lineChart($("daily-chart"), r.daily.map((p) => p.day.slice(8)), r.daily.map((p) => p.rate),
      r.daily.map((p) => p.target));
    const table = $("c-rows");
    const first = building ? heads.unit : heads.building;
    table.tHead.replaceChildren(cells("th", [first, ...heads.figures, ...(building ? [heads.arrears] : [])]));
    const rows = building ? r.units : r.buildings;
    table.tBodies[0].replaceChildren(...rows.map((b) => {
      let key = b.key;
      if (!building) {
        key = document.createElement("button");
        key.type = "button";
        key.className = "link";
        key.textContent = b.key;
        key.addEventListener("click", () => { building = b.key; load(); });
      }
      const tr = cells("td", [key, ...figures(b), ...(building ? [b.arrears_yuan] : [])]);
      tr.dataset.key = b.key;
      return tr;
    }));
    table.tFoot.replaceChildren(cells("td", [heads.total, ...figures(r.total), ...(building ? [""] : [])]));
    for (const fmt of ["xlsx", "csv"]) $(`c-export-${fmt}`).href = `/api/collection/export?${query({ format: fmt })}`;
  }

  function showArrears(a) {
    $("a-total").textContent = P.fill(d.arrearsTotal, { amount: a.total_yuan, units: a.units.length });
    barChart($("bucket-chart"), a.buckets);
    const table = $("a-rows");
    table.tHead.replaceChildren(cells("th", ["", heads.unit, heads.owners,
      ...a.buckets.map((b) => buckets[b.key]), heads.arrears, heads.oldest_days]));
    table.tBodies[0].replaceChildren(...a.units.map((u) => {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = u.unit_id;
      box.setAttribute("aria-label", u.unit_id);
      const tr = cells("td", [box, u.unit_id, u.owners.join("；"),
        ...a.buckets.map((b) => (u.by_bucket[b.key] / 100).toFixed(2)), u.total_yuan, String(u.oldest_days)]);
      tr.dataset.unit = u.unit_id;
      return tr;
    }));
    table.tFoot.replaceChildren(cells("td", ["", heads.total, "", ...a.buckets.map((b) => b.total_yuan),
      a.total_yuan, ""]));
    const f = form.elements;
    for (const fmt of ["xlsx", "csv"]) {
      $(`a-export-${fmt}`).href = `/api/arrears/export?${new URLSearchParams({ estate: f.estate.value, format: fmt })}`;
    }
  }

  async function history() {
    const r = await P.call("GET", `/api/arrears/reminders?${new URLSearchParams({ estate: form.elements.estate.value })}`);
    if (!r.ok) return;
    $("history").replaceChildren(...(r.data.reminders.length ? r.data.reminders.map((h) => {
      const li = document.createElement("li");
      li.textContent = `${h.at.slice(0, 16).replace("T", " ")} ${h.name} ${h.phone} ${h.units.join("、")} ¥${h.total_yuan} ${h.state}`;
      return li;
    }) : [Object.assign(document.createElement("li"), { textContent: d.none })]));
  }

  async function load() {
    const f = form.elements;
    if (!f.period.value) return;
    P.say(status, P.msgs.loading);
    const [c, a] = await Promise.all([
      P.call("GET", `/api/collection?${query({})}`),
      P.call("GET", `/api/arrears?${new URLSearchParams({ estate: f.estate.value })}`),
    ]);
    if (!c.ok) return P.say(status, P.errorText(c), true);
    if (!a.ok) return P.say(status, P.errorText(a), true);
    P.say(status, "");
    showCollection(c.data);
    showArrears(a.data);
    $("report").hidden = false;
    history();
  }

  async function remind(all) {
    const units = all ? [] : [...document.querySelectorAll("#a-rows tbody input:checked")].map((b) => b.value);
    if (!all && !units.length) return;
    const r = await P.call("POST", "/api/arrears/reminders", { estate: form.elements.estate.value, units });
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, P.fill(d.reminded, { sent: r.data.sent.length, skipped: r.data.skipped.length,
      days: r.data.every_days }));
    history();
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); building = null; load(); });
  $("remind").addEventListener("click", () => remind(false));
  $("remind-all").addEventListener("click", () => remind(true));

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const estates = P.json("estates") || [];
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) {
      const e = estates.find((x) => x.slug === slug);
      form.elements.estate.append(new Option(e ? e.name : slug, slug));
    }
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    form.elements.period.value = q.get("period") || new Date().toISOString().slice(0, 7);
    form.hidden = false;
    load();
  }

  start();
})();
