"use strict";
// A unit's owner profile (客户动态表, staff with profile.read; changes need profile.manage):
// occupancy, segment, dates, family members, defects, the roster's residents (phones as the
// API gives them), what a complete profile still lacks, and every contact with the unit.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const root = $("profile-page");
  if (!P || !O || !root) return;
  const d = root.dataset;
  const status = $("status");
  const editStatus = $("edit-status");
  const unitForm = $("unit-form");
  const edit = $("edit-form");
  let L = {};
  try { L = JSON.parse($("service-data").dataset.labels || "{}"); } catch (e) { L = {}; }
  const lab = (group, key) => (L[group] && L[group][key]) || key;
  const rels = L["profiles.relationships"] || {};
  let profile = null;

  function unitPath() {
    const f = unitForm.elements;
    return `/api/profiles/${[f.estate.value, f.building.value, f.room.value.trim()]
      .map(encodeURIComponent).join("/")}`;
  }

  function fact(list, key, value) {
    const dt = document.createElement("dt");
    dt.textContent = lab("profiles.fields", key);
    const dd = document.createElement("dd");
    dd.dataset.k = key;
    dd.textContent = value || d.unknown;
    list.append(dt, dd);
  }

  function show(p) {
    profile = p;
    $("p-title").textContent = O.where({ estate: p.estate, building: p.building, room: p.room, place: "" });
    const missing = p.missing.map((k) => lab("profiles.fields", k)).join("、");
    $("p-badges").replaceChildren(p.complete ? O.tag(d.complete, "mark-met")
      : O.tag(P.fill(d.missing, { fields: missing }), "mark-breached"));
    const list = $("p-facts");
    list.replaceChildren();
    fact(list, "owner", p.residents.map((r) => `${r.name} ${r.phone}`).join("；"));
    fact(list, "occupancy", p.occupancy && lab("profiles.occupancy", p.occupancy));
    fact(list, "segment", p.segment && lab("profiles.segments", p.segment));
    fact(list, "handover_date", p.handover_date);
    fact(list, "move_in_date", p.move_in_date);
    fact(list, "members", p.members.map((m) => `${m.name}（${rels[m.relationship] || m.relationship}）${m.phone ? " " + m.phone : ""}`).join("；"));
    fact(list, "defects", p.defects.join("；"));
    const f = edit.elements;
    f.occupancy.value = p.occupancy || "";
    f.segment.value = p.segment || "general";
    f.handover_date.value = p.handover_date || "";
    f.move_in_date.value = p.move_in_date || "";
    f.members.value = p.members.map((m) => [m.name, rels[m.relationship] || m.relationship, m.phone]
      .filter(Boolean).join("，")).join("\n");
    f.defects.value = p.defects.join("\n");
    $("profile").hidden = false;
  }

  function showTimeline(items) {
    $("p-timeline").replaceChildren(...items.map((c) => {
      const li = document.createElement("li");
      li.dataset.source = c.source;
      const when = document.createElement("time");
      when.dateTime = c.at;
      when.textContent = O.time(c.at, profile.estate);
      const what = document.createElement("strong");
      what.textContent = c.source === "order"
        ? `${O.label("kind", c.kind)} · ${O.label("event", c.action)}`
        : `${lab("profiles.timeline", "callback")} · ${lab("profiles.timeline", c.action)}`;
      li.append(when, " ", what, " ");
      if (c.source === "order") {
        const a = document.createElement("a");
        a.href = O.viewHref(d.view, { estate: profile.estate, number: c.ref });
        a.textContent = c.ref;
        li.append(a);
      }
      if (c.note) {
        const p = document.createElement("p");
        p.className = "said";
        p.textContent = c.note;
        li.append(p);
      }
      return li;
    }));
    $("p-timeline-empty").hidden = items.length > 0;
  }

  async function load() {
    if (!unitForm.elements.room.value.trim()) return;
    P.say(status, P.msgs.loading);
    const path = unitPath();
    const [r, t] = await Promise.all([P.call("GET", path), P.call("GET", `${path}/timeline`)]);
    if (!r.ok) {
      $("profile").hidden = true;
      return P.say(status, r.status === 404 || r.status === 400 ? d.missingUnit : P.errorText(r), true);
    }
    P.say(status, "");
    P.say(editStatus, "");
    show(r.data);
    showTimeline(t.ok ? t.data.items : []);
  }

  // "姓名，关系，电话" per line; the relationship as shown, as its key, or as the everyday
  // word staff type for it (儿子 → 子女, 老伴 → 配偶: profiles.relationship_words).
  const byWord = {};
  for (const [k, words] of Object.entries(L["profiles.relationship_words"] || {})) {
    for (const w of words.split(/\s+/).filter(Boolean)) byWord[w.toLowerCase()] = k;
  }
  for (const [k, v] of Object.entries(rels)) byWord[v.toLowerCase()] = k;
  function members(text) {
    const out = [];
    const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
    for (let i = 0; i < lines.length; i += 1) {
      const [name, rel, phone] = lines[i].split(/[,，、]/).map((x) => (x || "").trim());
      const relationship = rels[rel] ? rel : byWord[rel.toLowerCase()];
      if (!name || !relationship) return { line: i + 1 };
      out.push(phone ? { name, relationship, phone } : { name, relationship });
    }
    return { members: out };
  }

  edit.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = edit.elements;
    f.members.removeAttribute("aria-invalid");
    const m = members(f.members.value);
    if (m.line) {
      f.members.setAttribute("aria-invalid", "true");
      f.members.focus();
      return P.say(editStatus, P.fill(d.memberInvalid, { line: m.line }), true);
    }
    const body = { version: profile.version, occupancy: f.occupancy.value, segment: f.segment.value,
      handover_date: f.handover_date.value, move_in_date: f.move_in_date.value, members: m.members,
      defects: f.defects.value.split("\n").map((x) => x.trim()).filter(Boolean) };
    P.say(editStatus, P.msgs.working);
    const r = await P.call("PATCH", unitPath(), body);
    if (!r.ok) return P.say(editStatus, r.status === 403 ? d.readOnly : P.errorText(r), true);
    show(r.data);
    P.say(editStatus, d.saved);
  });

  function fillBuildings() {
    const e = O.estate(unitForm.elements.estate.value);
    unitForm.elements.building.replaceChildren(...Object.entries(e.buildings || {})
      .map(([code, name]) => new Option(name, code)));
  }

  unitForm.elements.estate.addEventListener("change", fillBuildings);
  unitForm.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const estates = P.json("estates") || [];
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    const f = unitForm.elements;
    for (const slug of mine) f.estate.append(new Option(O.estate(slug).name, slug));
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && mine.includes(q.get("estate"))) f.estate.value = q.get("estate");
    fillBuildings();
    if (q.get("building")) f.building.value = q.get("building");
    if (q.get("room")) f.room.value = q.get("room");
    unitForm.hidden = false;
    load();
  }

  start();
})();
