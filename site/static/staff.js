"use strict";
// Staff sign-in: username + password; a password set by an admin must be changed first.
(() => {
  const P = window.Portal;
  const login = document.getElementById("login");
  const change = document.getElementById("change");
  if (!P || !login || !change) return;
  const next = login.dataset.next;
  const loginStatus = document.getElementById("login-status");
  const changeStatus = document.getElementById("change-status");
  login.hidden = false;

  function problem(status, field, text) {
    field.setAttribute("aria-invalid", "true");
    P.say(status, text, true);
    field.focus();
  }

  function clear(form) {
    for (const el of form.elements) el.removeAttribute("aria-invalid");
  }

  login.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(login);
    const f = login.elements;
    if (!f.username.value.trim()) return problem(loginStatus, f.username, P.msgs.required);
    if (!f.password.value) return problem(loginStatus, f.password, P.msgs.required);
    const button = login.querySelector("button");
    button.disabled = true;
    P.say(loginStatus, P.msgs.working);
    const r = await P.call("POST", "/api/auth/login",
      { username: f.username.value.trim(), password: f.password.value });
    button.disabled = false;
    if (!r.ok) {
      problem(loginStatus, f.password, P.errorText(r));
      f.password.select();
      return;
    }
    if (!r.data.must_change_password) {
      location.assign(next);
      return;
    }
    P.say(loginStatus, "");
    change.elements.old_password.value = f.password.value;
    login.hidden = true;
    change.hidden = false;
    change.elements.new_password.focus();
  });

  change.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(change);
    const f = change.elements;
    if (!f.new_password.value) return problem(changeStatus, f.new_password, P.msgs.required);
    if (f.new_password.value !== f.repeat.value) {
      return problem(changeStatus, f.repeat, change.dataset.mismatch);
    }
    const button = change.querySelector("button");
    button.disabled = true;
    P.say(changeStatus, P.msgs.working);
    const r = await P.call("POST", "/api/auth/password",
      { old_password: f.old_password.value, new_password: f.new_password.value });
    button.disabled = false;
    if (r.ok) {
      location.assign(next);
      return;
    }
    const code = r.data && r.data.error && r.data.error.code;
    problem(changeStatus, code === "password_wrong" ? f.old_password : f.new_password, P.errorText(r));
  });
})();
