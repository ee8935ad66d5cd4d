"use strict";
// The printable receipt (?payment=<id>): GET /api/payments/<id>/receipt, its captions in
// Chinese, with English beside them when asked (the API gives both); A4 when printed.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const root = document.getElementById("receipt-page");
  if (!P || !B || !root) return;
  const d = root.dataset;
  const status = document.getElementById("status");
  const article = document.getElementById("receipt");
  const bilingual = document.getElementById("bilingual");
  const id = new URLSearchParams(location.search).get("payment") || "";

  function caption(zh, en) {
    const frag = document.createDocumentFragment();
    frag.append(zh);
    if (en && en !== zh) {
      const span = document.createElement("span");
      span.className = "en";
      span.lang = "en";
      span.textContent = en;
      frag.append(" ", span);
    }
    return frag;
  }

  function show(r) {
    const set = (sel, value) => { for (const el of article.querySelectorAll(sel)) el.textContent = value; };
    for (const k of ["company", "company_en", "title", "title_en"]) set(`[data-r="${k}"]`, r[k]);
    for (const el of article.querySelectorAll("[data-k]")) {
      el.replaceChildren(caption(r.labels[el.dataset.k] || el.dataset.k, r.labels_en[el.dataset.k]));
    }
    const values = { number: r.receipt_no,
      unit: `${r.estate_name} ${r.unit_id.split("/").slice(1).join(" ")}`,
      paid_at: r.paid_at_local, channel: `${r.provider_name}`, transaction: r.transaction_id,
      total: `¥${r.total_yuan}`, capital: r.total_capital };
    for (const [k, v] of Object.entries(values)) set(`[data-v="${k}"]`, v);
    document.getElementById("r-lines").replaceChildren(...r.lines.map((ln) => {
      const tr = document.createElement("tr");
      B.cell(tr, caption(ln.name, ln.name_en));
      B.cell(tr, ln.period);
      B.cell(tr, ln.yuan, "num");
      return tr;
    }));
    article.hidden = false;
    document.getElementById("receipt-tools").hidden = false;
  }

  function languages() {
    article.classList.toggle("bilingual", bilingual.checked);
  }

  async function load() {
    if (!/^[0-9a-z_]{17,32}$/.test(id)) return P.say(status, d.missing, true);
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", `/api/payments/${encodeURIComponent(id)}/receipt`);
    if (r.status === 401) return location.replace(d.signin);
    if (r.status === 404) {
      const p = await P.call("GET", `/api/payments/${encodeURIComponent(id)}`);
      return P.say(status, p.ok && p.data.status !== "paid" ? d.notPaid : d.missing, true);
    }
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    show(r.data);
    return undefined;
  }

  bilingual.addEventListener("change", languages);
  document.getElementById("print").addEventListener("click", () => window.print());
  languages();
  load();
})();
