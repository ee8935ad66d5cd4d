"use strict";
// The payment result (?payment=<id>): asks GET /api/payments/<id> with back-off until the
// provider's notification is recorded. "Paid" is shown only when the API says `paid`; a
// closed payment, one in review, or no answer for two minutes each say what to do next.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const root = document.getElementById("bill-paid");
  if (!P || !B || !root) return;
  const d = root.dataset;
  const status = document.getElementById("status");
  const id = new URLSearchParams(location.search).get("payment") || "";
  const DELAYS = [1000, 1000, 2000, 2000, 3000, 5000, 5000, 8000, 10000, 15000, 15000, 15000, 15000];
  let timer = 0;

  function state(name, headline, explain) {
    root.dataset.state = name;
    document.getElementById("headline").textContent = headline;
    document.getElementById("explain").textContent = explain || "";
    document.getElementById("again").hidden = name !== "timeout";
  }

  function facts(p) {
    document.getElementById("f-number").textContent = p.payment_id;
    document.getElementById("f-amount").textContent = B.text("amount", { yuan: p.amount_yuan });
    document.getElementById("f-items").textContent = p.lines
      .map((ln) => `${B.label("item", ln.item)} ${ln.period}`).join(P.msgs.sep);
    document.getElementById("facts").hidden = false;
  }

  function show(p) {
    facts(p);
    if (p.status === "paid") {
      state("paid", d.paid, P.fill(d.paidText, { yuan: p.amount_yuan, receipt: p.receipt_no }));
      const link = document.getElementById("receipt-link");
      link.href = `${d.receipt}?${new URLSearchParams({ payment: p.payment_id })}`;
      link.hidden = false;
      return true;
    }
    if (p.status === "closed") {
      state("closed", d.closed, d.closedText);
      return true;
    }
    if (p.status === "review") {
      const why = p.review_reason ? ` (${B.label("reason", p.review_reason)})` : "";
      state("review", d.review, d.reviewText + why);
      return true;
    }
    state("waiting", d.waiting, d.waitingText); // pending: the notification is not recorded yet
    return false;
  }

  async function ask(attempt) {
    const r = await P.call("GET", `/api/payments/${encodeURIComponent(id)}`, undefined, 15000);
    if (r.status === 401) return location.replace(d.signin);
    if (r.status === 404 || r.status === 422 || r.status === 400) {
      state("missing", d.missing, "");
      return undefined;
    }
    P.say(status, r.ok ? "" : P.errorText(r), !r.ok); // a dropped connection: keep asking
    if (r.ok && show(r.data)) return undefined;
    if (!r.ok && root.dataset.state === "loading") state("waiting", d.waiting, d.waitingText);
    if (attempt >= DELAYS.length) {
      state("timeout", d.timeout, d.timeoutText);
      return undefined;
    }
    timer = setTimeout(() => ask(attempt + 1), DELAYS[attempt]);
    return undefined;
  }

  function start() {
    clearTimeout(timer);
    state("waiting", d.waiting, d.waitingText);
    ask(0);
  }

  document.getElementById("again").addEventListener("click", start);
  if (!/^[0-9a-z_]{17,32}$/.test(id)) state("missing", d.missing, "");
  else start();
})();
