"use strict";
// "我的": the owner's unread critical notices (停水、安全) with a 已知晓 button each
// (GET /api/acknowledgements/mine, POST /api/acknowledgements/<estate>/<notice>).
(() => {
  const P = window.Portal;
  const box = document.getElementById("acks");
  if (!P || !box) return;
  const d = box.dataset;
  const list = document.getElementById("ack-list");
  const tpl = document.getElementById("ack-tpl");
  const status = document.getElementById("status");
  const estates = new Map((P.json("estates") || []).map((e) => [e.slug, e]));
  const lang = document.documentElement.lang;

  function unitText(o) {
    const e = estates.get(o.notice.estate) || { buildings: {} };
    return P.unit(e.buildings[o.building] || o.building, o.room);
  }

  function item(o) {
    const li = tpl.content.firstElementChild.cloneNode(true);
    const a = li.querySelector("[data-f=title]");
    a.href = `${d.noticeBase}${encodeURIComponent(o.notice.notice)}/`;
    a.textContent = (lang === "en" && o.notice.title_en) || o.notice.title;
    li.querySelector("[data-f=unit]").textContent = unitText(o);
    const button = li.querySelector("[data-f=ack]");
    button.textContent = d.ack;
    button.addEventListener("click", async () => {
      button.disabled = true;
      const r = await P.call("POST",
        `/api/acknowledgements/${encodeURIComponent(o.notice.estate)}/${encodeURIComponent(o.notice.notice)}`,
        { building: o.building, room: o.room });
      if (!r.ok) {
        button.disabled = false;
        P.say(status, P.errorText(r), true);
        return;
      }
      button.textContent = d.done;
      li.classList.add("done");
      P.say(status, "");
      document.getElementById("acks-done").hidden = !!list.querySelector("li:not(.done)");
    });
    return li;
  }

  async function load() {
    const r = await P.call("GET", "/api/acknowledgements/mine");
    if (!r.ok || !r.data) return; // my.js says what went wrong
    const unread = r.data.items.filter((o) => !o.acknowledged);
    if (!unread.length) return;
    for (const o of unread) list.append(item(o));
    box.hidden = false;
  }

  document.addEventListener("portal:owner", load, { once: true }); // my.js: an owner is signed in
})();
