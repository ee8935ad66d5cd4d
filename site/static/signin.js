"use strict";
// Owner sign-in: mobile number → SMS code (countdown before another) → sign in → my home.
(() => {
  const P = window.Portal;
  const form = document.getElementById("signin");
  if (!P || !form) return;
  const d = form.dataset;
  const phone = form.elements.phone;
  const code = form.elements.code;
  const send = document.getElementById("send");
  const submit = document.getElementById("submit");
  const status = document.getElementById("status");
  const MOBILE = /^1[3-9][0-9]{9}$/;
  let timer = 0;
  form.hidden = false;

  // As the server does: full-width digits, spaces, dashes and a +86/0086 prefix are accepted.
  function mobile() {
    const v = phone.value.normalize("NFKC").replace(/[\s\-()]/g, "").replace(/^(\+86|0086)/, "");
    return MOBILE.test(v) ? v : "";
  }

  function problem(field, text) {
    field.setAttribute("aria-invalid", "true");
    P.say(status, text, true);
    field.focus();
  }

  // Another code only after `seconds`; a long wait (the daily limit) is told by the message alone.
  function countdown(seconds) {
    clearInterval(timer);
    let left = Math.max(1, Math.ceil(seconds));
    send.disabled = true;
    if (left > 120) {
      timer = setTimeout(() => { send.disabled = false; }, left * 1000);
      return;
    }
    const tick = () => {
      if (left <= 0) {
        clearInterval(timer);
        send.disabled = false;
        send.textContent = d.resend;
        return;
      }
      send.textContent = P.fill(d.wait, { seconds: left });
      left -= 1;
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  function errorOf(r) {
    return (r.data && r.data.error) || {};
  }

  send.addEventListener("click", async () => {
    phone.removeAttribute("aria-invalid");
    const number = mobile();
    if (!number) return problem(phone, d.invalidPhone);
    send.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("POST", "/api/auth/code", { phone: number, lang: P.lang });
    if (r.ok) {
      P.say(status, P.lang === "en" ? r.data.message_en : r.data.message);
      countdown(r.data.resend_after || 60);
      code.focus();
      return;
    }
    const e = errorOf(r);
    if (e.retry_after) countdown(e.retry_after);
    else send.disabled = false;
    if (e.code === "invalid_phone") return problem(phone, P.errorText(r));
    P.say(status, P.errorText(r), true);
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    phone.removeAttribute("aria-invalid");
    code.removeAttribute("aria-invalid");
    const number = mobile();
    const digits = code.value.normalize("NFKC").trim();
    if (!number) return problem(phone, d.invalidPhone);
    if (!/^[0-9]{6}$/.test(digits)) return problem(code, d.codeRequired);
    submit.disabled = true;
    P.say(status, P.msgs.working);
    const r = await P.call("POST", "/api/auth/verify", { phone: number, code: digits });
    if (r.ok) {
      P.say(status, d.signedIn);
      location.assign(d.next);
      return;
    }
    const e = errorOf(r);
    // Locked after too many wrong codes: the message says how long; the button waits as long.
    if (e.retry_after) setTimeout(() => { submit.disabled = false; }, e.retry_after * 1000);
    else submit.disabled = false;
    if (e.code === "invalid_phone") return problem(phone, P.errorText(r));
    problem(code, P.errorText(r));
    code.select();
  });
})();
