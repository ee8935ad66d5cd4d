"use strict";
// A unit's account (finance, managers, admin): its bills, payments and refunds, and a refund
// (finance) with the amount typed in yuan, turned into whole fen by string parsing, and a
// reason. The unit is in the address (?estate=&building=&room=), so the review list links here.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const root = document.getElementById("unit-account");
  if (!P || !B || !root) return;
  const d = root.dataset;
  const $ = (id) => document.getElementById(id);
  const status = $("status");
  const form = $("find-form");
  const refundForm = $("refund-form");
  let unit = null;
  let refunding = null;
  let mayRefund = false; // the policy's refunders (data-refund-roles); the API checks again

  function estateOptions(slugs) {
    $("u-estate").replaceChildren(...slugs.map((s) => new Option(B.estate(s).name, s)));
    buildingOptions();
  }

  function buildingOptions() {
    const e = B.estate($("u-estate").value);
    $("u-building").replaceChildren(...Object.entries(e.buildings || {}).map(([code, name]) => new Option(name, code)));
  }

  function unitPath(u) {
    return [u.estate, u.building, u.room].map(encodeURIComponent).join("/");
  }

  function billRows(tbody, bills) {
    tbody.replaceChildren(...bills.map((b) => {
      const tr = document.createElement("tr");
      tr.dataset.bill = b.bill_id;
      B.cell(tr, b.period);
      B.cell(tr, B.label("item", b.item));
      B.cell(tr, b.amount_yuan, "num");
      B.cell(tr, b.paid_yuan, "num");
      B.cell(tr, b.outstanding_yuan, "num");
      B.cell(tr, b.due_date);
      const st = B.tag(B.label("status", b.late ? "late" : b.status), b.late ? "u" : "");
      B.cell(tr, st);
      return tr;
    }));
    return bills.length;
  }

  function paymentRows(items) {
    const rows = [];
    for (const p of items) {
      const tr = document.createElement("tr");
      tr.dataset.payment = p.payment_id;
      B.cell(tr, B.time(p.created_at));
      B.cell(tr, B.label("provider", p.provider));
      B.cell(tr, p.amount_yuan, "num");
      const why = p.review_reason ? ` · ${B.label("reason", p.review_reason)}` : "";
      B.cell(tr, `${B.label("payment", p.status)}${why}`);
      if (p.receipt_no) {
        const a = document.createElement("a");
        a.href = `${d.receipt}?${new URLSearchParams({ payment: p.payment_id })}`;
        a.textContent = p.receipt_no;
        B.cell(tr, a);
      } else B.cell(tr, "");
      B.cell(tr, p.refunded_fen ? p.refunded_yuan : "", "num");
      const act = B.cell(tr, "");
      if (mayRefund && p.refundable_fen > 0 && (p.status === "paid" || p.status === "review")) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "alt";
        button.textContent = B.text("refund");
        button.addEventListener("click", () => openRefund(p));
        act.append(button);
      }
      rows.push(tr);
      for (const r of p.refunds) {
        const sub = document.createElement("tr");
        sub.className = "refund";
        B.cell(sub, B.time(r.requested_at));
        const what = B.cell(sub, `${B.text("refund_no", { number: r.refund_no })} · ${r.reason}`);
        what.colSpan = 4;
        B.cell(sub, `${B.text("refunded", { yuan: r.amount_yuan })} · ${B.label("refund_state", r.state)}`);
        B.cell(sub, r.requested_by);
        rows.push(sub);
      }
    }
    $("payment-rows").replaceChildren(...rows);
    $("no-payments").hidden = items.length > 0;
  }

  function openRefund(p) {
    refunding = p;
    $("refund-of").textContent = `${p.payment_id} · ${B.text("refundable", { yuan: p.refundable_yuan })}`;
    $("r-amount").value = p.refundable_yuan;
    $("r-reason").value = "";
    for (const f of [$("r-amount"), $("r-reason")]) f.removeAttribute("aria-invalid");
    P.say($("refund-status"), "");
    refundForm.hidden = false;
    $("refund-h").focus();
  }

  function problem(field, text) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
    P.say($("refund-status"), text, true);
  }

  refundForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!refunding) return;
    const amount = $("r-amount");
    const reason = $("r-reason");
    for (const f of [amount, reason]) f.removeAttribute("aria-invalid");
    const fen = B.fenOf(amount.value);
    if (fen === null || fen > refunding.refundable_fen) return problem(amount, B.text("refund_invalid"));
    if (!reason.value.trim()) return problem(reason, B.text("refund_reason_required"));
    $("refund-submit").disabled = true;
    P.say($("refund-status"), P.msgs.working);
    const r = await P.call("POST", `/api/payments/${encodeURIComponent(refunding.payment_id)}/refunds`,
      { amount_fen: fen, reason: reason.value.trim() });
    $("refund-submit").disabled = false;
    if (!r.ok) return P.say($("refund-status"), P.errorText(r), true);
    refundForm.hidden = true;
    refunding = null;
    await show(unit);
    P.say(status, B.text("refund_done", { yuan: r.data.amount_yuan, number: r.data.refund_no }));
    return undefined;
  });

  $("refund-cancel").addEventListener("click", () => { refundForm.hidden = true; refunding = null; });

  async function showYear(year) {
    const r = await P.call("GET", `/api/bills/${unitPath(unit)}?year=${encodeURIComponent(year)}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    $("no-history").hidden = billRows($("history-rows"), r.data.history) > 0;
    return r.data;
  }

  async function show(u) {
    P.say(status, P.msgs.loading);
    const [a, pays] = await Promise.all([P.call("GET", `/api/bills/${unitPath(u)}`),
      P.call("GET", `/api/bills/${unitPath(u)}/payments`)]);
    if (a.status === 401) return location.replace(d.signin);
    const bad = !a.ok ? a : !pays.ok ? pays : null;
    if (bad) {
      $("account").hidden = true;
      return P.say(status, P.errorText(bad), true);
    }
    unit = u;
    P.say(status, "");
    $("acct-title").textContent = B.unitName(u.estate, u.building, u.room);
    $("acct-outstanding").textContent = P.fill(d.outstanding, { yuan: a.data.outstanding_yuan });
    $("no-unpaid").hidden = billRows($("unpaid-rows"), a.data.unpaid) > 0;
    $("no-history").hidden = billRows($("history-rows"), a.data.history) > 0;
    const years = a.data.years.length ? a.data.years : [a.data.year];
    $("u-year").replaceChildren(...years.map((y) => new Option(y, y, false, y === a.data.year)));
    paymentRows(pays.data.items);
    $("account").hidden = false;
    return undefined;
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const u = { estate: $("u-estate").value, building: $("u-building").value,
      room: $("u-room").value.normalize("NFKC").trim() };
    if (!u.estate || !u.building || !/^[0-9A-Za-z-]{1,20}$/.test(u.room)) {
      $("u-room").setAttribute("aria-invalid", "true");
      return P.say(status, P.msgs.required, true);
    }
    $("u-room").removeAttribute("aria-invalid");
    history.replaceState(null, "", `?${new URLSearchParams(u)}`);
    show(u).then(() => { if (!$("account").hidden) $("acct-title").focus(); });
    return undefined;
  });
  $("u-estate").addEventListener("change", buildingOptions);
  $("year-form").addEventListener("submit", (ev) => { ev.preventDefault(); if (unit) showYear($("u-year").value); });

  async function load() {
    P.say(status, P.msgs.loading);
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) return location.replace(d.signin);
    if (!me.ok) return P.say(status, P.errorText(me), true);
    if (me.data.kind === "owner") return location.replace(d.owner);
    const refunders = (d.refundRoles || "").split(" ");
    mayRefund = me.data.roles.some((r) => refunders.includes(r));
    const all = (P.json("estates") || []).map((e) => e.slug);
    const mine = me.data.roles.includes("admin") ? all : all.filter((s) => (me.data.estates || []).includes(s));
    estateOptions(mine);
    P.say(status, "");
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && q.get("building") && q.get("room")) {
      $("u-estate").value = q.get("estate");
      buildingOptions();
      $("u-building").value = q.get("building");
      $("u-room").value = q.get("room");
      return show({ estate: q.get("estate"), building: q.get("building"), room: q.get("room") });
    }
    return undefined;
  }

  load();
})();
