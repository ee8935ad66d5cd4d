"use strict";
// Report a problem (owner). What is typed is kept on the phone (localStorage) as a draft; a
// submit that meets no network (a lift, a basement) waits and goes out when the connection is
// back, by itself. One request id per draft, sent again on every retry: the API answers a
// retry with the order the first attempt made, so a lost answer never makes a second order.
// Photos (photos.js) are kept on the phone too and go up before the order, which carries
// their keys.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const Ph = window.OrderPhotos;
  const root = document.getElementById("new-order");
  if (!P || !O || !Ph || !root) return;
  const d = root.dataset;
  const $ = (id) => document.getElementById(id);
  const form = $("order-form");
  const f = form.elements;
  const status = $("status");
  const retry = $("retry");
  const KEY = "portal.order-draft";
  const FIELDS = ["kind", "where", "place", "category", "urgency", "description",
    "preferred_time", "contact_name", "contact_phone"];
  const TIMEOUT = 20000; // a stalled connection counts as dropped after 20 s
  const MAX_DELAY = 30000;
  let me = null;
  let draft = null; // { user, fields, request_id, pending }
  let sending = false;
  let timer = 0;
  let delay = 0;

  // --- the draft, on the phone -------------------------------------------------------------
  function read() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  function write() {
    try {
      if (draft) localStorage.setItem(KEY, JSON.stringify(draft));
      else localStorage.removeItem(KEY);
    } catch (e) { /* storage refused (private mode): the draft lives as long as the page */ }
  }

  function values() {
    const v = {};
    for (const name of FIELDS) v[name] = f[name].value;
    return v;
  }

  function restore(v) {
    for (const name of FIELDS) {
      if (typeof v[name] !== "string") continue;
      if (name === "where" && ![...f.where.options].some((o) => o.value === v.where)) continue;
      f[name].value = v[name];
    }
  }

  function remember() {
    if (!me || (draft && draft.pending)) return;
    draft = Object.assign(draft || {}, { user: me.user_id, fields: values() });
    write();
  }

  // --- the form ----------------------------------------------------------------------------
  function fillPlaces(units) {
    const seen = new Set();
    for (const u of units) {
      const e = O.estate(u.estate);
      const text = `${e.name} ${P.unit(e.buildings[u.building] || u.building, u.room)}`;
      f.where.append(new Option(text, ["unit", u.estate, u.building, u.room].join("|")));
      seen.add(u.estate);
    }
    for (const slug of seen) {
      f.where.append(new Option(P.fill(d.public, { estate: O.estate(slug).name }), `public|${slug}`));
    }
  }

  function sync() {
    const repair = f.kind.value === "repair";
    $("repair-box").hidden = !repair;
    $("place-box").hidden = !f.where.value.startsWith("public|");
  }

  function lock(locked) {
    for (const el of form.elements) if (el !== retry && !el.closest("#photos")) el.disabled = locked;
    Ph.lock(locked);
  }

  function problem(field, text) {
    for (const el of form.elements) el.removeAttribute("aria-invalid");
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    P.say(status, text, true);
  }

  // Which field an API error is about (codes from the errors catalog).
  const FIELD_OF = { order_kind_invalid: "kind", order_urgency_invalid: "urgency",
    order_category_invalid: "category", order_description_missing: "description",
    order_description_invalid: "description", order_text_invalid: "place" };

  function body(v) {
    const [type, estate, building, room] = v.where.split("|");
    const repair = v.kind === "repair";
    return {
      kind: v.kind, estate, building: type === "public" ? "public" : building,
      room: type === "public" ? "" : room, place: type === "public" ? v.place.trim() : "",
      description: v.description.trim(), urgency: repair ? v.urgency : "normal",
      category: repair ? v.category : "", preferred_time: v.preferred_time.trim(),
      contact_name: v.contact_name.trim(), contact_phone: v.contact_phone.trim(),
      photos: Ph.keys(), request_id: draft.request_id,
    };
  }

  // --- sending -----------------------------------------------------------------------------
  function offline() {
    root.dataset.state = "offline";
    P.say(status, d.offline);
    retry.hidden = false;
    waitAndRetry();
  }

  // Refused: nothing was made. The draft (and its request id) stays for the next try.
  function refused(text, field) {
    draft.pending = false;
    write();
    lock(false);
    root.dataset.state = "refused";
    problem(field || null, text);
  }

  function waitAndRetry() {
    clearTimeout(timer);
    delay = Math.min(MAX_DELAY, delay ? delay * 2 : 3000);
    timer = setTimeout(send, delay);
  }

  async function send() {
    if (sending || !draft || !draft.pending) return;
    sending = true;
    clearTimeout(timer);
    retry.hidden = true;
    P.say(status, d.sending);
    root.dataset.state = "sending";
    const up = await Ph.sendAll();
    if (!up.ok) {
      sending = false;
      if (up.status === 401) return expired();
      return up.transient ? offline() : refused(up.text || d.photoFailed, $("f-photos"));
    }
    const r = await P.call("POST", "/api/orders", body(draft.fields), TIMEOUT);
    sending = false;
    if (r.ok) return done(r.data);
    if (O.transient(r)) return offline();
    const code = (r.data && r.data.error && r.data.error.code) || "";
    if (code === "upload_missing") Ph.resend(); // expired meanwhile: sent again next time
    if (r.status === 401) return expired();
    const name = FIELD_OF[code];
    refused(P.errorText(r), name && name !== "kind" && name !== "urgency" ? f[name] : null);
  }

  function expired() {
    draft.pending = false;
    write();
    lock(false);
    root.dataset.state = "refused";
    form.hidden = true;
    $("expired").hidden = false;
    P.say(status, "");
  }

  function done(order) {
    Ph.clear();
    draft = null;
    write();
    clearTimeout(timer);
    delay = 0;
    root.dataset.state = "done";
    P.say(status, "");
    form.hidden = true;
    $("done-text").textContent = P.fill(d.doneText, { number: order.number });
    $("done-view").href = O.viewHref(d.view, order);
    $("done").hidden = false;
    $("done-h").focus();
  }

  function start() {
    const v = values();
    if (v.kind === "repair" && !v.category) return problem(f.category, d.categoryRequired);
    if (v.where.startsWith("public|") && !v.place.trim()) return problem(f.place, d.placeRequired);
    if (!v.description.trim()) return problem(f.description, P.msgs.required);
    for (const el of form.elements) el.removeAttribute("aria-invalid");
    draft = Object.assign(draft || {}, { user: me.user_id, fields: v, pending: true });
    if (!draft.request_id) draft.request_id = O.requestId();
    write();
    lock(true);
    delay = 0;
    send();
  }

  form.addEventListener("input", () => { sync(); remember(); });
  form.addEventListener("change", () => { sync(); remember(); });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!sending && !(draft && draft.pending)) start();
  });
  retry.addEventListener("click", () => { delay = 0; send(); });
  window.addEventListener("online", () => { delay = 0; send(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") send();
  });

  // --- who I am ------------------------------------------------------------------------------
  async function load() {
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", "/api/me", undefined, TIMEOUT);
    if (r.status === 401) {
      location.replace(d.signin);
      return;
    }
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      if (O.transient(r)) window.addEventListener("online", load, { once: true });
      return;
    }
    P.say(status, "");
    me = r.data;
    if (me.kind !== "owner") {
      $("staff-only").hidden = false;
      return;
    }
    if (!me.units.length) {
      $("no-units").hidden = false;
      return;
    }
    fillPlaces(me.units);
    f.contact_name.value = me.name || "";
    f.contact_phone.value = me.phone || "";
    const kept = read();
    if (kept && kept.user === me.user_id && kept.fields) {
      draft = kept;
      restore(kept.fields);
    } else if (kept) {
      draft = null;
      write(); // another account's draft on a shared phone: not shown to this one
    }
    sync();
    form.hidden = false;
    await Ph.start(me.user_id);
    if (draft && draft.pending) {
      lock(true);
      send();
    }
  }

  load();
})();
