"use strict";
// Staff publishing (发布管理): an estate's notices, campaigns and newsletter issues; the editor
// (with the Markdown toolbar), the real-page preview at phone and A4 width, submit / approve /
// publish / withdraw with a reason, the revision history, and the site's progress after a publish.
(() => {
  const P = window.Portal;
  const T = window.MdToolbar;
  const $ = (id) => document.getElementById(id);
  const root = $("publishing-page");
  if (!P || !T || !root) return;
  const status = $("status");
  const siteState = $("site-state");
  let L = {};
  try { L = JSON.parse($("pub-data").dataset.labels || "{}"); } catch (e) { L = {}; }
  // A failed publish's note: a reason the catalogs word (reason_*), or the build's problems.
  const siteNote = (note) => L[`site.${note}`] || note;
  const estates = P.json("estates") || [];
  const PATHS = { notice: "notices", campaign: "campaigns", newsletter: "newsletters" };
  let current = null; // the document being edited (null: a new one)
  let kind = "notice";

  const estate = () => $("p-estate").value;
  const tzOf = (slug) => (estates.find((e) => e.slug === slug) || {}).tz || "Asia/Shanghai";
  const say = (text, isError) => P.say(status, text, isError);

  // --- times: the input shows the estate's wall clock; the API takes ISO with an offset ------
  function offsetOf(tz, date) {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" }).formatToParts(date);
    const name = (parts.find((p) => p.type === "timeZoneName") || {}).value || "GMT";
    return name === "GMT" ? "+00:00" : name.slice(3);
  }
  function toInput(iso, tz) {
    if (!iso) return "";
    const f = new Intl.DateTimeFormat("sv-SE", { timeZone: tz, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
    return f.format(new Date(iso)).replace(" ", "T");
  }
  function fromInput(value, tz) {
    if (!value) return null;
    return `${value.slice(0, 16)}:00${offsetOf(tz, new Date(`${value.slice(0, 16)}:00Z`))}`;
  }

  // --- the list ----------------------------------------------------------------------------
  async function loadList() {
    const r = await P.call("GET", `/api/publishing/docs?estate=${encodeURIComponent(estate())}&kind=${kind}`);
    if (!r.ok) return say(P.errorText(r), true);
    const items = r.data.items.map((doc) => {
      const li = document.createElement("li");
      li.dataset.id = doc.id;
      const title = document.createElement("strong");
      title.textContent = doc.title;
      const meta = document.createElement("small");
      meta.textContent = ` ${L[`state.${doc.state}`] || doc.state} · ${doc.updated_at.slice(0, 16).replace("T", " ")}`;
      const open = document.createElement("button");
      open.type = "button";
      open.className = "alt";
      open.textContent = L.edit;
      open.addEventListener("click", () => openDoc(doc));
      li.append(title, meta, " ", open);
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.textContent = L.empty;
      items.push(li);
    }
    $("docs").replaceChildren(...items);
    const rule = await P.call("GET", `/api/publishing/estates/${encodeURIComponent(estate())}/rules`);
    $("rule").hidden = !(rule.ok && rule.data.approval_required);
  }

  // --- the editor --------------------------------------------------------------------------
  function form() { return $(`${kind}-form`); }

  function buildingsFor(chosen, selected) {
    const box = $("n-buildings");
    const boxes = [];
    for (const slug of chosen) {
      const e = estates.find((x) => x.slug === slug);
      for (const [code, name] of Object.entries((e && e.buildings) || {})) {
        const label = document.createElement("label");
        label.className = "check";
        const input = document.createElement("input");
        input.type = "checkbox";
        input.name = "buildings";
        input.value = code;
        input.checked = selected.includes(code);
        label.append(input, ` ${name}`);
        boxes.push(label);
      }
    }
    box.replaceChildren(...boxes);
  }

  function estatesBox(selected) {
    const boxes = estates.map((e) => {
      const label = document.createElement("label");
      label.className = "check";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "estates";
      input.value = e.slug;
      input.checked = selected.includes(e.slug);
      input.addEventListener("change", () => buildingsFor(checked("estates"), checked("buildings")));
      label.append(input, ` ${e.name}`);
      return label;
    });
    $("n-estates").replaceChildren(...boxes);
    buildingsFor(selected, []);
  }

  function checked(name) {
    return [...form().querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  }

  function articleBox(a) {
    const div = document.createElement("div");
    div.className = "article";
    const kinds = ["moving", "news", "community", "service", "tips"];
    const select = document.createElement("select");
    select.name = "a_kind";
    select.setAttribute("aria-label", L["field.article_kind"]);
    for (const k of kinds) select.append(new Option(L[`article_kinds.${k}`] || k, k));
    select.value = a.kind || "moving";
    const field = (name, value, label, multi) => {
      const el = document.createElement(multi ? "textarea" : "input");
      el.name = name;
      el.value = value || "";
      el.setAttribute("aria-label", label);
      el.placeholder = label;
      if (multi) el.rows = 6;
      return el;
    };
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "alt";
    remove.textContent = L.remove_article;
    remove.addEventListener("click", () => div.remove());
    div.append(field("a_title", a.title, L["field.title"]), select,
      field("a_author", a.author, L["field.author"]), field("a_body", a.body, L["field.body"], true), remove);
    return div;
  }

  function eventBox(e, tz) {
    const div = document.createElement("div");
    div.className = "article event";
    const field = (name, type, value, label) => {
      const el = document.createElement("input");
      el.name = name;
      el.type = type;
      el.value = value || "";
      el.setAttribute("aria-label", label);
      el.placeholder = label;
      return el;
    };
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "alt";
    remove.textContent = L.remove_event;
    remove.addEventListener("click", () => div.remove());
    div.append(field("e_title", "text", e.title, L["field.title"]),
      field("e_start", "datetime-local", toInput(e.start, tz), L["field.start"]),
      field("e_end", "datetime-local", toInput(e.end, tz), L["field.end"]),
      field("e_location", "text", e.location, L["field.location"]), remove);
    return div;
  }

  function show(k, doc) {
    kind = k;
    current = doc;
    for (const f of document.querySelectorAll(".doc-form")) f.hidden = f.dataset.kind !== k;
    const f = form();
    f.reset();
    const c = (doc && doc.content) || {};
    const tz = tzOf(estate());
    const now = new Date();
    if (k === "notice") {
      estatesBox(c.estates || [estate()]);
      buildingsFor(c.estates || [estate()], c.buildings || []);
      for (const n of ["title", "category", "body", "title_en", "body_en"]) if (c[n] !== undefined) f.elements[n].value = c[n];
      f.elements.publish_at.value = toInput(c.publish_at || now.toISOString(), tz);
      f.elements.expires_at.value = toInput(c.expires_at, tz);
      f.elements.pinned.checked = !!c.pinned;
      f.elements.urgent.checked = !!c.urgent;
    } else if (k === "campaign") {
      f.elements.year.value = c.year || now.getFullYear();
      f.elements.month.value = c.month || now.getMonth() + 1;
      for (const n of ["title", "theme", "ask", "body", "title_en"]) if (c[n] !== undefined) f.elements[n].value = c[n];
      $("c-events").replaceChildren(...(c.events || []).map((e) => eventBox(e, tz)));
    } else {
      f.elements.number.value = c.number || "";
      f.elements.title.value = c.title || "";
      f.elements.intro.value = c.intro || "";
      f.elements.title_en.value = c.title_en || "";
      f.elements.publish_at.value = toInput(c.publish_at || now.toISOString(), tz);
      $("i-articles").replaceChildren(...(c.articles && c.articles.length ? c.articles : [{}]).map(articleBox));
    }
    $("editor").hidden = false;
    $("editor-h").textContent = doc ? doc.title : `${L[`kind.${k}`]}`;
    $("doc-state").textContent = doc ? P.fill(L.version, { version: doc.version, state: L[`state.${doc.state}`] || doc.state })
      + (doc.live_version ? ` · ${L.live_version}` : "") : "";
    $("withdraw-form").hidden = !(doc && (doc.state === "published" || doc.live_version));
    $("previews").hidden = true;
    P.say(siteState, doc && doc.site_state ? L[`site.${doc.site_state}`] + (doc.site_note ? ` ${siteNote(doc.site_note)}` : "") : "", doc && doc.site_state === "failed");
    history();
  }

  function openDoc(doc) { show(doc.kind, doc); $("editor-h").focus(); }

  function collect() {
    const f = form().elements;
    const tz = tzOf(estate());
    if (kind === "notice") {
      const body = { title: f.title.value, category: f.category.value, body: f.body.value,
        estates: checked("estates"), buildings: checked("buildings"),
        publish_at: fromInput(f.publish_at.value, tz), pinned: f.pinned.checked, urgent: f.urgent.checked,
        title_en: f.title_en.value, body_en: f.body_en.value };
      const expires = fromInput(f.expires_at.value, tz);
      if (expires) body.expires_at = expires;
      return body;
    }
    if (kind === "campaign") {
      const events = [...$("c-events").querySelectorAll(".event")].map((div) => ({
        title: div.querySelector("[name=e_title]").value,
        start: fromInput(div.querySelector("[name=e_start]").value, tz),
        end: fromInput(div.querySelector("[name=e_end]").value, tz),
        location: div.querySelector("[name=e_location]").value,
      })).filter((e) => e.title.trim() && e.start && e.end);
      return { estate: estate(), year: Number(f.year.value), month: Number(f.month.value), title: f.title.value,
        theme: f.theme.value, ask: f.ask.value, body: f.body.value, title_en: f.title_en.value,
        events };
    }
    const articles = [...$("i-articles").querySelectorAll(".article")].map((div) => ({
      title: div.querySelector("[name=a_title]").value, kind: div.querySelector("[name=a_kind]").value,
      author: div.querySelector("[name=a_author]").value, body: div.querySelector("[name=a_body]").value,
    })).filter((a) => a.title.trim() && a.body.trim());
    return { estate: estate(), number: Number(f.number.value), title: f.title.value,
      publish_at: fromInput(f.publish_at.value, tz), intro: f.intro.value, title_en: f.title_en.value, articles };
  }

  async function save() {
    const body = collect();
    const r = current
      ? await P.call("PUT", `/api/publishing/${PATHS[kind]}/${current.id}`, { ...body, version: current.version })
      : await P.call("POST", `/api/publishing/${PATHS[kind]}`, body);
    if (!r.ok) { say(P.errorText(r), true); return false; }
    show(kind, r.data);
    say(L.saved, false);
    loadList();
    return true;
  }

  async function act(action, extra) {
    if (!current) return;
    const r = await P.call("POST", `/api/publishing/docs/${current.id}/${action}`, { version: current.version, ...extra });
    if (!r.ok) return say(P.errorText(r), true);
    show(kind, r.data);
    say("", false);
    loadList();
    if (r.status === 202) follow(r.data.id, action === "withdraw" ? L.withdrawn_note : L.published_note);
  }

  // After a publish or a withdrawal: the site is rebuilt by a task; show where it is.
  async function follow(id, note) {
    P.say(siteState, note, false);
    for (let i = 0; i < 120; i += 1) {
      await new Promise((ok) => setTimeout(ok, i < 10 ? 500 : 2000));
      const r = await P.call("GET", `/api/publishing/docs/${id}`);
      if (!r.ok || !current || current.id !== id) return;
      if (r.data.site_state === "live") { current = r.data; return P.say(siteState, L["site.live"], false); }
      if (r.data.site_state === "failed") return P.say(siteState, `${L["site.failed"]} ${siteNote(r.data.site_note)}`, true);
    }
  }

  async function preview() {
    if (!(await save())) return;
    const base = `/api/publishing/docs/${current.id}/preview`;
    const [page, print] = await Promise.all([P.call("GET", `${base}?view=page&lang=${P.lang}`),
      P.call("GET", `${base}?view=print&lang=${P.lang}`)]);
    if (!page.ok) return say(P.errorText(page), true);
    $("preview-phone").srcdoc = page.data.html;
    $("preview-print").hidden = !(print && print.ok);
    if (print && print.ok) $("preview-print").srcdoc = print.data.html;
    $("previews").hidden = false;
  }

  async function history() {
    const list = $("history");
    if (!current) return list.replaceChildren();
    const r = await P.call("GET", `/api/publishing/docs/${current.id}/revisions`);
    if (!r.ok) return;
    list.replaceChildren(...r.data.items.map((rev) => {
      const li = document.createElement("li");
      li.textContent = P.fill(L.history_item, { version: rev.version, at: rev.at.slice(0, 16).replace("T", " "),
        by: rev.by.replace(/^staff:/, ""), action: L[`actions.${rev.action}`] || rev.action })
        + (rev.changed.length && rev.action !== "created" ? ` · ${P.fill(L.changed, { fields: rev.changed.join(", ") })}` : "")
        + (rev.note ? ` · ${rev.note}` : "");
      return li;
    }));
  }

  $("actions").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b) return;
    const a = b.dataset.act;
    if (a === "save") save();
    else if (a === "preview") preview();
    else act(a);
  });
  $("withdraw-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = ev.target.elements.reason.value.trim();
    if (!reason) return say(L.reason_required, true);
    act("withdraw", { reason });
  });
  $("add-article").addEventListener("click", () => $("i-articles").append(articleBox({})));
  $("add-event").addEventListener("click", () => $("c-events").append(eventBox({}, tzOf(estate()))));
  $("new-doc").addEventListener("click", () => { show($("p-kind").value, null); $("editor-h").focus(); });
  $("p-estate").addEventListener("change", loadList);
  $("p-kind").addEventListener("change", () => { kind = $("p-kind").value; $("editor").hidden = true; loadList(); });
  for (const bar of document.querySelectorAll(".mdbar")) T.attach(bar, estate, say, L);

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(root.dataset.signin);
    if (!r.ok) return say(P.errorText(r), true);
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) {
      const e = estates.find((x) => x.slug === slug);
      $("p-estate").append(new Option(e ? e.name : slug, slug));
    }
    $("pub-desk").hidden = false;
    loadList();
  }

  start();
})();
