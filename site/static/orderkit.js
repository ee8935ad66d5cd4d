"use strict";
// Shared by the work-order pages: labels (from the catalogs, embedded at build time), times in
// the estate's time zone, where an order is, state badges and the list item of an order.
(() => {
  const P = window.Portal;
  const el = document.getElementById("order-data");
  if (!P || !el) return;
  let L = {};
  try { L = JSON.parse(el.dataset.labels || "{}"); } catch (e) { L = {}; }
  const DEFAULT_TZ = "Asia/Shanghai";
  const estates = new Map((P.json("estates") || []).map((e) => [e.slug, e]));
  const formats = new Map();

  function estate(slug) {
    return estates.get(slug) || { slug, name: slug, buildings: {}, tz: DEFAULT_TZ };
  }

  function label(group, key) {
    return (L[group] && L[group][key]) || key;
  }

  function format(tz) {
    if (!formats.has(tz)) {
      let f = null;
      try {
        f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "2-digit",
          day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
      } catch (e) { f = null; }
      formats.set(tz, f);
    }
    return formats.get(tz);
  }

  // "2026-11-22 10:05", local to the estate (Asia/Shanghai unless it names another zone).
  function time(iso, slug) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const f = format(estate(slug).tz || DEFAULT_TZ);
    const two = (n) => String(n).padStart(2, "0");
    if (!f || !f.formatToParts) { // an old browser without time zones: China Standard Time
      const c = new Date(d.getTime() + 8 * 3600 * 1000);
      return `${c.getUTCFullYear()}-${two(c.getUTCMonth() + 1)}-${two(c.getUTCDate())} ` +
        `${two(c.getUTCHours())}:${two(c.getUTCMinutes())}`;
    }
    const p = {};
    for (const part of f.formatToParts(d)) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour === "24" ? "00" : p.hour}:${p.minute}`;
  }

  function where(o) {
    const e = estate(o.estate);
    if (o.building === "public") return `${e.name} ${L.public}${o.place ? " · " + o.place : ""}`;
    return `${e.name} ${P.unit(e.buildings[o.building] || o.building, o.room)}`;
  }

  // Badge colours: waiting/under way, done, needs attention, final.
  const TONE = { submitted: "st-new", acknowledged: "st-go", dispatched: "st-go", on_site: "st-go",
    resolved: "st-ok", signed_off: "st-ok", callback_done: "st-ok", closed: "st-end",
    reopened: "st-warn", invalid: "st-end", parked: "st-end" };

  function tag(text, cls) {
    const s = document.createElement("span");
    s.className = "tag " + (cls || "");
    s.textContent = text;
    return s;
  }

  // The table lists answer_price while a job is open; there is something to answer only
  // when a price was quoted and not answered yet.
  function awaitsAnswer(o) {
    return (o.actions || []).includes("answer_price") && Boolean(o.price) && !o.price.answer;
  }

  function badges(o, audience) {
    const out = [tag(label("state", o.state), "st " + (TONE[o.state] || ""))];
    out[0].dataset.state = o.state;
    if (o.urgency === "emergency") out.push(tag(label("urgency", "emergency"), "u"));
    const acts = o.actions || [];
    if (audience === "owner" && acts.includes("sign_off")) out.push(tag(L.to_sign, "m"));
    if (audience === "owner" && awaitsAnswer(o)) out.push(tag(L.to_answer, "m"));
    return out;
  }

  function kindText(o) {
    return label("kind", o.kind) + (o.category ? " · " + label("category", o.category) : "");
  }

  function viewHref(base, o) {
    return `${base}?${new URLSearchParams({ estate: o.estate, number: o.number })}`;
  }

  // <li>: the kind and number (a link to its page), badges, where and when, the description.
  function item(o, base, audience) {
    const li = document.createElement("li");
    li.className = "order";
    li.dataset.number = o.number;
    const a = document.createElement("a");
    a.href = viewHref(base, o);
    const strong = document.createElement("strong");
    strong.textContent = kindText(o);
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = o.number;
    a.append(strong, " ", num);
    const meta = document.createElement("small");
    const bits = [where(o), time(o.created_at, o.estate)];
    if (audience === "staff" && o.responsible) bits.push(o.responsible_name || o.responsible);
    meta.textContent = bits.join(" · ");
    const desc = document.createElement("span");
    desc.className = "desc";
    desc.textContent = o.description.length > 80 ? o.description.slice(0, 80) + "…" : o.description;
    const tags = document.createElement("span");
    tags.className = "badges";
    tags.append(...badges(o, audience));
    li.append(a, tags, meta, desc);
    return li;
  }

  // A fresh request id for one submission: sent again on every retry of it, never reused.
  function requestId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // An API answer worth sending again unchanged: no answer at all, or the service briefly down.
  function transient(r) {
    return r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504;
  }

  window.Orders = Object.freeze({ L, label, estate, time, where, badges, tag, kindText, item,
    viewHref, requestId, transient, awaitsAnswer });
})();
