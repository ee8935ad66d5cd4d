// 大字版's button (early.js, inlined in <head>, has set it before the first paint: the class
// "big" on <html>); the home link; printing (README). Deferred: no first view waits on it.
(function () {
  "use strict";
  var root = document.documentElement, KEY = "largeType";
  function get(k) {
    try { return localStorage.getItem(k); } catch (e) { return null; }
  }
  function put(k, v) {
    try { localStorage.setItem(k, v); } catch (e) {}
  }
  var on = root.classList.contains("big");
  function show(b) {
    root.classList.toggle("big", on);
    if (b) b.setAttribute("aria-pressed", on);
  }
  function home() {
    var here = document.body.getAttribute("data-estate");
    if (here) put("estate.last", here);
    var slug = get("estate.mine") || here || get("estate.last");
    var a = document.querySelector("header .brand");
    var path = a && a.getAttribute("href");
    if ((path === "/" || path === "/en/") && /^[a-z0-9-]{1,40}$/.test(slug || ""))
      a.setAttribute("href", path + "estates/" + slug + "/");
  }
  function printing() { // data-js: load it first
    var s = document.createElement("script"), b = this;
    if (!(s.src = b.getAttribute("data-js") || "")) return window.print();
    b.onclick = null;
    s.onload = function () { (b.onclick = window.portalPrint.print)(); };
    document.head.appendChild(s);
  }
  document.addEventListener("DOMContentLoaded", function () {
    home();
    var print = document.getElementById("print");
    if (print) { print.hidden = false; print.onclick = printing; }
    var big = document.getElementById("big");
    if (!big) return;
    show(big);
    big.addEventListener("click", function () {
      on = !on;
      put(KEY, on ? "1" : "0");
      show(big);
    });
  });
  function follow() { // back from memory, another tab
    on = get(KEY) === "1";
    show(document.getElementById("big"));
  }
  window.addEventListener("pageshow", follow);
  window.addEventListener("storage", follow);
})();
