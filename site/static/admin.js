"use strict";
// The staff page: who I am and my own password; roster import (with its template) for the roles
// allowed to; staff accounts for admins (disabling asks first; butlers limited to buildings).
(() => {
  const P = window.Portal;
  const root = document.getElementById("desk");
  if (!P || !root) return;
  const d = root.dataset;
  const $ = (id) => document.getElementById(id);
  const status = $("status");
  const estates = P.json("estates") || [];
  const roleLabels = P.json("roles") || {};
  const statusLabels = P.json("statuses") || {};
  const sep = P.msgs.sep;
  const estateOf = (slug) => estates.find((e) => e.slug === slug) || { name: slug, buildings: {} };
  const roleNames = (roles) => roles.map((r) => roleLabels[r] || r).join(sep);
  const estateNames = (slugs) => (slugs.length ? slugs.map((s) => estateOf(s).name).join(sep) : d.allEstates);
  const text = (x) => (P.lang === "en" ? x.message_en : x.message);

  function problem(st, field, message) {
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    P.say(st, message, true);
  }

  async function submitting(form, st, work) {
    for (const el of form.elements) el.removeAttribute("aria-invalid");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    P.say(st, P.msgs.working);
    try { await work(form.elements); } finally { button.disabled = false; }
  }

  // --- roster import ------------------------------------------------------------------------
  function setUpImport(slugs) {
    const form = $("import-form");
    const st = $("import-status");
    for (const slug of slugs) form.elements.estate.append(new Option(estateOf(slug).name, slug));
    $("import").hidden = false;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitting(form, st, async (f) => {
        const file = f.file.files[0];
        if (!file) return problem(st, f.file, P.msgs.required);
        const query = new URLSearchParams({ estate: f.estate.value, dry_run: f.dry_run.checked,
          allow_partial: f.allow_partial.checked });
        const body = new FormData();
        body.append("file", file, file.name);
        const r = await P.call("POST", "/api/owners/import?" + query, body);
        if (!r.ok) {
          $("report").hidden = true;
          return problem(st, null, P.errorText(r));
        }
        P.say(st, text(r.data), r.data.outcome === "rejected");
        showReport(r.data.rows, estateOf(f.estate.value));
      });
    });
  }

  // One item a row (row number, result, home, masked mobile), its problems as a list under it,
  // each naming the column to fix: readable on a phone, nothing to scroll sideways.
  function showReport(rows, estate) {
    const list = $("report-rows");
    const columns = JSON.parse(list.dataset.columns || "{}");
    list.replaceChildren();
    for (const row of rows) {
      const [, building, room] = row.unit_id ? row.unit_id.split("/") : ["", row.building, row.room];
      const unit = row.unit_id
        ? P.unit(estate.buildings[building] || building, room)
        : [building, room].filter(Boolean).join(" ");
      const li = document.createElement("li");
      li.dataset.row = row.row;
      li.dataset.status = row.status;
      const head = document.createElement("strong");
      head.textContent = P.fill(d.rowN, { row: row.row });
      const mark = document.createElement("span");
      mark.className = `tag ${row.status === "error" ? "mark-breached" : row.status === "ok" ? "mark-met" : ""}`;
      mark.textContent = statusLabels[row.status] || row.status;
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = [row.name, unit, row.phone].filter(Boolean).join(" · ");
      li.append(head, " ", mark, " ", what);
      if (row.errors.length) {
        const problems = document.createElement("ul");
        problems.className = "problems";
        for (const e of row.errors) {
          const item = document.createElement("li");
          item.dataset.column = e.column;
          item.textContent = (e.column ? columns[e.column] + list.dataset.colon : "") + text(e);
          problems.append(item);
        }
        li.append(problems);
      }
      list.append(li);
    }
    $("report").hidden = false;
    $("report-h").focus();
  }

  // --- staff accounts (admin) -------------------------------------------------------------
  let self = "";
  const list = $("staff-list");
  const listStatus = $("list-status");
  const resetForm = $("reset-form");
  const editForm = $("edit-form");
  const disableForm = $("disable-form");
  const buildingNames = (slug, codes) => codes.map((c) => estateOf(slug).buildings[c] || c).join(d.buildingsSep);
  const scopeNames = (a) => (a.estates.length ? a.estates.map((s) => {
    const codes = (a.buildings || {})[s] || [];
    return codes.length ? P.fill(d.scopeBuildings, { estate: estateOf(s).name, buildings: buildingNames(s, codes) })
      : estateOf(s).name;
  }).join(sep) : d.allEstates);

  function staffItem(a) {
    const li = $("staff-tpl").content.firstElementChild.cloneNode(true);
    const part = (name) => li.querySelector(`[data-f=${name}]`);
    li.dataset.user = a.username;
    li.dataset.disabled = String(a.disabled);
    part("name").textContent = a.name;
    part("user").textContent = a.username;
    part("info").textContent = [a.phone, roleNames(a.roles), scopeNames(a),
      a.disabled ? d.disabled : d.enabled, a.must_change_password ? d.mustChange : ""]
      .filter(Boolean).join(" · ");
    const toggle = li.querySelector("[data-act=toggle]");
    const reset = li.querySelector("[data-act=reset]");
    toggle.textContent = a.disabled ? d.enable : d.disable;
    reset.textContent = d.reset;
    const edit = li.querySelector("[data-act=edit]");
    edit.textContent = d.edit;
    edit.setAttribute("aria-label", `${edit.textContent} ${a.username}`);
    li.dataset.roles = a.roles.join(" ");
    li.dataset.estates = a.estates.join(" ");
    li.dataset.buildings = Object.entries(a.buildings || {}).flatMap(([e, bs]) => bs.map((b) => `${e}/${b}`)).join(" ");
    li.dataset.name = a.name;
    toggle.setAttribute("aria-label", `${toggle.textContent} ${a.username}`);
    reset.setAttribute("aria-label", `${reset.textContent} ${a.username}`);
    toggle.hidden = a.username === self; // the API refuses to lock yourself out
    reset.hidden = a.username === self; // your own: "修改我的密码" above, with the current one
    return li;
  }

  function closeReset() {
    disableForm.hidden = true;
    list.after(disableForm);
    resetForm.hidden = true;
    list.after(resetForm);
    editForm.hidden = true;
    list.after(editForm);
  }

  async function loadStaff() {
    closeReset();
    const r = await P.call("GET", "/api/staff");
    if (!r.ok) return problem(listStatus, null, P.errorText(r));
    list.replaceChildren(...r.data.items.map(staffItem));
  }

  function replaceItem(li, account, message) {
    closeReset();
    const fresh = staffItem(account);
    li.replaceWith(fresh);
    P.say(listStatus, message);
    return fresh;
  }

  list.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-act]");
    if (!button) return;
    const li = button.closest("li");
    const user = li.dataset.user;
    if (button.dataset.act === "reset") {
      resetForm.dataset.user = user;
      $("reset-label").textContent = P.fill(d.resetLabel, { username: user });
      P.say($("reset-status"), "");
      resetForm.reset();
      li.append(resetForm);
      resetForm.hidden = false;
      resetForm.elements.password.focus();
      return;
    }
    if (button.dataset.act === "edit") {
      closeReset();
      editForm.dataset.user = user;
      $("edit-label").textContent = P.fill(d.editLabel, { username: user });
      P.say($("edit-status"), "");
      const has = (name, value) => (li.dataset[name] || "").split(" ").includes(value);
      for (const box of editForm.querySelectorAll("input[type=checkbox]")) box.checked = has(box.name, box.value);
      showBuildings();
      li.append(editForm);
      editForm.hidden = false;
      editForm.querySelector("input").focus();
      return;
    }
    if (li.dataset.disabled !== "true") { // disabling signs them out at once: ask first
      closeReset();
      disableForm.dataset.user = user;
      $("disable-label").textContent = P.fill(d.disableLabel, { username: user, name: li.dataset.name });
      li.append(disableForm);
      disableForm.hidden = false;
      disableForm.querySelector("button[type=submit]").focus();
      return;
    }
    await setDisabled(li, button, false);
  });

  async function setDisabled(li, button, disable) {
    const user = li.dataset.user;
    button.disabled = true;
    const r = await P.call("PATCH", `/api/staff/${encodeURIComponent(user)}`, { disabled: disable });
    button.disabled = false;
    if (!r.ok) return problem(listStatus, null, P.errorText(r));
    const done = P.fill(disable ? d.disabledDone : d.enabledDone, { username: user });
    replaceItem(li, r.data, done).querySelector("[data-act=toggle]").focus();
  }

  disableForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    setDisabled(disableForm.closest("li"), disableForm.querySelector("button[type=submit]"), true);
  });

  $("disable-cancel").addEventListener("click", () => {
    const li = disableForm.closest("li");
    closeReset();
    if (li) li.querySelector("[data-act=toggle]").focus();
  });

  // A butler may be limited to buildings: the choices of each estate ticked, while butler is
  // (or while the account still has some there, so that they can be cleared).
  function showBuildings(form = editForm) {
    const li = form.closest("li");
    const had = li ? (li.dataset.buildings || "").split(" ").filter(Boolean) : [];
    const butler = form.querySelector(`input[name=roles][value="${d.butler}"]`).checked;
    for (const set of form.querySelectorAll("fieldset.bld")) {
      const slug = set.dataset.estate;
      const ticked = form.querySelector(`input[name=estates][value="${slug}"]`).checked;
      set.hidden = !(ticked && (butler || had.some((b) => b.startsWith(`${slug}/`))));
    }
  }
  function buildingsOf(form) {
    const out = {};
    for (const box of form.querySelectorAll("fieldset.bld:not([hidden]) input:checked")) {
      const [slug, code] = box.value.split("/");
      (out[slug] = out[slug] || []).push(code);
    }
    return out;
  }
  for (const form of [editForm, $("create-form")]) {
    form.addEventListener("change", (ev) => {
      if (ev.target.name === "roles" || ev.target.name === "estates") showBuildings(form);
    });
  }

  $("reset-cancel").addEventListener("click", () => {
    const li = resetForm.closest("li");
    closeReset();
    if (li) li.querySelector("[data-act=reset]").focus();
  });

  resetForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const st = $("reset-status");
    submitting(resetForm, st, async (f) => {
      if (!f.password.value) return problem(st, f.password, P.msgs.required);
      const user = resetForm.dataset.user;
      const r = await P.call("POST", `/api/staff/${encodeURIComponent(user)}/password`,
        { password: f.password.value });
      if (!r.ok) return problem(st, f.password, P.errorText(r));
      const li = resetForm.closest("li");
      const done = P.fill(d.resetDone, { username: user });
      replaceItem(li, r.data, done).querySelector("[data-act=reset]").focus();
    });
  });

  $("edit-cancel").addEventListener("click", () => {
    const li = editForm.closest("li");
    closeReset();
    if (li) li.querySelector("[data-act=edit]").focus();
  });

  editForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const st = $("edit-status");
    const checked = (name) => [...editForm.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    submitting(editForm, st, async () => {
      const roles = checked("roles");
      if (!roles.length) return problem(st, editForm.querySelector("input[name=roles]"), d.rolesRequired);
      const user = editForm.dataset.user;
      const r = await P.call("PATCH", `/api/staff/${encodeURIComponent(user)}`,
        { roles, estates: checked("estates"), buildings: buildingsOf(editForm) });
      if (!r.ok) return problem(st, null, P.errorText(r));
      const li = editForm.closest("li");
      replaceItem(li, r.data, P.fill(d.editDone, { username: user })).querySelector("[data-act=edit]").focus();
    });
  });

  // Which field an API error is about (codes from the errors catalog).
  const FIELD_OF = { staff_exists: "username", invalid_username: "username", invalid_staff_name: "name",
    invalid_phone: "phone", roles_required: "roles", invalid_role: "roles",
    staff_estates_required: "estates", unknown_estate: "estates" };

  function setUpCreate() {
    const form = $("create-form");
    const st = $("create-status");
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitting(form, st, async (f) => {
        for (const name of ["username", "name", "password"]) {
          if (!f[name].value.trim()) return problem(st, f[name], P.msgs.required);
        }
        const roles = checked("roles");
        if (!roles.length) return problem(st, form.querySelector("input[name=roles]"), d.rolesRequired);
        const r = await P.call("POST", "/api/staff", { username: f.username.value.trim(),
          name: f.name.value.trim(), phone: f.phone.value.trim(), roles, estates: checked("estates"),
          buildings: buildingsOf(form), password: f.password.value });
        if (!r.ok) {
          const code = (r.data && r.data.error && r.data.error.code) || "";
          const name = code.startsWith("password") ? "password" : FIELD_OF[code];
          const field = name && form.querySelector(`[name=${name}]`);
          return problem(st, field, P.errorText(r));
        }
        P.say(st, P.fill(d.created, { username: r.data.username }));
        form.reset();
        showBuildings(form);
        await loadStaff();
      });
    });
  }

  // --- my own password ----------------------------------------------------------------------
  function setUpPassword() {
    const form = $("pw-form");
    const st = $("pw-status");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitting(form, st, async (f) => {
        for (const name of ["old_password", "new_password", "repeat"]) {
          if (!f[name].value) return problem(st, f[name], P.msgs.required);
        }
        if (f.new_password.value !== f.repeat.value) return problem(st, f.repeat, d.mismatch);
        const r = await P.call("POST", "/api/auth/password",
          { old_password: f.old_password.value, new_password: f.new_password.value });
        if (!r.ok) {
          const code = r.data && r.data.error && r.data.error.code;
          return problem(st, code === "password_wrong" ? f.old_password : f.new_password, P.errorText(r));
        }
        form.reset();
        P.say(st, d.pwDone);
      });
    });
  }

  // --- who I am ------------------------------------------------------------------------------
  async function load() {
    P.say(status, P.msgs.loading);
    const r = await P.call("GET", "/api/me");
    if (r.status === 401) {
      location.replace(d.signin);
      return;
    }
    if (!r.ok) return problem(status, null, P.errorText(r));
    P.say(status, "");
    const me = r.data;
    P.signOutForm(status);
    if (me.kind !== "staff") {
      $("owner-only").hidden = false;
      return;
    }
    self = me.user_id;
    $("me-name").textContent = me.name;
    $("me-user").textContent = me.user_id;
    $("me-roles").textContent = roleNames(me.roles);
    $("me-estates").textContent = estateNames(me.estates);
    $("me").hidden = false;
    setUpPassword();
    const isAdmin = me.roles.includes(d.admin);
    const handlers = d.orderRoles.split(" ");
    $("orders-link").hidden = !me.roles.some((role) => handlers.includes(role));
    const billReaders = $("bills-link").dataset.roles.split(" ");
    $("bills-link").hidden = !me.roles.some((role) => billReaders.includes(role));
    const financeReaders = $("finance-links").dataset.roles.split(" ");
    $("finance-links").hidden = !me.roles.some((role) => financeReaders.includes(role));
    const approvers = $("approve-link").dataset.roles.split(" ");
    $("approve-link").hidden = !me.roles.some((role) => approvers.includes(role));
    const cashLinks = [...$("cash-links").querySelectorAll("a[data-roles]")];
    for (const a of cashLinks) a.hidden = !me.roles.some((role) => a.dataset.roles.split(" ").includes(role));
    $("cash-links").hidden = cashLinks.every((a) => a.hidden);
    const importers = d.importRoles.split(" ");
    if (me.roles.some((role) => importers.includes(role))) {
      setUpImport(isAdmin ? estates.map((e) => e.slug) : me.estates);
    }
    if (isAdmin) {
      $("admin").hidden = false;
      setUpCreate();
      await loadStaff();
    }
  }

  load();
})();
