/* worldcafe projector: pages through the harvest board on the board screen.

   The board's columns flow into CSS columns that overflow to the right (app.css, "board");
   one page is the track's width plus a column gap, so every column lies wholly on one page
   and no card is cut. A board column that goes on over a page's edge gets its heading again
   atop the next page (`data-continued`, e.g. 「テーブル3（続き）」, as an item that breaks to a
   new CSS column). In the group layout the cards in no group are left out of the pages and
   summed up on one last page of their own, small (#live[data-board-summary]).

   Each page stays for 60 s divided by the pages (at least 4 s, at most 15 s), so that 150
   cards on a 1080p screen are all shown within a minute, while the facilitator lets the
   pages play: #screen's data-pages says `play` or `pause`, and its data-page-turns counts the
   facilitator's steps (+1 next, −1 previous; PATCH …/board {"pages"}), so every projector
   moves by the steps it has not followed yet. Before a page is shown the headings are
   placed anew if the board has changed since (a push, the screen's size, the fonts).

   DOM contract: #screen[data-screen][data-pages][data-page-turns], `.board__tables` (the
   track), `.board__table[data-continued]` (a column). Sets on <main id="live">:
   data-board-pages, data-board-page (0-based), data-page-seconds, data-board-paused,
   data-board-summary (the last page of the group layout), data-board-page-label ("2 / 5",
   shown in a corner while there is more than one page).
   window.worldcafeBoardPages.show(n) shows page n (for tests and a keyboard). */
(function () {
  "use strict";

  var CYCLE_SECONDS = 60;
  var PAGE_MIN_SECONDS = 4;
  var PAGE_MAX_SECONDS = 15;
  var page = 0;
  var timer = null;
  var turnsFollowed = null;

  function marker() {
    return document.getElementById("screen");
  }

  function onBoardScreen() {
    var screen = marker();
    return screen !== null && screen.getAttribute("data-screen") === "board";
  }

  function paused() {
    var screen = marker();
    return screen !== null && screen.getAttribute("data-pages") === "pause";
  }

  function track() {
    return document.querySelector(".projector .board__tables");
  }

  function live() {
    return document.getElementById("live");
  }

  function ungrouped() {
    var column = document.querySelector(".projector .board--group .board__table--ungrouped");
    return column !== null && column.querySelector(".card") !== null ? column : null;
  }

  function summing(on) {
    var main = live();
    if (!main) return;
    if (on) main.setAttribute("data-board-summary", "");
    else main.removeAttribute("data-board-summary");
  }

  /* A page's width: the track's exact width (clientWidth is rounded, and the rounding
     would add up page after page) plus a column gap. */
  function step(element) {
    return element.getBoundingClientRect().width
      + (parseFloat(getComputedStyle(element).columnGap) || 0);
  }

  function trackPages(element) {
    if (!element || element.clientWidth === 0) return 1;
    return Math.max(1, Math.ceil((element.scrollWidth - 2) / step(element)));
  }

  function continuedHeading(column) {
    var heading = document.createElement("li");
    heading.className = "board__continued";
    heading.setAttribute("aria-hidden", "true");
    var number = column.querySelector(".board__heading .board__number");
    if (number) {
      heading.appendChild(number.cloneNode(true));
      heading.appendChild(document.createTextNode(" "));
    }
    heading.appendChild(document.createTextNode(column.getAttribute("data-continued")));
    return heading;
  }

  /* Each column's heading again before its first card on every later page: read left to
     right, so each heading put in moves only what comes after it. A card's page is taken
     at half a CSS column past its left edge, clear of the columns' rounding; the track is
     at its start meanwhile (show() scrolls it to the page). False while the board is not
     shown (nothing to measure). */
  function placeHeadings(element) {
    element.scrollLeft = 0;
    element.querySelectorAll(".board__continued, .board__filler").forEach(function (old) {
      old.remove();
    });
    if (element.clientWidth === 0) return false;
    var gap = parseFloat(getComputedStyle(element).columnGap) || 0;
    var width = step(element);
    var origin = element.getBoundingClientRect().left;
    element.querySelectorAll(".board__table[data-continued]").forEach(function (column) {
      var heading = column.querySelector(".board__heading");
      if (!heading || column.offsetParent === null) return;
      var slack = (heading.getBoundingClientRect().width + gap) / 2;
      function pageOf(node) {
        return Math.floor((node.getBoundingClientRect().left - origin + slack) / width);
      }
      var shown = pageOf(heading);
      column.querySelectorAll(".board__cards > .card").forEach(function (card) {
        if (pageOf(card) <= shown) return;
        var repeated = continuedHeading(column);
        card.parentNode.insertBefore(repeated, card);
        shown = pageOf(repeated);
      });
    });
    fillLastPage(element, width, gap);
    return true;
  }

  /* Empty CSS columns after the last card up to the last page's end: the track can then be
     scrolled to the last page's very start (else the browser stops at the last card, and
     the last page would begin with the page before's columns). */
  function fillLastPage(element, width, gap) {
    var heading = element.querySelector(".board__heading");
    if (!heading || heading.getBoundingClientRect().width === 0) return;
    var column = heading.getBoundingClientRect().width + gap;
    var perPage = Math.round(width / column);
    var used = Math.round((element.scrollWidth + gap) / column);
    for (var missing = (perPage - (used % perPage)) % perPage; missing > 0; missing -= 1) {
      var filler = document.createElement("div");
      filler.className = "board__filler";
      filler.setAttribute("aria-hidden", "true");
      element.appendChild(filler);
    }
  }

  /* The headings are placed again only when the board changed (a push, the size, the
     fonts): placing them lays the board out once per page. */
  var stale = true;
  var watcher = window.MutationObserver ? new MutationObserver(function (records) {
    if (records.some(touchesBoard)) stale = true;
  }) : null;

  function touchesBoard(record) {
    var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return node !== null && (node.id === "live" || node.closest("#board") !== null);
  }

  function placeIfStale(element) {
    if (watcher && watcher.takeRecords().some(touchesBoard)) stale = true;
    if (!stale && watcher) return;
    var placed = placeHeadings(element);
    if (watcher) watcher.takeRecords();
    stale = !placed;
  }

  function secondsPerPage(count) {
    return Math.min(PAGE_MAX_SECONDS, Math.max(PAGE_MIN_SECONDS, Math.floor(CYCLE_SECONDS / count)));
  }

  /* The pages now, the headings placed first (they may add pages); measured without the
     summary page's layout, which is put back. */
  function pageCount() {
    var element = track();
    var main = live();
    var summary = main !== null && main.hasAttribute("data-board-summary");
    summing(false);
    if (element) placeIfStale(element);
    var count = trackPages(element) + (ungrouped() ? 1 : 0);
    summing(summary);
    return count;
  }

  function describe(count) {
    var main = live();
    if (!main) return;
    main.setAttribute("data-board-pages", String(count));
    main.setAttribute("data-board-page", String(page));
    main.setAttribute("data-page-seconds", String(secondsPerPage(count)));
    main.setAttribute("data-board-paused", paused() ? "true" : "false");
    main.setAttribute("data-board-page-label",
                      count > 1 ? (paused() ? "❚❚ " : "") + (page + 1) + " / " + count : "");
  }

  function show(n) {
    var element = track();
    var count = pageCount();
    summing(false);
    page = ((n % count) + count) % count;
    var summary = ungrouped() !== null && page === count - 1;
    summing(summary);
    if (element) element.scrollLeft = summary ? 0 : page * step(element);
    describe(count);
  }

  function schedule() {
    clearTimeout(timer);
    timer = paused() ? null : setTimeout(turn, secondsPerPage(pageCount()) * 1000);
  }

  function turn() {
    show(onBoardScreen() ? page + 1 : 0);
    schedule();
  }

  /* The facilitator's commands on #screen: steps not followed yet, and play or pause. */
  function follow() {
    var screen = marker();
    var turns = screen ? parseInt(screen.getAttribute("data-page-turns"), 10) || 0 : 0;
    var steps = turnsFollowed === null ? 0 : turns - turnsFollowed;
    turnsFollowed = turns;
    show(page + steps);
    if (steps !== 0 || paused() !== (timer === null)) schedule();
  }

  function again() {
    stale = true;
    show(page);
  }

  document.addEventListener("htmx:wsAfterMessage", follow);
  window.addEventListener("resize", again);
  if (document.fonts) document.fonts.addEventListener("loadingdone", again);
  document.addEventListener("DOMContentLoaded", function () {
    if (watcher && live()) {
      watcher.observe(live(), {childList: true, subtree: true, characterData: true});
    }
    follow();
  });

  window.worldcafeBoardPages = {
    show: show,
    count: pageCount
  };
})();
