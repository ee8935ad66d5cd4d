"use strict";
// The bank column mapping (finance, once per bank), on the reconciliation page: upload a sample
// statement, read its header and first rows (POST /api/reconcile/banks/sample: nothing is
// stored), pick which column is the date, the credit amount, the counterparty…, pre-set from the
// API's guess or the bank's saved mapping, and save it (PUT /api/reconcile/banks). The saved
// mappings come from reconcile.js's list (event "banks"); saving asks it to load them again.
(() => {
  const P = window.Portal;
  const $ = (id) => document.getElementById(id);
  const root = $("reconcile-page");
  if (!P || !root) return;
  const L = JSON.parse(root.dataset.labels || "{}");
  const T = L.text || {};
  const status = $("status");
  const mapForm = $("map-form");
  const BANK = /^[0-9A-Za-z_-]{1,32}$/;
  let saved = [];

  const estate = () => $("r-estate").value;
  const en = P.lang === "en";
  const msg = (o) => (en ? o.message_en : o.message) || o.message;
  const fields = () => [...mapForm.querySelectorAll("select")].map((s) => s.name);

  function row(tag, values) {
    const tr = document.createElement("tr");
    for (const v of values) {
      const c = document.createElement(tag);
      if (tag === "th") c.scope = "col";
      c.textContent = v;
      tr.append(c);
    }
    return tr;
  }

  function showSaved() {
    const names = fields();
    $("m-saved").tBodies[0].replaceChildren(...(saved.length ? saved.map((m) => {
      const tr = row("td", [m.bank, ...names.map((f) => m[f] || "—")]);
      tr.dataset.bank = m.bank;
      return tr;
    }) : [row("td", [T.none])]));
  }

  function showSample(s, bank) {
    $("m-found").textContent = P.fill(T.map_found, { row: s.header_row, count: s.columns.length });
    const table = $("m-sample");
    table.tHead.replaceChildren(row("th", s.columns));
    table.tBodies[0].replaceChildren(...s.rows.map((r) => row("td", r)));
    const known = saved.find((m) => m.bank === bank) || {};
    const named = s.columns.filter((c) => c);
    for (const select of mapForm.querySelectorAll("select")) {
      select.replaceChildren(new Option(T.map_unused, ""), ...named.map((c) => new Option(c, c)));
      const pick = named.includes(known[select.name]) ? known[select.name] : s.guess[select.name];
      select.value = pick || "";
    }
    mapForm.dataset.bank = bank;
    mapForm.hidden = false;
  }

  $("sample-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const bank = f.bank.value.trim();
    if (!BANK.test(bank)) { f.bank.focus(); return P.say(status, T.map_bank_invalid, true); }
    if (!f.file.files.length) { f.file.focus(); return P.say(status, P.msgs.required, true); }
    const body = new FormData();
    body.append("file", f.file.files[0]);
    P.say(status, P.msgs.working);
    const r = await P.call("POST", `/api/reconcile/banks/sample?${new URLSearchParams({ estate: estate() })}`, body);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    if (r.data.problem) {
      mapForm.hidden = true;
      return P.say(status, msg(r.data.problem), true);
    }
    P.say(status, "");
    showSample(r.data, bank);
  });

  mapForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const pick = Object.fromEntries(fields().map((f) => [f, mapForm.elements[f].value]));
    if (!pick.date || !pick.counterparty || !(pick.credit || pick.amount)) {
      return P.say(status, T.map_incomplete, true);
    }
    const bank = mapForm.dataset.bank;
    const r = await P.call("PUT", "/api/reconcile/banks", { estate: estate(), bank, ...pick });
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, P.fill(T.map_saved, { bank }));
    root.dispatchEvent(new Event("banks-changed"));
  });

  root.addEventListener("banks", (ev) => {
    saved = ev.detail || [];
    showSaved();
    $("mapping").hidden = false;
  });
})();
