// 大字版 (large type and high contrast), remembered on this phone. Loaded in <head> without
// defer, so the class is on <html> before the first paint: a page never flashes small first.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "largeType";
  function stored() {
    try {
      return localStorage.getItem(KEY) === "1";
    } catch (e) {
      return false; // storage off (private mode): the switch still works on this page
    }
  }
  var on = stored();
  root.classList.add("js", on ? "big" : "js");
  function show(button) {
    root.classList.toggle("big", on);
    if (button) button.setAttribute("aria-pressed", String(on));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("big");
    if (!button) return;
    show(button);
    button.addEventListener("click", function () {
      on = !on;
      try {
        localStorage.setItem(KEY, on ? "1" : "0");
      } catch (e) {}
      show(button);
    });
  });
  // Back to a page kept in memory, or switched in another tab: follow the stored choice.
  function follow() {
    on = stored();
    show(document.getElementById("big"));
  }
  window.addEventListener("pageshow", follow);
  window.addEventListener("storage", follow);
})();
