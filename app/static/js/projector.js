/* worldcafe projector: pages through the harvest board on the board screen.

   The board's columns flow into CSS columns that overflow to the right (app.css, "board");
   one page is the track's width plus a column gap, so every column lies wholly on one page
   and no card is cut. Each page stays for 60 s divided by the pages (at least 4 s, at most
   15 s), so that 150 cards on a 1080p screen are all shown within a minute. Pushes replace
   the board's pieces: after every message the page is shown again (the count may change).

   DOM contract: #screen[data-screen] (the projector's screen), `.board__tables` (the track).
   Sets on <main id="live">: data-board-pages, data-board-page (0-based), data-page-seconds,
   data-board-page-label ("2 / 5", shown in a corner while there is more than one page).
   window.worldcafeBoardPages.show(n) shows page n (for tests and a keyboard). */
(function () {
  "use strict";

  var CYCLE_SECONDS = 60;
  var PAGE_MIN_SECONDS = 4;
  var PAGE_MAX_SECONDS = 15;
  var page = 0;
  var timer = null;

  function onBoardScreen() {
    var marker = document.getElementById("screen");
    return marker !== null && marker.getAttribute("data-screen") === "board";
  }

  function track() {
    return document.querySelector(".projector .board__tables");
  }

  function step(element) {
    return element.clientWidth + (parseFloat(getComputedStyle(element).columnGap) || 0);
  }

  function pageCount(element) {
    if (!element || element.clientWidth === 0) return 1;
    return Math.max(1, Math.ceil((element.scrollWidth - 2) / step(element)));
  }

  function secondsPerPage(count) {
    return Math.min(PAGE_MAX_SECONDS, Math.max(PAGE_MIN_SECONDS, Math.floor(CYCLE_SECONDS / count)));
  }

  function describe(count) {
    var live = document.getElementById("live");
    if (!live) return;
    live.setAttribute("data-board-pages", String(count));
    live.setAttribute("data-board-page", String(page));
    live.setAttribute("data-page-seconds", String(secondsPerPage(count)));
    live.setAttribute("data-board-page-label", count > 1 ? (page + 1) + " / " + count : "");
  }

  function show(n) {
    var element = track();
    var count = pageCount(element);
    page = ((n % count) + count) % count;
    if (element) element.scrollLeft = page * step(element);
    describe(count);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(turn, secondsPerPage(pageCount(track())) * 1000);
  }

  function turn() {
    show(onBoardScreen() ? page + 1 : 0);
    schedule();
  }

  document.addEventListener("htmx:wsAfterMessage", function () { show(page); });
  window.addEventListener("resize", function () { show(page); });
  document.addEventListener("DOMContentLoaded", function () { show(0); schedule(); });

  window.worldcafeBoardPages = {
    show: show,
    count: function () { return pageCount(track()); }
  };
})();
