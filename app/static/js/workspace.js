/* The console's grouping workspace (templates/pages/console.html, fragments/_board.html).

   The run bar ([data-run-controls]: the phase, its countdown and the round controls) sticks
   to the top of the window; its height goes to the CSS variable --run-height, so the rail
   of groups sticks just below it and cards scrolled into view are not hidden under it.

   The filter ([data-card-filter]: words, table, theme, round) narrows the cards in no group
   (#board-group-none-cards) on this screen only, nothing is sent. Pushes insert, replace
   and redraw cards at any moment, the whole board too (a new group): after every push the
   filter is applied again, and a redrawn filter gets back what was chosen. A card the
   filter hides is unselected, so a move of the selection never takes a card out of sight.
   Plain ES2017, CSP script-src 'self'.
*/
(function () {
  "use strict";
  var chosen = { text: "", table: "", theme: "", phase: "" };
  var texts = new WeakMap(); // card element -> its normalised text

  function watchRunBar() {
    var bar = document.querySelector("[data-run-controls]");
    if (!bar || !window.ResizeObserver) return;
    new ResizeObserver(function () {
      document.documentElement.style.setProperty("--run-height", bar.offsetHeight + "px");
    }).observe(bar);
  }

  function normalised(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function cardText(card) {
    var text = texts.get(card);
    if (text === undefined) {
      var element = card.querySelector(".card__text");
      text = normalised(element ? element.textContent : "");
      texts.set(card, text);
    }
    return text;
  }

  /* A filter drawn again by a push shows what was chosen before. */
  function restore(form) {
    if (form.hasAttribute("data-restored")) return;
    form.setAttribute("data-restored", "");
    Object.keys(chosen).forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      field.value = chosen[name];
      if (field.value !== chosen[name]) chosen[name] = field.value; // an option gone
    });
  }

  function apply() {
    var form = document.querySelector("[data-card-filter]");
    var pool = document.getElementById("board-group-none-cards");
    if (!form || !pool) return;
    restore(form);
    var words = normalised(chosen.text.trim());
    var theme = chosen.theme && form.elements.theme.selectedOptions[0];
    var themeTables = theme ? theme.getAttribute("data-tables").split(" ") : null;
    var shown = 0;
    var unselected = null;
    var cards = pool.querySelectorAll(":scope > li[data-card]");
    cards.forEach(function (card) {
      var table = card.getAttribute("data-card-table");
      var fits = (!words || cardText(card).indexOf(words) >= 0) &&
        (!chosen.table || table === chosen.table) &&
        (!themeTables || themeTables.indexOf(table) >= 0) &&
        (!chosen.phase || card.getAttribute("data-phase") === chosen.phase);
      if (card.hidden === fits) card.hidden = !fits;
      if (fits) shown += 1;
      else {
        var box = card.querySelector(".card__select");
        if (box && box.checked) {
          box.checked = false;
          unselected = box;
        }
      }
    });
    if (unselected) unselected.dispatchEvent(new Event("change", { bubbles: true })); // the rail's count
    var active = Boolean(words || chosen.table || themeTables || chosen.phase);
    var count = form.querySelector("[data-filter-count]");
    count.textContent = active ? form.getAttribute("data-text-shown")
      .replace("{shown}", shown).replace("{total}", cards.length) : "";
  }

  function choose(event) {
    var form = event.target.closest && event.target.closest("[data-card-filter]");
    if (!form || !(event.target.name in chosen)) return;
    chosen[event.target.name] = event.target.value;
    apply();
  }

  document.addEventListener("input", choose);
  document.addEventListener("change", choose);
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-card-filter]")) event.preventDefault();
  });
  document.addEventListener("htmx:wsAfterMessage", apply);
  document.addEventListener("DOMContentLoaded", function () {
    watchRunBar();
    apply();
  });
})();
