"use strict";
// The order desk (staff): my queue (new, overdue, due soon, escalated to me, mine), an estate's
// orders by state, and recording an order for an owner (a call, a visit, found on patrol).
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const root = $("queue-page");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const status = $("status");
  const PARTS = ["new", "breached", "due_soon", "escalated", "mine"];
  const TIMEOUT = 20000;
  const all = P.json("estates") || [];
  let slugs = [];

  async function loadQueue() {
    const r = await P.call("GET", "/api/orders/queue");
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      return false;
    }
    for (const part of PARTS) {
      const section = $(`part-${part}`);
      const items = r.data[part] || [];
      section.querySelector("ul").replaceChildren(...items.map((o) => O.item(o, d.view, "staff")));
      section.querySelector("[data-count]").textContent = String(items.length);
      section.querySelector(".empty").hidden = items.length > 0;
    }
    return true;
  }

  // --- an estate's orders ------------------------------------------------------------------
  const listForm = $("list-form");
  const listStatus = $("list-status");

  async function loadList() {
    const f = listForm.elements;
    const query = new URLSearchParams({ estate: f.estate.value, state: f.state.value });
    P.say(listStatus, P.msgs.loading);
    const r = await P.call("GET", `/api/orders?${query}`);
    if (!r.ok) {
      P.say(listStatus, P.errorText(r), true);
      return;
    }
    P.say(listStatus, "");
    $("list-count").textContent = P.fill(d.count, { count: r.data.items.length });
    $("estate-orders").replaceChildren(...r.data.items.map((o) => O.item(o, d.view, "staff")));
  }

  listForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    loadList();
  });

  // --- recording an order for an owner -------------------------------------------------------
  const create = $("create-form");
  const c = create.elements;
  const createStatus = $("create-status");
  let requestId = ""; // one per submission: a retry after a dropped answer makes no second order

  function buildings() {
    const e = O.estate(c.estate.value);
    c.building.replaceChildren(
      ...Object.entries(e.buildings || {}).map(([code, name]) => new Option(name, code)),
      new Option(O.L.public, "public"));
  }

  function sync() {
    const pub = c.building.value === "public";
    $("c-room-box").hidden = pub;
    $("c-place-box").hidden = !pub;
    $("c-repair-box").hidden = c.kind.value !== "repair";
  }

  function problem(field, text) {
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    P.say(createStatus, text, true);
  }

  create.addEventListener("change", (ev) => {
    if (ev.target === c.estate) buildings();
    sync();
    requestId = "";
  });
  create.addEventListener("input", () => { requestId = ""; });

  create.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    for (const el of c) el.removeAttribute("aria-invalid");
    const pub = c.building.value === "public";
    const repair = c.kind.value === "repair";
    if (!pub && !c.room.value.trim()) return problem(c.room, d.roomRequired);
    if (repair && !c.category.value) return problem(c.category, d.categoryRequired);
    if (!c.description.value.trim()) return problem(c.description, P.msgs.required);
    requestId = requestId || O.requestId();
    const button = create.querySelector("button[type=submit]");
    button.disabled = true;
    P.say(createStatus, P.msgs.working);
    const r = await P.call("POST", "/api/orders", {
      kind: c.kind.value, channel: c.channel.value, estate: c.estate.value,
      building: c.building.value, room: pub ? "" : c.room.value.trim(),
      place: pub ? c.place.value.trim() : "", description: c.description.value.trim(),
      urgency: repair ? c.urgency.value : "normal", category: repair ? c.category.value : "",
      preferred_time: c.preferred_time.value.trim(), contact_name: c.contact_name.value.trim(),
      contact_phone: c.contact_phone.value.trim(), request_id: requestId,
    }, TIMEOUT);
    button.disabled = false;
    if (!r.ok) return problem(null, P.errorText(r)); // the same request id on the next try
    requestId = "";
    const estate = c.estate.value;
    create.reset();
    c.estate.value = estate;
    buildings();
    sync();
    P.say(createStatus, "");
    const a = document.createElement("a");
    a.href = O.viewHref(d.view, r.data);
    a.textContent = P.fill(d.created, { number: r.data.number });
    createStatus.append(a);
    await loadQueue();
  });

  $("refresh").addEventListener("click", async () => {
    P.say(status, P.msgs.loading);
    if (await loadQueue()) P.say(status, "");
  });

  // --- who I am ------------------------------------------------------------------------------
  async function load() {
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) {
      location.replace(d.signin);
      return;
    }
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      return;
    }
    P.signOutForm(status);
    const me = r.data;
    if (me.kind !== "staff") {
      $("owner-only").hidden = false;
      return;
    }
    slugs = me.estates.length ? me.estates : all.map((e) => e.slug);
    for (const select of [listForm.elements.estate, c.estate]) {
      for (const slug of slugs) select.append(new Option(O.estate(slug).name, slug));
    }
    buildings();
    sync();
    $("desk").hidden = false;
    if (await loadQueue()) P.say(status, "");
    await loadList();
  }

  load();
})();
