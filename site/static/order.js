"use strict";
// One order's page (?estate=…&number=…), for its owner or for staff: what it is, the price of a
// paid service, a button for each thing the API says the caller may do now, the time limits
// (local time) and the history. Staff see internal notes, marked; owners never get them.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const root = $("order-page");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const L = O.L;
  const staff = d.audience === "staff";
  const status = $("status");
  const form = $("act-form");
  const actStatus = $("act-status");
  const nextStatus = $("next-status");
  const params = new URLSearchParams(location.search);
  const estate = params.get("estate") || "";
  const number = params.get("number") || "";
  const path = `/api/orders/${encodeURIComponent(estate)}/${encodeURIComponent(number)}`;
  // The fields of each action's form; the one-tap actions have none.
  const FIELDS = { dispatch: ["assignee", "note"], feedback: ["note"], resolve: ["note"],
    sign_off: ["rating", "note"], reopen: ["note"], callback: ["note"], close: ["note"],
    invalid: ["note"], park: ["note"], hand_over: ["to", "note"], note: ["note"],
    quote: ["yuan", "note"], answer_price: ["answer"] };
  const ONE_TAP = ["acknowledge", "arrive"];
  const OWNER_ACTIONS = ["sign_off", "reopen", "answer_price"];
  const SIDE_STEPS = ["sign_off", "reopen", "note", "hand_over"];
  const roles = P.json("roles") || {};
  const names = {};
  for (const s of $("facts-labels").content.querySelectorAll("span")) names[s.dataset.k] = s.textContent;
  let me = null;
  let order = null;
  let current = "";

  function who(actor) {
    const [kind, id] = [actor.slice(0, actor.indexOf(":")), actor.slice(actor.indexOf(":") + 1)];
    if (kind === "owner") return !staff && me && id === me.user_id ? L.you : L.owner;
    if (kind === "staff") return staffName(id);
    if (kind === "system") return L.system;
    return actor;
  }

  // A colleague's display name where the order's answer gives it, else the username.
  function staffName(username) {
    if (!order) return username;
    if (username === order.responsible && order.responsible_name) return order.responsible_name;
    for (const h of order.chain) {
      if (h.to === username && h.to_name) return h.to_name;
      if (h.by === username && h.by_name) return h.by_name;
    }
    return username;
  }

  function yuanOf(fen) {
    const n = Number(fen);
    return Number.isInteger(n) ? `${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}` : String(fen);
  }

  // "80", "80.5", "８０．５０" → fen, exactly (no floating point); null if it is not an amount.
  function fenOf(text) {
    const m = /^\s*(\d{1,6})(?:\.(\d{1,2}))?\s*$/.exec(text.normalize("NFKC"));
    if (!m) return null;
    const fen = Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
    return fen > 0 && fen <= 10000000 ? fen : null;
  }

  function detail(key, value) {
    let shown = value;
    if (key === "fen") shown = yuanOf(value);
    else if (key === "answer") shown = O.label("answer", value);
    else if (key === "channel") shown = O.label("channel", value);
    else if (key === "rung") shown = roles[value] || value;
    return P.fill(O.label("details", key), { value: shown });
  }

  // --- showing the order -------------------------------------------------------------------
  function fact(list, key, value) {
    if (value === "" || value === null || value === undefined) return;
    const dt = document.createElement("dt");
    dt.textContent = names[key];
    const dd = document.createElement("dd");
    dd.dataset.k = key;
    if (Array.isArray(value)) {
      for (const line of value) {
        const div = document.createElement("div");
        div.textContent = line;
        dd.append(div);
      }
    } else {
      dd.textContent = value;
    }
    list.append(dt, dd);
  }

  function showFacts(o) {
    const list = $("facts");
    list.replaceChildren();
    fact(list, "kind", O.kindText(o));
    fact(list, "where", O.where(o));
    if (o.kind === "repair") fact(list, "urgency", O.label("urgency", o.urgency));
    fact(list, "description", o.description);
    fact(list, "preferred_time", o.preferred_time);
    fact(list, "contact", [o.contact_name, o.contact_phone].filter(Boolean).join(" "));
    if (staff || o.channel !== "online") fact(list, "channel", O.label("channel", o.channel));
    fact(list, "created", O.time(o.created_at, o.estate));
    fact(list, "responsible", o.responsible_name || o.responsible);
    if (staff && o.chain.length > 1) {
      fact(list, "chain", o.chain.slice(1).map((h) => P.fill(d.chainItem,
        { time: O.time(h.at, o.estate), by: h.by_name || h.by, to: h.to_name || h.to }) + (h.note ? ` (${h.note})` : "")));
    }
    fact(list, "assignee", o.assignee);
    if (o.photos) fact(list, "photos", P.fill(d.photosCount, { count: o.photos }));
    fact(list, "reason", o.reason);
    if (o.rating) fact(list, "rating", P.fill(L.stars, { stars: o.rating }));
  }

  // The photos, through their short-lived links (a tap opens the full picture).
  function showPhotos(urls) {
    const grid = $("photo-grid");
    grid.replaceChildren(...urls.map((url, i) => {
      const a = document.createElement("a");
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener";
      const img = document.createElement("img");
      img.src = url;
      img.loading = "lazy";
      img.alt = P.fill(d.photoAlt, { n: i + 1 });
      a.append(img);
      return a;
    }));
    grid.hidden = urls.length === 0;
  }

  function showPrice(o) {
    const box = $("price");
    box.hidden = !o.price;
    if (!o.price) return;
    $("price-amount").textContent = P.fill(d.priceText, { yuan: o.price.yuan });
    $("price-note").textContent = o.price.note;
    $("price-state").textContent = o.price.answer
      ? P.fill(d.priceAnswered, { answer: O.label("answer", o.price.answer) })
      : d.pricePending;
  }

  function showDeadlines(o) {
    const list = $("deadlines");
    const ended = !(L.open_states || []).includes(o.state); // closed, invalid, parked
    list.replaceChildren(...o.deadlines.map((x) => {
      const li = document.createElement("li");
      li.dataset.stage = x.stage;
      li.dataset.status = x.status;
      // A limit still "pending" on an order that has ended no longer runs: not shown as running.
      const shown = ended && x.status === "pending" ? "ended" : x.status;
      const mark = O.tag(O.label("mark", shown), `mark-${shown}`);
      const name = document.createElement("strong");
      name.textContent = O.label("stage", x.stage);
      const when = document.createElement("small");
      when.textContent = [P.fill(L.due, { due: O.time(x.due_at, o.estate) }),
        x.done_at ? P.fill(L.done_at, { done: O.time(x.done_at, o.estate) }) : ""]
        .filter(Boolean).join(" · ");
      li.append(name, " ", mark, when);
      return li;
    }));
    $("no-deadlines").hidden = o.deadlines.length > 0;
  }

  function showHistory(o, history) {
    $("history").replaceChildren(...history.map((e) => {
      const li = document.createElement("li");
      li.dataset.action = e.action;
      if (e.internal) li.className = "internal";
      const when = document.createElement("time");
      when.dateTime = e.at;
      when.textContent = O.time(e.at, o.estate);
      const what = document.createElement("strong");
      what.textContent = O.label("event", e.action);
      const by = document.createElement("span");
      by.className = "by";
      by.textContent = who(e.actor);
      li.append(when, " ", what, " ", by);
      if (e.internal) li.append(" ", O.tag(L.internal, "m"));
      const bits = Object.keys(e.details).filter((k) => L.details && k in L.details)
        .map((k) => detail(k, e.details[k]));
      if (bits.length) {
        const small = document.createElement("small");
        small.textContent = bits.join(" · ");
        li.append(small);
      }
      if (e.note) {
        const p = document.createElement("p");
        p.className = "said";
        p.textContent = e.note;
        li.append(p);
      }
      return li;
    }));
  }

  function showActions(o) {
    const known = (a) => (staff ? a in FIELDS || ONE_TAP.includes(a) : OWNER_ACTIONS.includes(a));
    const acts = o.actions.filter(known).filter((a) => a !== "answer_price" || O.awaitsAnswer(o));
    $("actions").replaceChildren(...acts.map((a) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.action = a;
      // Staff: their own steps stand out; the owner's (signed on paper, asked by phone) and
      // the side steps are drawn plainer.
      b.className = staff && SIDE_STEPS.includes(a) ? "alt" : "";
      b.textContent = O.label("action", a);
      return b;
    }));
    $("no-actions").hidden = acts.length > 0;
  }

  function show(data) {
    order = data.order;
    const o = order;
    $("title").textContent = `${O.label("kind", o.kind)} ${o.number}`;
    $("badges").replaceChildren(...O.badges(o, d.audience));
    showFacts(o);
    showPhotos(data.photo_urls || []);
    showPrice(o);
    showActions(o);
    showDeadlines(o);
    showHistory(o, data.history);
    $("order").hidden = false;
  }

  async function reload() {
    const r = await P.call("GET", path);
    if (r.status === 404 || r.status === 400) {
      $("order").hidden = true;
      $("missing").hidden = false;
      return false;
    }
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      return false;
    }
    show(r.data);
    return true;
  }

  // --- acting --------------------------------------------------------------------------------
  function closeForm() {
    form.hidden = true;
    current = "";
  }

  function openForm(action) {
    current = action;
    form.reset();
    P.say(nextStatus, "");
    for (const el of form.elements) el.removeAttribute("aria-invalid");
    P.say(actStatus, "");
    const fields = FIELDS[action];
    for (const part of form.querySelectorAll("[data-field]")) {
      const name = part.dataset.field;
      part.hidden = name === "confirm" ? fields.includes("answer") : !fields.includes(name);
    }
    $("act-h").textContent = O.label("action", action);
    $("note-label").textContent = (L.note_label && L.note_label[action]) || "";
    form.elements.note.required = (L.needs_note || []).includes(action);
    form.hidden = false;
    const first = form.querySelector("[data-field]:not([hidden]) input, [data-field]:not([hidden]) textarea");
    (first || $("act-h")).focus();
  }

  function problem(field, text) {
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    P.say(actStatus, text, true);
  }

  async function run(action, payload, where) {
    const buttons = [...root.querySelectorAll("#actions button, #act-form button")];
    for (const b of buttons) b.disabled = true;
    P.say(where, P.msgs.working);
    const r = await P.call("POST", `${path}/actions`, Object.assign({ action }, payload));
    for (const b of buttons) b.disabled = false;
    if (!r.ok) {
      P.say(where, P.errorText(r), true);
      if (r.status === 409) await reload();
      return;
    }
    closeForm();
    P.say(where, "");
    await reload();
    P.say(nextStatus, P.fill(d.done, { action: O.label("action", action) }));
  }

  $("actions").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-action]");
    if (!b) return;
    const action = b.dataset.action;
    if (ONE_TAP.includes(action)) {
      closeForm();
      run(action, {}, nextStatus);
    } else {
      openForm(action);
    }
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = form.elements;
    for (const el of f) el.removeAttribute("aria-invalid");
    const fields = FIELDS[current] || [];
    const payload = {};
    if (fields.includes("rating")) {
      if (!f.rating.value) return problem(form.querySelector("input[name=rating]"), d.ratingRequired);
      payload.rating = Number(f.rating.value);
    }
    if (fields.includes("assignee")) {
      if (!f.assignee.value.trim()) return problem(f.assignee, P.msgs.required);
      payload.assignee = f.assignee.value.trim();
    }
    if (fields.includes("to")) {
      if (!f.to.value.trim()) return problem(f.to, P.msgs.required);
      payload.to = f.to.value.trim();
    }
    if (fields.includes("yuan")) {
      const fen = fenOf(f.yuan.value);
      if (fen === null) return problem(f.yuan, d.yuanInvalid);
      payload.fen = fen;
    }
    if (fields.includes("note")) {
      const note = f.note.value.trim();
      if (f.note.required && !note) return problem(f.note, P.msgs.required);
      if (note) payload.note = note;
    }
    run(current, payload, actStatus);
  });

  for (const b of form.querySelectorAll("button[data-answer]")) {
    b.addEventListener("click", () => run("answer_price", { answer: b.dataset.answer }, actStatus));
  }
  for (const id of ["act-cancel", "answer-cancel"]) {
    $(id).addEventListener("click", () => {
      const action = current;
      closeForm();
      const again = $("actions").querySelector(`button[data-action="${action}"]`);
      if (again) again.focus();
    });
  }
  $("refresh").addEventListener("click", async () => {
    P.say(status, P.msgs.loading);
    if (await reload()) P.say(status, "");
  });

  // --- who I am ------------------------------------------------------------------------------
  async function load() {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(estate) || !/^[A-Z]{2}-[0-9]{8}-[0-9]{4,6}$/.test(number)) {
      $("missing").hidden = false;
      return;
    }
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) {
      location.replace(d.signin);
      return;
    }
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      if (O.transient(r)) window.addEventListener("online", load, { once: true });
      return;
    }
    me = r.data;
    if ((me.kind === "staff") !== staff) { // the other audience's page of the same order
      location.replace(d.other + location.search);
      return;
    }
    if (await reload()) P.say(status, "");
  }

  load();
})();
