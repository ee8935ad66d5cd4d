"use strict";
// Shared by the pages that act: same-origin API calls with the CSRF token, messages, helpers.
// Text comes from the page (data-* attributes filled from the catalogs at build time).
(() => {
  const lang = document.documentElement.lang;
  const data = document.getElementById("page-data");
  const msgs = data ? data.dataset : {};
  let token = "";

  // `timeout` (ms, optional): give up on an answer that does not come (a stalled mobile
  // connection can hang for minutes); it then looks like a dropped connection (status 0).
  async function send(method, path, body, timeout) {
    const headers = { Accept: "application/json" };
    const opts = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    if (method !== "GET" && token) headers["X-CSRF-Token"] = token;
    let timer = 0;
    if (timeout && typeof AbortController === "function") {
      const abort = new AbortController();
      opts.signal = abort.signal;
      timer = setTimeout(() => abort.abort(), timeout);
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      return { ok: false, status: 0, data: null };
    } finally {
      clearTimeout(timer);
    }
    let json = null;
    if (res.status !== 204) {
      try { json = await res.json(); } catch (e) { json = null; }
    }
    if (json && typeof json.csrf_token === "string") token = json.csrf_token;
    return { ok: res.ok, status: res.status, data: json };
  }

  // A session this page did not know of (signed in in another tab): get its token, try once more.
  async function call(method, path, body, timeout) {
    const r = await send(method, path, body, timeout);
    const code = r.data && r.data.error && r.data.error.code;
    if (method === "GET" || r.status !== 403 || code !== "csrf_failed") return r;
    await send("GET", "/api/me", undefined, timeout);
    return send(method, path, body, timeout);
  }

  function errorText(r) {
    const e = r.data && r.data.error;
    if (!e) return r.status ? msgs.error : msgs.network;
    return (lang === "en" ? e.message_en : e.message) || e.message || msgs.error;
  }

  function say(el, text, isError) {
    el.textContent = text || "";
    el.classList.toggle("err", Boolean(isError));
  }

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  }

  function json(name) {
    try { return JSON.parse(msgs[name] || "null"); } catch (e) { return null; }
  }

  // A room as people write it: "1-1503" is entrance 1, flat 1503 ("1单元1503室"); and with its
  // building ("2栋1单元1503室"). The words are the catalog's (account.my.room and .unit).
  function room(r) {
    const m = /^(\d+)-(\w+)$/.exec(r || "");
    return m && msgs.room ? fill(msgs.room, { entrance: m[1], number: m[2] }) : r || "";
  }

  function unit(building, r) {
    return fill(msgs.unit, { building, room: room(r) });
  }

  // <form id="signout">: end the session, then go to the sign-in page.
  function signOutForm(status) {
    const form = document.getElementById("signout");
    if (!form) return;
    form.hidden = false;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await call("POST", "/api/auth/logout");
      if (r.ok || r.status === 401) {
        // What this phone kept for the account (an unsent work order) goes with it.
        try {
          localStorage.removeItem("portal.order-draft");
          localStorage.removeItem("estate.mine");
        } catch (e) { /* no storage */ }
        location.replace(form.dataset.next);
      }
      else say(status, errorText(r), true);
    });
  }

  window.Portal = Object.freeze({ lang, msgs, call, errorText, say, fill, json, room, unit,
    signOutForm });
})();
