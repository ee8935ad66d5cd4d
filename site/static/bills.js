"use strict";
// My bills (owner, on the phone): what is owed (due date, late), paid, each year's history;
// choose bills and pay with a provider the estate offers. Staff: the unit account page.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const root = document.getElementById("my-bills");
  if (!P || !B || !root) return;
  const d = root.dataset;
  const status = document.getElementById("status");

  function part(section, name) {
    return section.querySelector(`[data-f="${name}"]`);
  }

  // One bill: its item and period, its amount, and when it is due (or that it is late).
  function billLine(b) {
    const span = document.createElement("span");
    span.className = "bill";
    const name = document.createElement("strong");
    name.textContent = `${B.label("item", b.item)} ${b.period}`;
    const amount = document.createElement("span");
    amount.className = "amount";
    amount.textContent = B.text("amount", { yuan: b.outstanding_fen > 0 ? b.outstanding_yuan : b.amount_yuan });
    const meta = document.createElement("small");
    if (b.status === "paid") meta.append(B.tag(B.label("status", "paid"), "st-ok"));
    else {
      meta.append(B.text("due", { date: b.due_date }));
      if (b.late) meta.append(" ", B.tag(B.label("status", "late"), "u"));
      if (b.status === "partly_paid") {
        meta.append(" ", B.text("part", { paid: b.paid_yuan, outstanding: b.outstanding_yuan }));
      }
    }
    if (b.note) meta.append(` · ${b.note}`);
    span.append(name, " ", amount, meta);
    return span;
  }

  function listOf(ul, bills) {
    ul.replaceChildren(...bills.map((b) => {
      const li = document.createElement("li");
      li.dataset.bill = b.bill_id;
      li.append(billLine(b));
      return li;
    }));
  }

  function choices(section, unit) {
    const ul = part(section, "unpaid");
    ul.replaceChildren(...unit.unpaid.map((b) => {
      const li = document.createElement("li");
      li.dataset.bill = b.bill_id;
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "bill";
      box.value = b.bill_id;
      box.dataset.fen = String(b.outstanding_fen);
      box.checked = true;
      label.append(box, billLine(b));
      li.append(label);
      return li;
    }));
    const providers = part(section, "providers");
    unit.providers.forEach((kind, i) => {
      const label = document.createElement("label");
      label.className = "check";
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "provider";
      radio.value = kind;
      radio.checked = i === 0;
      label.append(radio, ` ${B.label("provider", kind)}`);
      providers.append(label);
    });
  }

  function total(section) {
    const boxes = [...section.querySelectorAll("input[name=bill]:checked")];
    const fen = boxes.reduce((sum, box) => sum + Number.parseInt(box.dataset.fen, 10), 0);
    part(section, "total").textContent = P.fill(d.selected, { count: boxes.length, yuan: B.yuan(fen) });
    return boxes.map((box) => box.value);
  }

  function guide(section, message) {
    part(section, "guide-text").textContent = message;
    part(section, "guide").hidden = false;
    part(section, "guide").scrollIntoView({ block: "nearest" });
  }

  function resultUrl(paymentId) {
    return `${d.paid}?${new URLSearchParams({ payment: paymentId })}`;
  }

  // WeChat Pay inside WeChat: the JSAPI bridge, then the result page (which asks the API).
  function wechatPay(fields, paymentId) {
    const go = () => location.assign(resultUrl(paymentId));
    const invoke = () => window.WeixinJSBridge.invoke("getBrandWCPayRequest", fields, go);
    if (window.WeixinJSBridge) invoke();
    else document.addEventListener("WeixinJSBridgeReady", invoke, { once: true });
  }

  async function pay(section, unit) {
    const say = (t, err) => P.say(part(section, "status"), t, err);
    part(section, "guide").hidden = true;
    const bills = total(section);
    if (!bills.length) return say(d.noneSelected, true);
    const picked = section.querySelector("input[name=provider]:checked");
    const provider = picked ? picked.value : "";
    const wechat = B.inWeChat();
    if (wechat && provider === "alipay") return guide(section, d.alipayInWechat); // nothing held
    const button = part(section, "pay");
    button.disabled = true;
    say(d.opening);
    const r = await P.call("POST", "/api/payments", { estate: unit.estate, building: unit.building,
      room: unit.room, bills, provider, in_wechat: wechat });
    if (!r.ok) {
      button.disabled = false;
      if (r.status === 401) location.replace(d.signin);
      const code = r.data && r.data.error ? r.data.error.code : "";
      if (code === "wechat_openid_required") { // WeChat confirms the payer, then back here
        say(P.errorText(r));
        return location.assign(`/api/payments/wechat/authorize?${new URLSearchParams(
          { estate: unit.estate, building: unit.building, room: unit.room })}`);
      }
      return say(P.errorText(r), true);
    }
    const { payment, start } = r.data;
    if (start.kind === "jsapi") return wechatPay(start.fields, payment.payment_id);
    if (start.kind === "guide") {
      button.disabled = false;
      say("");
      const f = start.fields || {};
      return guide(section, (P.lang === "en" ? f.message_en : f.message) || d.alipayInWechat);
    }
    if (!/^https?:\/\//.test(start.url)) { // redirect, sandbox: the provider's page
      button.disabled = false;
      return say(P.msgs.error, true);
    }
    location.assign(start.url);
  }

  async function showYear(section, unit, year) {
    const path = `/api/bills/${encodeURIComponent(unit.estate)}/${encodeURIComponent(unit.building)}/` +
      `${encodeURIComponent(unit.room)}?year=${encodeURIComponent(year)}`;
    const r = await P.call("GET", path);
    if (!r.ok) return P.say(part(section, "status"), P.errorText(r), true);
    listOf(part(section, "history"), r.data.history);
    part(section, "none-history").hidden = r.data.history.length > 0;
  }

  function show(unit) {
    const section = document.getElementById("unit-tpl").content.firstElementChild.cloneNode(true);
    section.dataset.unit = unit.unit_id;
    part(section, "name").textContent = B.unitName(unit.estate, unit.building, unit.room);
    part(section, "outstanding").textContent = P.fill(d.outstanding, { yuan: unit.outstanding_yuan });
    choices(section, unit);
    const owes = unit.unpaid.length > 0;
    part(section, "none-unpaid").hidden = owes;
    part(section, "pay-box").hidden = !owes || unit.providers.length === 0;
    part(section, "no-online").hidden = !owes || unit.providers.length > 0;
    listOf(part(section, "paid"), unit.paid);
    part(section, "none-paid").hidden = unit.paid.length > 0;
    listOf(part(section, "history"), unit.history);
    part(section, "none-history").hidden = unit.history.length > 0;
    const year = part(section, "year");
    for (const y of unit.years.length ? unit.years : [unit.year]) year.append(new Option(y, y, false, y === unit.year));
    total(section);
    const form = part(section, "pay-form");
    form.addEventListener("change", () => total(section));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); pay(section, unit); });
    part(section, "year-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      showYear(section, unit, year.value);
    });
    return section;
  }

  async function load() {
    P.say(status, P.msgs.loading);
    const me = await P.call("GET", "/api/me"); // also the session's CSRF token, for paying
    if (me.status === 401) return location.replace(d.signin);
    if (me.ok && me.data.kind !== "owner") return location.replace(d.staff); // the unit account
    const r = me.ok ? await P.call("GET", "/api/bills/mine") : me;
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      window.addEventListener("online", load, { once: true });
      return;
    }
    const wx = new URLSearchParams(location.search).get("wechat"); // back from WeChat's step
    P.say(status, wx === "failed" ? d.wechatFailed : wx === "ready" ? d.wechatReady : "",
      wx === "failed");
    document.getElementById("units").replaceChildren(...r.data.units.map(show));
    document.getElementById("no-units").hidden = r.data.units.length > 0;
  }

  // Back from the provider with the browser's back button: show what is true now.
  window.addEventListener("pageshow", (ev) => { if (ev.persisted) load(); });
  load();
})();
