"use strict";
// Staff: who has read a critical notice, per building (GET /api/acknowledgements?estate=,
// GET /api/acknowledgements/<estate>/<notice>/coverage), and the households still unread
// with their residents' masked phones, for calls and door knocks.
(() => {
  const P = window.Portal;
  const $ = (id) => document.getElementById(id);
  const root = $("acks-page");
  if (!P || !root) return;
  const d = root.dataset;
  const status = $("status");
  const form = $("ack-form");
  const estates = P.json("estates") || [];
  const lang = document.documentElement.lang;

  function buildingName(estate, code) {
    const e = estates.find((x) => x.slug === estate);
    return (e && e.buildings[code]) || code;
  }

  async function notices() {
    const select = form.elements.notice;
    select.replaceChildren();
    const estate = form.elements.estate.value;
    const r = await P.call("GET", `/api/acknowledgements?${new URLSearchParams({ estate })}`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    for (const i of r.data.items) {
      const title = (lang === "en" && i.notice.title_en) || i.notice.title;
      const counts = P.fill(d.counts, { acknowledged: i.acknowledged, targeted: i.targeted });
      select.append(new Option(`${title}（${counts}）`, i.notice.notice));
    }
    P.say(status, r.data.items.length ? "" : d.none);
    const q = new URLSearchParams(location.search);
    if (q.get("notice")) select.value = q.get("notice");
    if (select.value) show();
  }

  async function show() {
    const estate = form.elements.estate.value;
    const notice = form.elements.notice.value;
    const r = await P.call("GET", `/api/acknowledgements/${encodeURIComponent(estate)}/${encodeURIComponent(notice)}/coverage`);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const c = r.data;
    $("a-total").textContent = P.fill(d.counts, { acknowledged: c.acknowledged, targeted: c.targeted });
    const body = $("a-buildings").tBodies[0];
    body.replaceChildren();
    const unread = $("a-unread");
    unread.replaceChildren();
    for (const b of c.buildings) {
      const tr = body.insertRow();
      tr.dataset.building = b.building;
      for (const v of [buildingName(estate, b.building), b.acknowledged, b.targeted, b.targeted - b.acknowledged]) {
        tr.insertCell().textContent = String(v);
      }
      for (const u of b.unread) {
        const li = document.createElement("li");
        const who = u.residents.length ? u.residents.map((p) => `${p.name} ${p.phone}`).join("、") : d.noResident;
        li.textContent = `${P.unit(buildingName(estate, u.building), u.room)} ${who}`;
        unread.append(li);
      }
    }
    if (!unread.children.length) {
      const li = document.createElement("li");
      li.textContent = d.allRead;
      unread.append(li);
    }
    $("coverage").hidden = false;
    P.say(status, "");
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); show(); });
  form.elements.estate.addEventListener("change", notices);

  async function start() {
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) return location.replace(d.signin);
    if (!r.ok) return P.say(status, P.errorText(r), true);
    const mine = r.data.estates && r.data.estates.length ? r.data.estates : estates.map((e) => e.slug);
    for (const slug of mine) {
      const e = estates.find((x) => x.slug === slug);
      form.elements.estate.append(new Option(e ? e.name : slug, slug));
    }
    const q = new URLSearchParams(location.search);
    if (q.get("estate") && mine.includes(q.get("estate"))) form.elements.estate.value = q.get("estate");
    form.hidden = false;
    notices();
  }

  start();
})();
