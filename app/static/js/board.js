/* Console harvest board: drag a card by its grip (⠿) into a group column to group it (KJ法).

   Pointer Events, so a mouse, a pen and a finger all work the same way; the grip has
   `touch-action: none` (app.css) so a finger drags the card instead of scrolling the page.
   The drop sets the card's own "move to group" menu and fires its `change`: the server sees
   one kind of request, whether the card was dragged or moved with the menu (which touch
   screens without drag can always use). No inline styles in the markup: the card follows
   the pointer through the CSSOM (a transform), which the page's CSP allows.

   DOM contract (app/templates/fragments/_board.html, _board_card.html)
   --------------------------------------------------------------------
   [data-drop-group="GROUP_ID"|""]  a column that takes cards ("" = not grouped)
   li[data-card] > [data-drag-card]  the grip;  li select[data-group-menu]  the menu
   Classes set here: `card--dragging` on the card, `board__table--over` on the column under it.
   The board may be re-rendered by a push in the middle of a drag: the drop then looks the
   card's menu up again by its id.
*/
(function () {
  "use strict";
  var drag = null; // {card, id, x, y, moved, pointerId}
  var THRESHOLD = 6; // px before a press becomes a drag

  function columnAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest("[data-drop-group]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".board__table--over").forEach(function (column) {
      column.classList.remove("board__table--over");
    });
  }

  function finish() {
    if (drag && drag.card) {
      drag.card.classList.remove("card--dragging");
      drag.card.style.removeProperty("transform");
    }
    clearOver();
    drag = null;
  }

  document.addEventListener("pointerdown", function (event) {
    var grip = event.target.closest && event.target.closest("[data-drag-card]");
    if (!grip || event.button > 0) return;
    var card = grip.closest("[data-card]");
    if (!card) return;
    event.preventDefault();
    drag = { card: card, id: card.getAttribute("data-card"), x: event.clientX,
      y: event.clientY, moved: false, pointerId: event.pointerId };
    if (grip.setPointerCapture) {
      try { grip.setPointerCapture(event.pointerId); } catch (err) { /* not capturable */ }
    }
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < THRESHOLD) return;
    if (!drag.card.isConnected) { // re-rendered by a push: follow the new copy
      var fresh = document.querySelector('[data-card="' + drag.id + '"]');
      if (fresh) drag.card = fresh;
    }
    drag.moved = true;
    drag.card.classList.add("card--dragging");
    drag.card.style.setProperty("transform", "translate(" + dx + "px, " + dy + "px)");
    clearOver();
    var column = columnAt(event.clientX, event.clientY);
    if (column) column.classList.add("board__table--over");
  });

  function drop(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    var moved = drag.moved;
    var id = drag.id;
    finish(); // first, so elementFromPoint sees the column and not the card
    if (!moved) return;
    var column = columnAt(event.clientX, event.clientY);
    if (!column) return;
    var card = document.querySelector('[data-card="' + id + '"]');
    var menu = card && card.querySelector("select[data-group-menu]");
    var target = column.getAttribute("data-drop-group");
    if (!menu || menu.value === target) return;
    menu.value = target;
    menu.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", finish);
})();
