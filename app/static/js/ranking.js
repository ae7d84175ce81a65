/* worldcafe projector: the ranking shows as many items as fit, each one whole.

   Every list of the ranking (`[data-ranking-list]`, items `[data-ranking-card]` or
   `[data-ranking-group]`) gets the largest type step (data-fit 0–4, app.css) at which its
   first `data-ranking-min` items lie wholly inside the list's box and the screen; the items
   after the first one that still does not fit are left out (data-cut), so that what shows is
   whole and in rank order. Runs whenever the page changes (pushes replace the ranking, the
   screen changes), on resize and once the fonts are in. */
(function () {
  "use strict";

  var STEPS = 5;

  function onRankingScreen() {
    var marker = document.getElementById("screen");
    return marker !== null && marker.getAttribute("data-screen") === "ranking";
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (item) {
      return item.hasAttribute("data-ranking-card") || item.hasAttribute("data-ranking-group");
    });
  }

  function fitting(list, all) {
    var box = list.getBoundingClientRect();
    var bottom = Math.min(box.bottom, window.innerHeight);
    var right = Math.min(box.right, window.innerWidth);
    var count = 0;
    for (var i = 0; i < all.length; i += 1) {
      var item = all[i].getBoundingClientRect();
      if (item.bottom > bottom + 0.5 || item.right > right + 0.5) break;
      count += 1;
    }
    return count;
  }

  function fit(list) {
    var all = items(list);
    all.forEach(function (item) { item.removeAttribute("data-cut"); });
    var wanted = Math.min(all.length, parseInt(list.getAttribute("data-ranking-min"), 10) || 1);
    var count = 0;
    for (var step = 0; step < STEPS; step += 1) {
      list.setAttribute("data-fit", String(step));
      count = fitting(list, all);
      if (count >= wanted) break;
    }
    all.slice(count).forEach(function (item) { item.setAttribute("data-cut", ""); });
  }

  function fitAll() {
    if (!onRankingScreen()) return;
    document.querySelectorAll(".projector [data-ranking-list]").forEach(fit);
  }

  document.addEventListener("htmx:wsAfterMessage", fitAll);
  window.addEventListener("resize", fitAll);
  document.addEventListener("DOMContentLoaded", function () {
    fitAll();
    if (document.fonts) document.fonts.ready.then(fitAll);
  });

  window.worldcafeRanking = { fit: fitAll };
})();
