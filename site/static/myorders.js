"use strict";
// My requests (owner): every order of mine, newest first, with its state. Staff: the order desk.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const root = document.getElementById("my-orders");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const status = document.getElementById("status");

  async function load() {
    P.say(status, P.msgs.loading);
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) {
      location.replace(d.signin);
      return;
    }
    if (me.ok && me.data.kind !== "owner") {
      location.replace(d.staff);
      return;
    }
    const r = me.ok ? await P.call("GET", "/api/orders/mine") : me;
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      if (O.transient(r)) window.addEventListener("online", load, { once: true });
      return;
    }
    P.say(status, "");
    // Newest first (the API's order already; a tie keeps it: the later number first).
    const newer = (a, b) => (a.created_at < b.created_at) - (a.created_at > b.created_at);
    const items = r.data.items.slice().sort(newer);
    document.getElementById("orders").replaceChildren(...items.map((o) => O.item(o, d.view, "owner")));
    document.getElementById("none").hidden = items.length > 0;
    document.getElementById("new-link").hidden = false;
  }

  load();
})();
