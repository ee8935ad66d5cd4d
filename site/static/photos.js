"use strict";
// The photos of a new work order (owner). Each photo is kept on the phone (IndexedDB) the
// moment it is chosen, then sent straight to the uploads bucket: one presigned POST per photo
// (POST /api/orders/photos), with its progress shown. Its key is remembered once it is there,
// so a dropped connection neither loses a photo nor sends it twice; the order is submitted
// with the keys when every photo is up. Text comes from the page (data-* attributes).
(() => {
  const P = window.Portal;
  const O = window.Orders;
  const box = document.getElementById("photos");
  if (!P || !O || !box) return;
  const d = box.dataset;
  const list = document.getElementById("photo-list");
  const input = document.getElementById("f-photos");
  const add = document.getElementById("photo-add");
  const note = document.getElementById("photo-status");
  const MAX = Number(d.max) || 6;
  const MAX_BYTES = Number(d.maxBytes) || 10485760;
  const TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp",
    heic: "image/heic", heif: "image/heic" };
  const ALLOWED = new Set(Object.values(TYPES));
  const DB = "portal-order-photos";
  const STORE = "photos";
  const THUMB = 160;
  const SHRINK_TO = 1600; // px on the long side of a photo sent (plenty to see a leak or a crack)
  let user = "";
  let photos = []; // { id, user, added, name, type, size, blob, thumb, key }
  let running = null;
  let locked = false;
  const progress = new Map(); // id → 0..1 while uploading

  // --- kept on the phone: IndexedDB (or this page's memory where it is refused) --------------
  let db = null;
  function openDb() {
    if (!db) {
      db = new Promise((resolve) => {
        try {
          const req = indexedDB.open(DB, 1);
          req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => resolve(null);
        } catch (e) { resolve(null); }
      });
    }
    return db;
  }

  async function store(mode, fn) {
    const conn = await openDb();
    if (!conn) return null;
    return new Promise((resolve) => {
      try {
        const tx = conn.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(req ? req.result : null);
        tx.onerror = () => resolve(null);
      } catch (e) { resolve(null); }
    });
  }

  const save = (p) => store("readwrite", (s) => s.put(p));
  const drop = (id) => store("readwrite", (s) => s.delete(id));

  // --- showing them ----------------------------------------------------------------------------
  function stateOf(p) {
    if (p.key) return "done";
    if (progress.has(p.id)) return "uploading";
    return p.error ? "failed" : "waiting";
  }

  function render() {
    list.replaceChildren(...photos.map((p, i) => {
      const li = document.createElement("li");
      const state = stateOf(p);
      li.dataset.id = p.id;
      li.dataset.state = state;
      const img = document.createElement(p.thumb ? "img" : "span");
      img.className = "thumb";
      if (p.thumb) { img.src = p.thumb; img.alt = ""; }
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = state === "done" ? 100 : Math.round((progress.get(p.id) || 0) * 100);
      bar.setAttribute("aria-label", P.fill(d.label, { n: i + 1 }));
      const text = document.createElement("small");
      text.className = "photo-state";
      text.textContent = state === "uploading" ? P.fill(d.uploading, { percent: bar.value })
        : state === "failed" ? p.error : d[state];
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "alt";
      remove.dataset.remove = p.id;
      remove.textContent = d.remove;
      remove.setAttribute("aria-label", P.fill(d.removeLabel, { n: i + 1 }));
      remove.disabled = locked || state === "uploading";
      li.append(img, bar, text, remove);
      return li;
    }));
    add.hidden = photos.length >= MAX;
    input.disabled = locked || photos.length >= MAX;
    P.say(note, P.fill(d.count, { count: photos.length, max: MAX }));
  }

  // A small preview (a data: URL: the page's policy admits no blob: images). A photo the
  // browser cannot decode (HEIC in most) simply has none.
  async function thumbnail(blob) {
    try {
      const bitmap = await createImageBitmap(blob);
      const scale = Math.min(1, THUMB / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL("image/jpeg", 0.7);
    } catch (e) { return ""; }
  }

  // Phone cameras take 3-10 MB photos; a repair photo needs far less, and the owner may be
  // in a basement on a weak signal. A photo the browser can decode is redrawn at most
  // SHRINK_TO px on its long side as a JPEG, kept only if that is smaller (HEIC, which most
  // browsers cannot decode, goes as it is). createImageBitmap applies the EXIF orientation.
  async function shrink(blob, type) {
    try {
      const bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
      const scale = Math.min(1, SHRINK_TO / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const smaller = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.82));
      if (smaller && smaller.size > 0 && smaller.size < blob.size) {
        return { blob: smaller, type: "image/jpeg", size: smaller.size };
      }
    } catch (e) { /* not decodable here: send the original */ }
    return { blob, type, size: blob.size };
  }

  function typeOf(file) {
    if (ALLOWED.has(file.type)) return file.type;
    const ext = (file.name.split(".").pop() || "").toLowerCase();
    return file.type && file.type !== "application/octet-stream" ? "" : TYPES[ext] || "";
  }

  async function choose(files) {
    for (const file of files) {
      if (photos.length >= MAX) { P.say(note, P.fill(d.tooMany, { max: MAX }), true); break; }
      const type = typeOf(file);
      if (!type) { P.say(note, d.badType, true); continue; }
      if (!file.size) { P.say(note, d.tooBig, true); continue; }
      const sent = await shrink(file, type);
      if (sent.size > MAX_BYTES) { P.say(note, d.tooBig, true); continue; }
      const p = { id: O.requestId(), user, added: Date.now(), name: file.name.slice(-100),
        type: sent.type, size: sent.size, blob: sent.blob, thumb: await thumbnail(file), key: "" };
      photos.push(p);
      await save(p);
      render();
    }
    sendAll(); // straight away when there is a connection; otherwise with the order
  }

  // --- sending one: an offer from the API, then the form to the bucket -------------------------
  function post(offer, p) {
    return new Promise((resolve) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(offer.fields)) form.append(k, v);
      form.append("file", p.blob, p.name || "photo"); // the file goes last
      const xhr = new XMLHttpRequest();
      xhr.open("POST", offer.url);
      xhr.timeout = offer.expires_in * 1000;
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        progress.set(p.id, e.loaded / e.total);
        render();
      };
      xhr.onload = () => resolve(xhr.status >= 200 && xhr.status < 300 ? "ok" : "refused");
      xhr.onerror = () => resolve("dropped");
      xhr.ontimeout = () => resolve("dropped");
      xhr.send(form);
    });
  }

  async function upload(p) {
    progress.set(p.id, 0);
    p.error = "";
    render();
    const r = await P.call("POST", "/api/orders/photos", { content_type: p.type, size: p.size }, 20000);
    let outcome = r.ok ? await post(r.data, p) : O.transient(r) ? "dropped" : "refused";
    progress.delete(p.id);
    if (!photos.includes(p)) return { ok: true }; // removed meanwhile
    if (outcome === "ok") {
      p.key = r.data.key;
      await save(p);
    } else if (outcome === "refused") {
      p.error = r.ok ? d.failed : P.errorText(r);
    }
    render();
    if (outcome === "ok") return { ok: true };
    return { ok: false, transient: outcome === "dropped", status: r.status, text: p.error, data: r.data };
  }

  // Every photo not yet in the bucket, one at a time; the first failure ends the round.
  async function round() {
    for (;;) {
      const next = photos.find((p) => !p.key && !p.error);
      if (!next) break;
      const r = await upload(next);
      if (!r.ok) return r;
    }
    const failed = photos.find((p) => p.error);
    return failed ? { ok: false, transient: false, text: failed.error } : { ok: true };
  }

  function sendAll() {
    if (!running) running = round().finally(() => { running = null; });
    return running;
  }

  list.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button[data-remove]");
    if (!b || locked) return;
    photos = photos.filter((p) => p.id !== b.dataset.remove);
    await drop(b.dataset.remove);
    render();
    input.focus();
  });
  window.addEventListener("online", () => { if (user && photos.some((p) => !p.key)) sendAll(); });
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    choose(files);
  });

  // --- for the form ----------------------------------------------------------------------------
  async function start(who) {
    user = who;
    const kept = (await store("readonly", (s) => s.getAll())) || [];
    for (const p of kept) if (p.user !== user) await drop(p.id); // another account's, on a shared phone
    photos = kept.filter((p) => p.user === user).sort((a, b) => a.added - b.added);
    for (const p of photos) p.error = "";
    box.hidden = false;
    render();
    if (photos.some((p) => !p.key)) sendAll();
  }

  // A photo refused by the order (its upload expired or was already used): sent again.
  function resend() {
    for (const p of photos) { p.key = ""; p.error = ""; }
    render();
  }

  async function clear() {
    for (const p of photos) await drop(p.id);
    photos = [];
    render();
  }

  function lock(on) {
    locked = on;
    render();
  }

  window.OrderPhotos = Object.freeze({
    start, sendAll, resend, clear, lock,
    keys: () => photos.filter((p) => p.key).map((p) => p.key),
    count: () => photos.length,
  });
})();
