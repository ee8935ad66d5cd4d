"use strict";
// The foreman's cash handover (现金交接): the guards' door-cash batches per collector and day,
// each confirmed with the count and the cash counted (in yuan, read into whole fen as text);
// a batch still open after the end of the next day is marked overdue. The state, the overdue
// mark and every figure come from the API.
(() => {
  const P = window.Portal;
  const B = window.Bills;
  const $ = (id) => document.getElementById(id);
  const root = $("handover-page");
  if (!P || !B || !root) return;
  const L = JSON.parse(root.dataset.labels || "{}");
  const T = L.handover || {};
  const status = $("status");
  const form = $("h-form");

  const estate = () => form.elements.estate.value;

  function input(name, label, who, attrs) {
    const el = document.createElement("input");
    el.name = name;
    el.placeholder = label;
    el.setAttribute("aria-label", `${label} ${who}`);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  }

  function confirmer(b) {
    const box = document.createElement("form");
    box.className = "inline";
    box.noValidate = true;
    const who = `${b.day} ${b.collector_name}`;
    const count = input("count", T.count_label, who, { inputmode: "numeric", maxlength: "6" });
    const amount = input("amount", T.amount_label, who, { inputmode: "decimal", maxlength: "14" });
    const note = input("note", T.note_label, who, { maxlength: "200" });
    const go = document.createElement("button");
    go.type = "submit";
    go.textContent = T.confirm;
    box.append(count, amount, note, go);
    box.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const n = /^\s*\d{1,6}\s*$/.test(count.value) ? Number.parseInt(count.value, 10) : null;
      if (n === null) { count.focus(); return P.say(status, P.msgs.required, true); }
      const fen = /^\s*0+(\.0{1,2})?\s*$/.test(amount.value) ? 0 : B.fenOf(amount.value);
      if (fen === null) { amount.focus(); return P.say(status, T.amount_invalid, true); }
      go.disabled = true;
      const path = [b.estate, b.day, b.collector].map(encodeURIComponent).join("/");
      const r = await P.call("POST", `/api/handovers/${path}/confirm`, { count: n, amount_fen: fen,
        note: note.value.trim() });
      go.disabled = false;
      if (!r.ok) return P.say(status, P.errorText(r), true);
      const done = r.data;
      const params = { day: done.day, collector: done.collector_name, count: done.counted_count,
        amount: B.yuan(done.counted_fen) };
      P.say(status, P.fill(done.state === "confirmed" ? T.confirmed : T.differs, params),
        done.state !== "confirmed");
      await load();
    });
    return box;
  }

  function row(b) {
    const tr = document.createElement("tr");
    tr.dataset.day = b.day;
    tr.dataset.collector = b.collector;
    tr.dataset.state = b.state;
    if (b.overdue) tr.dataset.overdue = "true";
    B.cell(tr, b.day);
    B.cell(tr, b.collector_name || b.collector);
    B.cell(tr, String(b.count), "num");
    B.cell(tr, b.total_yuan, "num");
    const state = document.createElement("span");
    state.append(B.tag(L.states[b.state] || b.state, b.state === "discrepancy" ? "u" : ""));
    if (b.overdue) state.append(" ", B.tag(root.dataset.overdue, "u"));
    B.cell(tr, state);
    const counted = P.fill(T.counted, { count: b.counted_count, amount: B.yuan(b.counted_fen) });
    const done = `${counted}${b.confirmed_by ? ` · ${b.confirmed_by.replace(/^[a-z]+:/, "")}` : ""}` +
      `${b.note ? ` · ${b.note}` : ""}`;
    B.cell(tr, b.state === "open" ? confirmer(b) : done);
    return tr;
  }

  async function load() {
    const q = new URLSearchParams({ estate: estate() });
    if (form.elements.since.value) q.set("since", form.elements.since.value);
    history.replaceState(null, "", `?${q}`);
    const r = await P.call("GET", `/api/handovers?${q}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const batches = [...r.data.batches].sort((a, b) => (b.overdue - a.overdue) || b.day.localeCompare(a.day));
    const open = batches.filter((b) => b.state === "open").length;
    const overdue = batches.filter((b) => b.overdue).length;
    $("h-summary").textContent = P.fill(T.summary, { batches: batches.length, open, overdue });
    const tbody = $("h-list").tBodies[0];
    if (!batches.length) {
      const tr = document.createElement("tr");
      B.cell(tr, T.none).colSpan = 6;
      tbody.replaceChildren(tr);
    } else tbody.replaceChildren(...batches.map(row));
    $("batches").hidden = false;
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); P.say(status, ""); load(); });

  async function start() {
    const me = await P.call("GET", "/api/me");
    if (me.status === 401) return location.replace(root.dataset.signin);
    if (!me.ok) return P.say(status, P.errorText(me), true);
    const all = (P.json("estates") || []).map((e) => e.slug);
    const mine = me.data.roles.includes("admin") ? all : all.filter((s) => (me.data.estates || []).includes(s));
    form.elements.estate.replaceChildren(...mine.map((s) => new Option(B.estate(s).name, s)));
    const q = new URLSearchParams(location.search);
    if (mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.get("since") || "")) form.elements.since.value = q.get("since");
    form.hidden = false;
    await load();
  }

  start();
})();
