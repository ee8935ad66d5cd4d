"use strict";
// Reconciliation (finance, desktop): import a provider bill or bank statement and read its
// report, run the day's three-way match, resolve each discrepancy with an allowed action and a
// note, close the day (or reopen it with a reason), and the estate's open exceptions queue.
// Every figure comes from the API in yuan; the actions offered per kind come from the core.
(() => {
  const P = window.Portal;
  const $ = (id) => document.getElementById(id);
  const root = $("reconcile-page");
  if (!P || !root) return;
  const L = JSON.parse(root.dataset.labels || "{}");
  const allowed = JSON.parse(root.dataset.actions || "{}");
  const T = L.text || {};
  const status = $("status");
  const form = $("day-form");
  const en = P.lang === "en";

  const msg = (o) => (en ? o.message_en : o.message) || o.message;
  const estate = () => form.elements.estate.value;
  const day = () => form.elements.day.value;
  const dayPath = (tail) => `/api/reconcile/days/${encodeURIComponent(estate())}/${day()}${tail || ""}`;

  function cells(tag, values) {
    const tr = document.createElement("tr");
    for (const v of values) {
      const c = document.createElement(tag);
      if (tag === "th") c.scope = "col";
      if (v instanceof Node) c.append(v); else c.textContent = v;
      tr.append(c);
    }
    return tr;
  }

  function empty(table, width) {
    const td = document.createElement("td");
    td.colSpan = width;
    td.textContent = T.none;
    const tr = document.createElement("tr");
    tr.append(td);
    table.tBodies[0].replaceChildren(tr);
  }

  const amount = (v) => (v === "" ? "—" : v);
  const kindOf = (d) => L.kinds[d.kind] || d.kind;

  function resolver(d) {
    const box = document.createElement("form");
    box.className = "inline";
    box.noValidate = true;
    const pick = document.createElement("select");
    pick.name = "action";
    pick.setAttribute("aria-label", `${T.action} ${d.ref}`);
    for (const a of allowed[d.kind] || []) pick.append(new Option(L.actions[a] || a, a));
    const note = document.createElement("input");
    note.name = "note";
    note.maxLength = 500;
    note.setAttribute("aria-label", `${T.note} ${d.ref}`);
    const go = document.createElement("button");
    go.type = "submit";
    go.textContent = T.resolve;
    box.append(pick, note, go);
    box.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!note.value.trim()) { note.focus(); return P.say(status, T.note_required, true); }
      go.disabled = true;
      const r = await P.call("POST", dayPath("/resolutions"), { id: d.id, action: pick.value,
        note: note.value.trim() });
      go.disabled = false;
      if (!r.ok) return P.say(status, P.errorText(r), true);
      P.say(status, P.fill(T.resolved, { action: L.actions[r.data.action] || r.data.action }));
      await Promise.all([showDay(), queue()]);
    });
    return box;
  }

  function showView(v) {
    const count = v.discrepancies.filter((d) => d.status !== "cleared").length;
    $("day-state").textContent = P.fill(T.state, { state: L.states[v.state] || v.state, count,
      open: v.open });
    $("day").dataset.state = v.state;
    const closed = v.state === "closed";
    $("match").disabled = closed;
    $("close").disabled = closed || v.state !== "matched" || v.open > 0;
    $("reopen-form").hidden = !closed;
    const table = $("discrepancies");
    table.tHead.replaceChildren(cells("th", [T.kind, T.ref, T.ours, T.provider, T.bank_amount,
      T.status, T.resolution]));
    const rows = v.discrepancies.filter((d) => d.status !== "cleared");
    if (!rows.length) return empty(table, 7);
    table.tBodies[0].replaceChildren(...rows.map((d) => {
      const done = d.status === "open"
        ? (closed ? "" : resolver(d))
        : P.fill(T.done, { action: L.actions[d.action] || d.action, note: d.note });
      const tr = cells("td", [kindOf(d), d.ref, amount(d.ours_yuan), amount(d.provider_yuan),
        amount(d.bank_yuan), L.statuses[d.status] || d.status, done]);
      tr.dataset.id = d.id;
      tr.dataset.kind = d.kind;
      tr.dataset.status = d.status;
      return tr;
    }));
  }

  async function showDay() {
    const r = await P.call("GET", dayPath());
    if (!r.ok) return P.say(status, P.errorText(r), true);
    showView(r.data);
    $("day").hidden = false;
  }

  async function queue() {
    const r = await P.call("GET", `/api/reconcile/exceptions?${new URLSearchParams({ estate: estate() })}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const table = $("exceptions");
    table.tHead.replaceChildren(cells("th", [T.day_col, T.kind, T.ref, T.ours, T.provider,
      T.bank_amount]));
    if (!r.data.items.length) empty(table, 6);
    else {
      table.tBodies[0].replaceChildren(...r.data.items.map((d) => {
        const link = document.createElement("button");
        link.type = "button";
        link.className = "link";
        link.textContent = d.day;
        link.addEventListener("click", () => { form.elements.day.value = d.day; load(); });
        const tr = cells("td", [link, kindOf(d), d.ref, amount(d.ours_yuan), amount(d.provider_yuan),
          amount(d.bank_yuan)]);
        tr.dataset.id = d.id;
        return tr;
      }));
    }
    $("queue").hidden = false;
  }

  async function banks() {
    const r = await P.call("GET", `/api/reconcile/banks?${new URLSearchParams({ estate: estate() })}`);
    if (!r.ok) return;
    $("r-banks").replaceChildren(...r.data.items.map((m) => new Option(m.bank, m.bank)));
    root.dispatchEvent(new CustomEvent("banks", { detail: r.data.items })); // bankmap.js
  }

  function showReport(rep) {
    $("import-outcome").textContent = msg(rep);
    $("import-report").dataset.outcome = rep.outcome;
    const table = $("problems");
    table.hidden = !rep.problems.length;
    table.tHead.replaceChildren(cells("th", [T.line, T.column, T.problem]));
    table.tBodies[0].replaceChildren(...rep.problems.map((p) => cells("td", [p.line ? String(p.line) : "—",
      p.column || "—", msg(p)])));
    $("import-report").hidden = false;
  }

  async function upload(ev) {
    ev.preventDefault();
    const f = ev.target.elements;
    if (!f.file.files.length) return P.say(status, P.msgs.required, true);
    const q = { estate: estate(), source: f.source.value };
    if (q.source === "bank") q.bank = f.bank.value.trim();
    const body = new FormData();
    body.append("file", f.file.files[0]);
    P.say(status, P.msgs.working);
    const r = await P.call("POST", `/api/reconcile/statements?${new URLSearchParams(q)}`, body);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    showReport(r.data);
    if (r.data.outcome === "imported" && r.data.days.length && !r.data.days.includes(day())) {
      form.elements.day.value = r.data.days[0];
    }
    await Promise.all([showDay(), queue()]);
  }

  async function act(path, body, done) {
    P.say(status, P.msgs.working);
    const r = await P.call("POST", dayPath(path), body);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    showView(r.data);
    P.say(status, done(r.data));
    await queue();
  }

  async function load() {
    if (!day()) return;
    P.say(status, P.msgs.loading);
    const url = new URL(location.href);
    url.searchParams.set("estate", estate());
    url.searchParams.set("day", day());
    history.replaceState(null, "", url);
    await Promise.all([showDay(), queue(), banks()]);
    if (status.textContent === P.msgs.loading) P.say(status, "");
    $("import").hidden = false;
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  root.addEventListener("banks-changed", banks);
  $("import-form").addEventListener("submit", upload);
  $("r-source").addEventListener("change", (ev) => { $("bank-row").hidden = ev.target.value !== "bank"; });
  $("match").addEventListener("click", () => act("/match", undefined, (v) => P.fill(T.matched, {
    count: v.discrepancies.filter((d) => d.status !== "cleared").length, open: v.open })));
  $("close").addEventListener("click", () => act("/close", undefined, () => P.fill(T.closed, { day: day() })));
  $("reopen-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = ev.target.elements.reason.value.trim();
    if (!reason) return P.say(status, P.msgs.required, true);
    act("/reopen", { reason }, () => P.fill(T.reopened, { day: day() }));
  });

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(root.dataset.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const estates = P.json("estates") || [];
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) {
      const e = estates.find((x) => x.slug === slug);
      form.elements.estate.append(new Option(e ? e.name : slug, slug));
    }
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    const yesterday = new Date(Date.now() - 86400000 + 8 * 3600000).toISOString().slice(0, 10);
    form.elements.day.value = /^\d{4}-\d{2}-\d{2}$/.test(q.get("day") || "") ? q.get("day") : yesterday;
    form.hidden = false;
    load();
  }

  start();
})();
