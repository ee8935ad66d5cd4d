"use strict";
// Shared by the bill pages: labels (from the catalogs, embedded at build time), money shown
// and parsed without floating point, a unit's name, dates in the estate's time zone, WeChat.
(() => {
  const P = window.Portal;
  const el = document.getElementById("bill-data");
  if (!P || !el) return;
  let L = {};
  try { L = JSON.parse(el.dataset.labels || "{}"); } catch (e) { L = {}; }
  const estates = new Map((P.json("estates") || []).map((e) => [e.slug, e]));

  function label(group, key) {
    return (L[group] && L[group][key]) || key;
  }

  function text(key, params) {
    return P.fill(label("text", key), params || {});
  }

  // Integer fen → "1234.50", by string slicing (the API's *_yuan fields are shown as they are;
  // this is only for sums of integer fen made on the page).
  function yuan(fen) {
    const n = Number(fen);
    if (!Number.isSafeInteger(n)) return String(fen);
    const digits = String(Math.abs(n)).padStart(3, "0");
    return `${n < 0 ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }

  // "80", "80.5", "８０．５０", "¥80.50" → 8050 fen, exactly: the digits are joined as text and
  // read once as a whole number; null unless it is a positive amount with at most 2 decimals.
  function fenOf(input) {
    const m = /^\s*[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*元?\s*$/.exec(String(input).normalize("NFKC"));
    if (!m) return null;
    const fen = Number.parseInt(m[1] + (m[2] || "").padEnd(2, "0"), 10);
    return Number.isSafeInteger(fen) && fen > 0 ? fen : null;
  }

  function estate(slug) {
    return estates.get(slug) || { slug, name: slug, buildings: {} };
  }

  // "兰亭苑 2栋1单元1503室" from an estate slug, building code and room.
  function unitName(slug, building, room) {
    const e = estate(slug);
    return text("unit", { estate: e.name, building: e.buildings[building] || building,
      room: window.Portal ? window.Portal.room(room) : room });
  }

  function unitOfId(unitId) {
    const [slug, building, room] = String(unitId).split("/");
    return unitName(slug, building || "", room || "");
  }

  // "2026-11-22 10:05" in Asia/Shanghai (the estates' zone) from an ISO instant.
  function time(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const c = new Date(d.getTime() + 8 * 3600 * 1000);
    const two = (n) => String(n).padStart(2, "0");
    return `${c.getUTCFullYear()}-${two(c.getUTCMonth() + 1)}-${two(c.getUTCDate())} ` +
      `${two(c.getUTCHours())}:${two(c.getUTCMinutes())}`;
  }

  // WeChat's in-app browser (where Alipay cannot open and WeChat Pay is JSAPI).
  function inWeChat() {
    return /MicroMessenger/i.test(navigator.userAgent || "");
  }

  function tag(textValue, cls) {
    const s = document.createElement("span");
    s.className = "tag " + (cls || "");
    s.textContent = textValue;
    return s;
  }

  function cell(row, value, cls) {
    const td = document.createElement("td");
    if (value instanceof Node) td.append(value);
    else td.textContent = value;
    if (cls) td.className = cls;
    row.append(td);
    return td;
  }

  window.Bills = Object.freeze({ L, label, text, yuan, fenOf, estate, unitName, unitOfId, time,
    inWeChat, tag, cell });
})();
