"use strict";
// My home: who I am (GET /api/me), my homes and estates, sign out. Not signed in: the sign-in page.
(() => {
  const P = window.Portal;
  const root = document.getElementById("my");
  if (!P || !root) return;
  const d = root.dataset;
  const status = document.getElementById("status");
  const estates = new Map((P.json("estates") || []).map((e) => [e.slug, e]));
  const rels = P.json("rels") || {};

  function showUnits(units) {
    const list = document.getElementById("units");
    const tpl = document.getElementById("unit-tpl");
    for (const u of units) {
      const e = estates.get(u.estate) || { name: u.estate, buildings: {} };
      const li = tpl.content.firstElementChild.cloneNode(true);
      li.querySelector("[data-f=estate]").textContent = e.name;
      li.querySelector("[data-f=room]").textContent =
        P.unit(e.buildings[u.building] || u.building, u.room);
      li.querySelector("[data-f=rel]").textContent = rels[u.relationship] || u.relationship;
      list.append(li);
    }
    document.getElementById("no-units").hidden = units.length > 0;
  }

  function showEstates(slugs) {
    const list = document.getElementById("estates");
    for (const slug of slugs) {
      const e = estates.get(slug);
      if (!e) continue;
      const a = document.createElement("a");
      a.href = e.href;
      a.textContent = e.name;
      const li = document.createElement("li");
      li.append(a);
      list.append(li);
    }
  }

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
    const me = r.data;
    P.say(status, "");
    if (me.kind === "owner") {
      document.getElementById("hello").textContent = P.fill(d.hello, { name: me.name });
      document.getElementById("phone").textContent = me.phone;
      showUnits(me.units || []);
      const mine = [...new Set((me.units || []).map((u) => u.estate))];
      showEstates(mine);
      // The header's home link on every page goes to this estate (large.js reads it).
      try {
        if (mine.length) localStorage.setItem("estate.mine", mine[0]);
        else localStorage.removeItem("estate.mine");
      } catch (e) { /* no storage */ }
      document.getElementById("owner").hidden = false;
      document.dispatchEvent(new CustomEvent("portal:owner", { detail: me })); // acks.js
    } else {
      document.getElementById("staff").hidden = false;
    }
    P.signOutForm(status);
  }

  load();
})();
