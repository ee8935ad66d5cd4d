"use strict";
// The front desk (前台收费): find a unit's open bills, take cash, a bank transfer or a POS card
// for the ticked ones, and show the receipt (numbered like online receipts) and the day's list.
// One request id per payment, kept across retries of it: a double click or a retry after a
// dropped answer gets the first recording back, never a second payment.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const $ = (id) => document.getElementById(id);
  const root = $("desk-page");
  if (!P || !B || !root) return;
  const L = JSON.parse(root.dataset.labels || "{}");
  const T = L.desk || {};
  const status = $("status");
  const find = $("find-form");
  const pay = $("pay-form");
  let unit = null;
  let requestId = "";
  const names = new Map(); // bill id → "物业费 2026-11", for the receipt

  function newRequestId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    const bytes = new Uint8Array(16);
    c.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const transient = (r) => [0, 502, 503, 504].includes(r.status);
  const unitPath = (u) => [u.estate, u.building, u.room].map(encodeURIComponent).join("/");
  const ticked = () => [...pay.querySelectorAll("input[name=bill]:checked")];
  const owed = () => ticked().reduce((sum, box) => sum + Number(box.dataset.fen), 0);

  function buildings() {
    const e = B.estate(find.elements.estate.value);
    find.elements.building.replaceChildren(
      ...Object.entries(e.buildings || {}).map(([code, name]) => new Option(name, code)));
  }

  function showTotal() {
    $("d-total").textContent = P.fill(T.total, { amount: B.yuan(owed()) });
  }

  function billRow(b) {
    const tr = document.createElement("tr");
    tr.dataset.bill = b.bill_id;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "bill";
    box.value = b.bill_id;
    box.checked = true;
    box.dataset.fen = String(b.outstanding_fen);
    const name = `${B.label("item", b.item)}${b.note ? ` · ${b.note}` : ""}`;
    names.set(b.bill_id, `${name} ${b.period}`);
    box.setAttribute("aria-label", `${name} ${b.period}`);
    B.cell(tr, box);
    const what = document.createElement("span");
    what.textContent = name;
    if (b.late) what.append(" ", B.tag(T.late, "u"));
    B.cell(tr, what);
    B.cell(tr, b.period);
    B.cell(tr, b.outstanding_yuan, "num");
    return tr;
  }

  async function showUnit() {
    const r = await P.call("GET", `/api/bills/${unitPath(unit)}`);
    if (!r.ok) {
      pay.hidden = true;
      return P.say(status, P.errorText(r), true);
    }
    const bills = r.data.unpaid.filter((b) => b.outstanding_fen > 0);
    $("d-unit").textContent = B.unitName(unit.estate, unit.building, unit.room);
    $("bills-h").hidden = false;
    $("d-bills").tBodies[0].replaceChildren(...bills.map(billRow));
    pay.hidden = !bills.length;
    if (!bills.length) P.say(status, T.no_bills);
    showTotal();
    return bills.length;
  }

  function showReceipt(done) {
    $("r-outcome").textContent = P.fill(done.first ? T.recorded : T.seen, { amount: done.amount_yuan,
      method: L.methods[done.method] || done.method, receipt: done.receipt_no });
    $("r-number").textContent = done.receipt_no;
    $("r-unit").textContent = B.unitOfId(done.unit_id);
    $("r-method").textContent = L.methods[done.method] || done.method;
    $("r-amount").textContent = done.amount_yuan;
    $("r-bills").textContent = done.bills.map((id) => names.get(id) || id).join(P.msgs.sep || "、");
    $("r-print").href = `${root.dataset.receipt}?${new URLSearchParams({ payment: done.payment_id })}`;
    $("receipt").hidden = false;
    $("receipt-h").focus();
  }

  async function showDay() {
    const day = $("d-day").value;
    const q = new URLSearchParams({ estate: find.elements.estate.value });
    if (day) q.set("day", day);
    const r = await P.call("GET", `/api/offline-payments?${q}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    $("d-day").value = r.data.day;
    $("d-day-total").textContent = P.fill(T.day_total, { count: r.data.count, amount: r.data.total_yuan });
    const tbody = $("d-list").tBodies[0];
    if (!r.data.payments.length) {
      const tr = document.createElement("tr");
      B.cell(tr, T.none).colSpan = 7;
      tbody.replaceChildren(tr);
    } else {
      tbody.replaceChildren(...r.data.payments.map((p) => {
        const tr = document.createElement("tr");
        tr.dataset.receipt = p.receipt_no;
        B.cell(tr, B.time(p.at).slice(11));
        B.cell(tr, B.unitOfId(p.unit_id));
        B.cell(tr, L.methods[p.method] || p.method);
        B.cell(tr, p.amount_yuan, "num");
        B.cell(tr, p.receipt_no);
        B.cell(tr, p.reference || "—");
        B.cell(tr, p.recorded_by.replace(/^[a-z]+:/, ""));
        return tr;
      }));
    }
    $("day").hidden = false;
  }

  find.addEventListener("change", (ev) => { if (ev.target.name === "estate") { buildings(); showDay(); } });
  find.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = find.elements;
    const room = f.room.value.trim();
    if (!room) { f.room.focus(); return P.say(status, P.msgs.required, true); }
    unit = { estate: f.estate.value, building: f.building.value, room };
    history.replaceState(null, "", `?${new URLSearchParams(unit)}`);
    requestId = "";
    $("receipt").hidden = true;
    P.say(status, P.msgs.loading);
    if (await showUnit()) {
      P.say(status, "");
      $("bills-h").focus();
    }
  });

  pay.addEventListener("change", (ev) => {
    if (ev.target.name === "bill") showTotal();
    if (ev.target.name === "method") $("d-reference-box").hidden = ev.target.value === "cash";
    requestId = "";
  });
  pay.addEventListener("input", () => { requestId = ""; });

  pay.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = pay.elements;
    const bills = ticked().map((box) => box.value);
    if (!bills.length) return P.say(status, T.pick_bills, true);
    const got = B.fenOf(f.amount.value);
    if (got === null) { f.amount.focus(); return P.say(status, T.amount_invalid, true); }
    if (got !== owed()) {
      f.amount.focus();
      return P.say(status, P.fill(T.amount_differs, { got: B.yuan(got), owed: B.yuan(owed()) }), true);
    }
    requestId = requestId || newRequestId();
    const button = pay.querySelector("button[type=submit]");
    button.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("POST", "/api/offline-payments", {
      ...unit, bills, method: f.method.value, amount_fen: got, request_id: requestId,
      reference: f.method.value === "cash" ? "" : f.reference.value.trim(), note: f.note.value.trim(),
    });
    button.disabled = false;
    if (!r.ok) {
      if (!transient(r)) requestId = ""; // refused: a corrected form is a new payment
      return P.say(status, P.errorText(r), true);
    }
    requestId = "";
    f.amount.value = "";
    f.reference.value = "";
    f.note.value = "";
    P.say(status, "");
    showReceipt(r.data);
    if (!(await showUnit())) P.say(status, ""); // paid up: the receipt says it all
    await showDay();
  });

  $("day-form").addEventListener("submit", (ev) => { ev.preventDefault(); showDay(); });

  async function start() {
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) return location.replace(root.dataset.signin);
    if (!me.ok) return P.say(status, P.errorText(me), true);
    const all = (P.json("estates") || []).map((e) => e.slug);
    const mine = me.data.roles.includes("admin") ? all : all.filter((s) => (me.data.estates || []).includes(s));
    find.elements.estate.replaceChildren(...mine.map((s) => new Option(B.estate(s).name, s)));
    const q = new URLSearchParams(location.search);
    if (mine.includes(q.get("estate"))) find.elements.estate.value = q.get("estate");
    buildings();
    if (q.get("building")) find.elements.building.value = q.get("building");
    if (q.get("room")) find.elements.room.value = q.get("room");
    find.hidden = false;
    await showDay();
    if (q.get("room")) find.requestSubmit();
  }

  start();
})();
