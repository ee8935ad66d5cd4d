"use strict";
// The month's service KPIs of an estate (staff with kpi.read): each figure with its numerator
// and denominator, and the orders, units and callback answers behind them (order numbers link
// to the order's page), so every number can be checked by hand.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const root = $("kpi-page");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const status = $("status");
  const form = $("kpi-form");
  let labels = {};
  try { labels = JSON.parse($("service-data").dataset.labels || "{}"); } catch (e) { labels = {}; }
  const NUMBER = /^[A-Z]{2}-[0-9]{8}-[0-9]{4,6}$/;

  function amount(value, unit) {
    if (value === null || value === undefined) return "—";
    return `${value}${unit === "permille" ? "‰" : "%"}`;
  }

  function refList(title, refs, estate) {
    const div = document.createElement("div");
    const h = document.createElement("strong");
    h.textContent = `${title} (${refs.count})`;
    const p = document.createElement("p");
    p.className = "refs";
    if (!refs.refs.length) p.textContent = d.none;
    refs.refs.forEach((ref, i) => {
      if (i) p.append(" ");
      const number = ref.split("#")[0];
      if (NUMBER.test(number)) {
        const a = document.createElement("a");
        a.href = O.viewHref(d.view, { estate, number });
        a.textContent = ref;
        p.append(a);
      } else {
        p.append(ref);
      }
    });
    div.append(h, p);
    return div;
  }

  function row(k, name, estate) {
    const li = document.createElement("li");
    li.dataset.key = k.key;
    li.dataset.status = k.status;
    const title = document.createElement("strong");
    title.textContent = name;
    const value = document.createElement("span");
    value.className = "kpi-value";
    value.textContent = amount(k.value, k.unit);
    const mark = O.tag((labels["kpi.status"] || {})[k.status] || k.status,
      k.status === "met" ? "mark-met" : k.status === "not_met" ? "mark-breached" : "mark-pending");
    const ratio = document.createElement("small");
    ratio.className = "ratio";
    const target = k.target === null ? "" : P.fill(k.direction === "max" ? d.max : d.min,
      { value: amount(k.target, k.unit) });
    ratio.textContent = [`${d.numerator} ${k.numerator.count} / ${d.denominator} ${k.denominator.count}`,
      k.pending.count ? `${d.pending} ${k.pending.count}` : "", target].filter(Boolean).join(" · ");
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = P.fill(d.refs, { numerator: k.numerator.count, denominator: k.denominator.count });
    more.append(summary, refList(d.numerator, k.numerator, estate),
      refList(d.denominator, k.denominator, estate));
    if (k.pending.count) more.append(refList(d.pending, k.pending, estate));
    li.append(title, " ", value, " ", mark, ratio, more);
    return li;
  }

  async function load() {
    const f = form.elements;
    if (!f.month.value) return;
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", `/api/kpi?${new URLSearchParams({ estate: f.estate.value, month: f.month.value })}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    const report = r.data;
    $("k-orders").textContent = P.fill(d.orders, { count: report.orders });
    $("k-running").hidden = report.month_over;
    const names = labels["site.kpi"] || {};
    const stages = labels["services.stage"] || {};
    $("kpis").replaceChildren(...report.kpis.map((k) => row(k, names[k.key] || k.key, report.estate)));
    $("stages").replaceChildren(...report.stages.map((k) => row(k, stages[k.key] || k.key, report.estate)));
    $("report").hidden = false;
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const estates = P.json("estates") || [];
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) form.elements.estate.append(new Option(O.estate(slug).name, slug));
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    form.elements.month.value = q.get("month") || O.time(new Date().toISOString(), form.elements.estate.value).slice(0, 7);
    form.hidden = false;
    load();
  }

  start();
})();
