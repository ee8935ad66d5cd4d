"use strict";
// The staff page: who I am; roster import for the roles allowed to; staff accounts for admins.
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

  function showReport(rows, estate) {
    const body = $("report-rows");
    body.replaceChildren();
    for (const row of rows) {
      const [, building, room] = row.unit_id ? row.unit_id.split("/") : ["", row.building, row.room];
      const unit = row.unit_id
        ? P.unit(estate.buildings[building] || building, room)
        : [building, room].filter(Boolean).join(" ");
      const tr = body.insertRow();
      const cells = [row.row, statusLabels[row.status] || row.status, unit, row.phone];
      for (const value of cells) tr.insertCell().textContent = value;
      if (row.errors.length) {
        // Problems on a full-width line of their own: readable on a phone, no sideways scroll.
        const why = body.insertRow();
        why.className = "why";
        const cell = why.insertCell();
        cell.colSpan = cells.length;
        cell.textContent = $("report-table").dataset.problems + row.errors.map(text).join(sep);
      }
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

  function staffItem(a) {
    const li = $("staff-tpl").content.firstElementChild.cloneNode(true);
    const part = (name) => li.querySelector(`[data-f=${name}]`);
    li.dataset.user = a.username;
    li.dataset.disabled = String(a.disabled);
    part("name").textContent = a.name;
    part("user").textContent = a.username;
    part("info").textContent = [a.phone, roleNames(a.roles), estateNames(a.estates),
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
    toggle.setAttribute("aria-label", `${toggle.textContent} ${a.username}`);
    reset.setAttribute("aria-label", `${reset.textContent} ${a.username}`);
    toggle.hidden = a.username === self; // the API refuses to lock yourself out
    return li;
  }

  function closeReset() {
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
      li.append(editForm);
      editForm.hidden = false;
      editForm.querySelector("input").focus();
      return;
    }
    const disable = li.dataset.disabled !== "true";
    button.disabled = true;
    const r = await P.call("PATCH", `/api/staff/${encodeURIComponent(user)}`, { disabled: disable });
    button.disabled = false;
    if (!r.ok) return problem(listStatus, null, P.errorText(r));
    const done = P.fill(disable ? d.disabledDone : d.enabledDone, { username: user });
    replaceItem(li, r.data, done).querySelector("[data-act=toggle]").focus();
  });

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
      const r = await P.call("PATCH", `/api/staff/${encodeURIComponent(user)}`, { roles, estates: checked("estates") });
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
          password: f.password.value });
        if (!r.ok) {
          const code = (r.data && r.data.error && r.data.error.code) || "";
          const name = code.startsWith("password") ? "password" : FIELD_OF[code];
          const field = name && form.querySelector(`[name=${name}]`);
          return problem(st, field, P.errorText(r));
        }
        P.say(st, P.fill(d.created, { username: r.data.username }));
        form.reset();
        await loadStaff();
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
    const isAdmin = me.roles.includes(d.admin);
    const handlers = d.orderRoles.split(" ");
    $("orders-link").hidden = !me.roles.some((role) => handlers.includes(role));
    const billReaders = $("bills-link").dataset.roles.split(" ");
    $("bills-link").hidden = !me.roles.some((role) => billReaders.includes(role));
    const financeReaders = $("finance-links").dataset.roles.split(" ");
    $("finance-links").hidden = !me.roles.some((role) => financeReaders.includes(role));
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
