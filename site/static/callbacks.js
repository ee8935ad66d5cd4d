"use strict";
// The callback desk (回访台, staff with callback.record): an estate's overdue and due callbacks;
// for one of them, an attempt (not reached, or "call me later") or the owner's answer on the
// three-step scale per question (overall required; a comment when "not satisfied" reopens it).
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const root = $("callbacks-page");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const status = $("status");
  const entryStatus = $("entry-status");
  const dueForm = $("due-form");
  const attemptForm = $("attempt-form");
  const resultForm = $("result-form");
  const entry = $("entry");
  const REOPENS = ["result", "overall"];
  let labels = {};
  try { labels = JSON.parse($("service-data").dataset.labels || "{}"); } catch (e) { labels = {}; }
  const kinds = labels["callbacks.kinds"] || {};
  let current = null; // the callback being recorded

  function base(c) {
    return `/api/callbacks/${encodeURIComponent(c.estate)}/${encodeURIComponent(c.callback_id)}`;
  }

  function item(c) {
    const li = document.createElement("li");
    li.className = "order";
    li.dataset.id = c.callback_id;
    const head = document.createElement("strong");
    head.textContent = `${kinds[c.kind] || c.kind} · ${O.where({ estate: c.estate, building: c.building, room: c.room, place: "" })}`;
    const meta = document.createElement("small");
    meta.textContent = [P.fill(d.dueAt, { time: O.time(c.due_at, c.estate) }),
      c.attempts.length ? P.fill(d.attempts, { count: c.attempts.length }) : ""].filter(Boolean).join(" · ");
    li.append(head, " ", meta);
    const buttons = document.createElement("p");
    buttons.className = "buttons";
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = d.open;
    open.addEventListener("click", () => openEntry(c));
    buttons.append(open);
    if (c.order_number) {
      const a = document.createElement("a");
      a.className = "btn alt";
      a.href = O.viewHref(d.view, { estate: c.estate, number: c.order_number });
      a.textContent = `${d.viewOrder} ${c.order_number}`;
      buttons.append(a);
    }
    li.append(buttons);
    return li;
  }

  function showPart(name, list) {
    const part = $(`cb-${name}`);
    part.querySelector("ul").replaceChildren(...list.map(item));
    part.querySelector("[data-count]").textContent = String(list.length);
    part.querySelector(".empty").hidden = list.length > 0;
    part.hidden = false;
  }

  async function load() {
    const q = new URLSearchParams({ estate: dueForm.elements.estate.value });
    if (dueForm.elements.day.value) q.set("day", dueForm.elements.day.value);
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", `/api/callbacks?${q}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    P.say(status, "");
    showPart("overdue", r.data.overdue);
    showPart("due", r.data.due);
  }

  function openEntry(c) {
    current = c;
    attemptForm.reset();
    resultForm.reset();
    P.say(entryStatus, "");
    $("entry-h").textContent = `${kinds[c.kind] || c.kind} · ${O.where({ estate: c.estate, building: c.building, room: c.room, place: "" })}`;
    $("entry-facts").textContent = [c.order_number, P.fill(d.dueAt, { time: O.time(c.due_at, c.estate) })]
      .filter(Boolean).join(" · ");
    entry.hidden = false;
    $("entry-h").focus();
  }

  async function save(path, body, done) {
    const buttons = entry.querySelectorAll("button");
    for (const b of buttons) b.disabled = true;
    P.say(entryStatus, P.msgs.working);
    const r = await P.call("POST", path, body);
    for (const b of buttons) b.disabled = false;
    if (!r.ok) return P.say(entryStatus, P.errorText(r), true);
    entry.hidden = true;
    await load();
    P.say(status, done(r.data));
  }

  attemptForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!current) return;
    const f = attemptForm.elements;
    save(`${base(current)}/attempts`, { method: f.method.value, reached: f.reached.checked,
      note: f.note.value.trim() }, () => d.savedAttempt);
  });

  resultForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!current) return;
    for (const el of resultForm.elements) el.removeAttribute("aria-invalid");
    const ratings = {};
    for (const fs of resultForm.querySelectorAll("fieldset[data-dim]")) {
      const picked = fs.querySelector("input:checked");
      if (picked && picked.value) ratings[fs.dataset.dim] = picked.value;
    }
    if (!ratings.overall) {
      const first = resultForm.querySelector("fieldset[data-dim=overall] input");
      first.setAttribute("aria-invalid", "true");
      first.focus();
      return P.say(entryStatus, d.overallRequired, true);
    }
    const comment = resultForm.elements.comment.value.trim();
    if (!comment && REOPENS.some((k) => ratings[k] === "unsatisfied")) {
      resultForm.elements.comment.setAttribute("aria-invalid", "true");
      resultForm.elements.comment.focus();
      return P.say(entryStatus, d.commentRequired, true);
    }
    const body = { ratings, method: resultForm.elements.method.value };
    if (comment) body.comment = comment;
    save(`${base(current)}/result`, body,
      (c) => (c.result && c.result.unsatisfied ? d.reopened : d.savedResult));
  });

  $("entry-close").addEventListener("click", () => { entry.hidden = true; });
  dueForm.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const estates = P.json("estates") || [];
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) dueForm.elements.estate.append(new Option(O.estate(slug).name, slug));
    const wanted = new URLSearchParams(location.search).get("estate");
    if (wanted && mine.includes(wanted)) dueForm.elements.estate.value = wanted;
    dueForm.hidden = false;
    load();
  }

  start();
})();
