// 大字版 (large type, or a link's ?large=1/0), remembered; in <head>, no defer: the class is
// set before the first paint. Then the header's home link (my or the last estate), printing
// (a notice's QR code: qrprint.js, loaded when asked).
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "largeType";
  function get(key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null; // storage off (private mode)
    }
  }
  function put(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (e) {}
  }
  var q = /[?&]large=([01])(&|$)/.exec(location.search);
  if (q) put(KEY, q[1]);
  var on = (q ? q[1] : get(KEY)) === "1";
  root.classList.add("js", on ? "big" : "js");
  function show(button) {
    root.classList.toggle("big", on);
    if (button) button.setAttribute("aria-pressed", String(on));
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
  document.addEventListener("DOMContentLoaded", function () {
    home();
    var print = document.getElementById("print");
    if (print) {
      print.hidden = false;
      print.onclick = printPage;
    }
    var button = document.getElementById("big");
    if (!button) return;
    show(button);
    button.addEventListener("click", function () {
      on = !on;
      put(KEY, on ? "1" : "0");
      show(button);
    });
  });
  // A print view prints; a notice page first loads its QR code and A4 styles (qrprint.js,
  // named by the button: only for those who print).
  function printPage() {
    var js = this.getAttribute("data-js");
    if (!js) return window.print();
    if (window.portalPrint) return window.portalPrint.print();
    if (document.getElementById("qrprint")) return; // still loading
    var script = document.createElement("script");
    script.id = "qrprint";
    script.src = js;
    script.onload = function () { window.portalPrint.print(); };
    script.onerror = function () { window.print(); };
    document.head.appendChild(script);
  }
  // Back to a page kept in memory, or switched in another tab.
  function follow() {
    on = get(KEY) === "1";
    show(document.getElementById("big"));
  }
  window.addEventListener("pageshow", follow);
  window.addEventListener("storage", follow);
})();
