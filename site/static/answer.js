"use strict";
// The owner's online callback answer (回访评价) on their order's page: shown while the order's
// callback is due; one answer per question on the three-step scale (overall required), a
// comment (required when "not satisfied" reopens the order). Then the order page reloads.
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const $ = (id) => document.getElementById(id);
  const box = $("callback");
  if (!P || !O || !box) return;
  const d = box.dataset;
  const form = $("cb-form");
  const status = $("cb-status");
  const params = new URLSearchParams(location.search);
  const path = `/api/orders/${encodeURIComponent(params.get("estate") || "")}/` +
    `${encodeURIComponent(params.get("number") || "")}/callback`;
  const REOPENS = ["result", "overall"];
  let labels = {};
  try { labels = JSON.parse($("service-data").dataset.labels || "{}"); } catch (e) { labels = {}; }
  const methods = labels["callbacks.methods"] || {};

  function show(data) {
    const c = data.callback;
    box.hidden = !c || c.state === "cancelled" && !c.result;
    form.hidden = !data.may_answer;
    const done = $("cb-done");
    done.hidden = data.may_answer || !c;
    if (!c || data.may_answer) return;
    if (c.state === "cancelled") done.textContent = d.closed;
    else if (c.result && c.result.unsatisfied) done.textContent = d.reopened;
    else if (c.result) done.textContent = P.fill(d.answered, { method: methods[c.result.method] || c.result.method });
  }

  async function load() {
    const r = await P.call("GET", path);
    if (r.ok) show(r.data);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    for (const el of form.elements) el.removeAttribute("aria-invalid");
    const ratings = {};
    for (const fs of form.querySelectorAll("fieldset[data-dim]")) {
      const picked = fs.querySelector("input:checked");
      if (picked) ratings[fs.dataset.dim] = picked.value;
    }
    if (!ratings.overall) {
      const first = form.querySelector("fieldset[data-dim=overall] input");
      first.setAttribute("aria-invalid", "true");
      first.focus();
      return P.say(status, d.overallRequired, true);
    }
    const comment = form.elements.comment.value.trim();
    if (!comment && REOPENS.some((k) => ratings[k] === "unsatisfied")) {
      form.elements.comment.setAttribute("aria-invalid", "true");
      form.elements.comment.focus();
      return P.say(status, d.commentRequired, true);
    }
    const button = $("cb-submit");
    button.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("POST", path, comment ? { ratings, comment } : { ratings });
    button.disabled = false;
    if (!r.ok) {
      P.say(status, P.errorText(r), true);
      if (r.status === 409) load();
      return;
    }
    P.say(status, "");
    show(r.data);
    const done = $("cb-done");
    if (!r.data.callback.result.unsatisfied) done.textContent = d.thanks;
    done.tabIndex = -1;
    done.focus();
    const refresh = $("refresh");
    if (refresh) refresh.click(); // the order page shows the step it made
  });

  // Asked once the order page has shown the order (a missing order asks nothing more).
  const order = $("order");
  if (!order.hidden) load();
  else {
    new MutationObserver((_, watch) => {
      if (order.hidden) return;
      watch.disconnect();
      load();
    }).observe(order, { attributes: true, attributeFilter: ["hidden"] });
  }
})();
