// 大字版 before the first paint: inlined in every page's <head> and admitted by its hash
// (portal.site.security), so a first view waits on no script file. ?large=1/0 switches large
// type and is remembered (as "largeType", large.js's KEY); the deferred large.js does the rest
// (the button, the home link, printing).
(function (r) {
  var q = /[?&]large=([01])(&|$)/.exec(location.search), on = q && q[1];
  r.classList.add("js");
  try {
    if (q) localStorage.largeType = on;
    else on = localStorage.largeType;
  } catch (e) {}
  if (on === "1") r.classList.add("big");
})(document.documentElement);
