"use strict";
// Payments under review (finance): money captured that could not be applied, per estate, each
// with why and a link to its unit's account (where it is refunded).
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const root = document.getElementById("review-page");
  if (!P || !B || !root) return;
  const d = root.dataset;
  const $ = (id) => document.getElementById(id);
  const status = $("status");

  function row(p) {
    const tr = document.createElement("tr");
    tr.dataset.payment = p.payment_id;
    B.cell(tr, B.time(p.created_at));
    B.cell(tr, B.label("provider", p.provider));
    B.cell(tr, p.amount_yuan, "num");
    B.cell(tr, B.unitOfId(p.unit_id));
    B.cell(tr, p.review_reason ? B.label("reason", p.review_reason) : "");
    const [estate, building, room] = p.unit_id.split("/");
    const a = document.createElement("a");
    a.href = `${d.unit}?${new URLSearchParams({ estate, building, room })}`;
    a.textContent = d.openUnit;
    B.cell(tr, a);
    return tr;
  }

  async function show(estate) {
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", `/api/payments/review?${new URLSearchParams({ estate })}`);
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) {
      $("review-table").hidden = true;
      return P.say(status, P.errorText(r), true);
    }
    P.say(status, "");
    $("review-rows").replaceChildren(...r.data.items.map(row));
    $("review-table").hidden = r.data.items.length === 0;
    $("review-none").hidden = r.data.items.length > 0;
    return undefined;
  }

  $("review-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const estate = $("rv-estate").value;
    history.replaceState(null, "", `?${new URLSearchParams({ estate })}`);
    show(estate);
  });

  async function load() {
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) return location.replace(d.signin);
    if (!me.ok) return P.say(status, P.errorText(me), true);
    const all = (P.json("estates") || []).map((e) => e.slug);
    const mine = me.data.roles.includes("admin") ? all : all.filter((s) => (me.data.estates || []).includes(s));
    $("rv-estate").replaceChildren(...mine.map((s) => new Option(B.estate(s).name, s)));
    const asked = new URLSearchParams(location.search).get("estate");
    if (asked && mine.includes(asked)) $("rv-estate").value = asked;
    if (mine.length) return show($("rv-estate").value);
    return undefined;
  }

  load();
})();
