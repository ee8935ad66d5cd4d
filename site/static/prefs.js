"use strict";
// "我的": what the owner agrees to receive by text message (GET/PUT /api/messages/preferences):
// one switch per kind (greetings, reminders), showing the current choice; saved at each change.
(() => {
  const P = window.Portal;
  const box = document.getElementById("prefs");
  if (!P || !box) return;
  const d = box.dataset;
  const status = document.getElementById("prefs-status");
  const switches = [...box.querySelectorAll("input[role=switch]")];

  function show(prefs) {
    for (const input of switches) {
      input.checked = prefs[input.name] !== false;
      box.querySelector(`[data-state=${input.name}]`).textContent = input.checked ? d.on : d.off;
    }
  }

  async function save(changed) {
    const body = {};
    for (const input of switches) body[input.name] = input.checked;
    for (const input of switches) input.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("PUT", "/api/messages/preferences", body);
    for (const input of switches) input.disabled = false;
    if (!r.ok) {
      changed.checked = !changed.checked; // nothing changed on the server: show what is true
      P.say(status, P.errorText(r), true);
      changed.focus();
      return;
    }
    show(r.data);
    P.say(status, d.saved);
  }

  async function load() {
    const r = await P.call("GET", "/api/messages/preferences");
    if (!r.ok || !r.data) return; // my.js says what went wrong
    show(r.data);
    for (const input of switches) input.addEventListener("change", () => save(input));
    box.hidden = false;
  }

  document.addEventListener("portal:owner", load, { once: true }); // my.js: an owner is signed in
})();
