"use strict";
// Direct debits (银行托收): import the bank's result file (CSV or XLSX) and read its report, row
// by row, each problem with its column and what is wrong (the API's words, in the page's
// language); then the debited owners not told yet, each with the day it is due by (3 days).
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const $ = (id) => document.getElementById(id);
  const root = $("debit-page");
  if (!P || !B || !root) return;
  const L = JSON.parse(root.dataset.labels || "{}");
  const T = L.debit || {};
  const status = $("status");
  const form = $("debit-form");
  const en = P.lang === "en";

  const msg = (o) => (en ? o.message_en : o.message) || o.message;
  const estate = () => form.elements.estate.value;

  function problems(errors) {
    if (!errors.length) return "—";
    const list = document.createElement("span");
    errors.forEach((e, i) => {
      const one = document.createElement("span");
      one.dataset.code = e.code;
      one.textContent = msg(e);
      if (i) list.append(document.createElement("br"));
      list.append(one);
    });
    return list;
  }

  function showReport(rep) {
    $("b-outcome").textContent = msg(rep);
    const rows = [...rep.rows].sort((a, b) => (a.status !== "error") - (b.status !== "error") || a.row - b.row);
    $("b-rows").tBodies[0].replaceChildren(...rows.map((x) => {
      const tr = document.createElement("tr");
      tr.dataset.row = String(x.row);
      tr.dataset.status = x.status;
      B.cell(tr, String(x.row));
      B.cell(tr, B.tag(L.statuses[x.status] || x.status, x.status === "error" ? "u" : ""));
      B.cell(tr, x.unit_id ? B.unitOfId(x.unit_id) : "—");
      B.cell(tr, x.amount_fen ? B.yuan(x.amount_fen) : "—", "num");
      B.cell(tr, x.serial || "—");
      B.cell(tr, x.receipt_no || "—");
      B.cell(tr, problems(x.errors), "text");
      return tr;
    }));
    $("b-report").hidden = false;
    $("b-report-h").focus();
  }

  async function notices() {
    const r = await P.call("GET", `/api/debits/notices?${new URLSearchParams({ estate: estate() })}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    $("b-notices-empty").hidden = r.data.due.length > 0;
    $("b-due").hidden = !r.data.due.length;
    $("b-due").tBodies[0].replaceChildren(...r.data.due.map((n) => {
      const tr = document.createElement("tr");
      tr.dataset.payment = n.payment_id;
      if (n.overdue) tr.dataset.overdue = "true";
      B.cell(tr, B.unitOfId(n.unit_id));
      B.cell(tr, n.amount_yuan, "num");
      B.cell(tr, n.receipt_no);
      B.cell(tr, B.time(n.recorded_at));
      const by = document.createElement("span");
      by.textContent = B.time(n.due_by);
      if (n.overdue) by.append(" ", B.tag(T.overdue, "u"));
      B.cell(tr, by);
      return tr;
    }));
    $("b-notices").hidden = false;
  }

  form.addEventListener("change", (ev) => {
    if (ev.target.name !== "estate") return;
    history.replaceState(null, "", `?${new URLSearchParams({ estate: estate() })}`);
    $("b-report").hidden = true;
    notices();
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    if (!f.file.files.length) { f.file.focus(); return P.say(status, T.file_required, true); }
    const body = new FormData();
    body.append("file", f.file.files[0]);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("POST", `/api/debits?${new URLSearchParams({ estate: estate() })}`, body);
    button.disabled = false;
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    showReport(r.data);
    await notices();
  });

  async function start() {
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) return location.replace(root.dataset.signin);
    if (!me.ok) return P.say(status, P.errorText(me), true);
    const all = (P.json("estates") || []).map((e) => e.slug);
    const mine = me.data.roles.includes("admin") ? all : all.filter((s) => (me.data.estates || []).includes(s));
    form.elements.estate.replaceChildren(...mine.map((s) => new Option(B.estate(s).name, s)));
    const q = new URLSearchParams(location.search);
    if (mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    form.hidden = false;
    await notices();
  }

  start();
})();
