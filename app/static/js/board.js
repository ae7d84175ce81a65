/* Console harvest board: move cards into groups (KJ法) by dragging, or with the keyboard.

   Drag: Pointer Events, so a mouse, a pen and a finger all work the same way; the grip (⠿)
   has `touch-action: none` (app.css) so a finger drags the card instead of scrolling. While
   dragging, a copy of the card (`card--ghost`, position: fixed) follows the pointer above
   every column, and the page scrolls when the pointer nears its top or bottom edge.
   Keyboard: a focused card moves to the previous or next group with ← and →, to the n-th
   group with the digits 1–9 and out of every group with 0; X selects it.
   Either way the card's own "move to group" menu is set and fires its `change`, so the
   server sees one kind of request. The board may be re-rendered by a push at any moment:
   cards are looked up again by their id, and a focused card gets its focus back.
   No inline styles in the markup: positions are set through the CSSOM, which the CSP allows.

   DOM contract (app/templates/fragments/_board.html, _board_card.html)
   --------------------------------------------------------------------
   [data-drop-group="GROUP_ID"|""]  a column that takes cards ("" = not grouped)
   li[data-card][tabindex] > [data-drag-card]  the grip;  li select[data-group-menu]  the menu;
   li input.card__select  the selection box.
   Classes set here: `card--dragging` on the card, `card--ghost` on its copy,
   `board__table--over` on the column under the pointer.
*/
(function () {
  "use strict";
  var drag = null; // {card, id, x, y, dx, dy, moved, pointerId, ghost}
  var THRESHOLD = 6; // px before a press becomes a drag
  var EDGE = 60; // px from the window's edge where dragging scrolls the page
  var focusedId = null;

  function cardById(id) {
    return document.querySelector('#board [data-card="' + id + '"]');
  }

  function columnAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest("[data-drop-group]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".board__table--over").forEach(function (column) {
      column.classList.remove("board__table--over");
    });
  }

  function moveTo(id, target) {
    var card = cardById(id);
    var menu = card && card.querySelector("select[data-group-menu]");
    if (!menu || menu.value === target) return;
    menu.value = target;
    menu.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function finish() {
    if (drag) {
      if (drag.card) drag.card.classList.remove("card--dragging");
      if (drag.ghost) drag.ghost.remove();
    }
    clearOver();
    drag = null;
  }

  function place(ghost, x, y) {
    ghost.style.setProperty("left", (x - drag.dx) + "px");
    ghost.style.setProperty("top", (y - drag.dy) + "px");
  }

  document.addEventListener("pointerdown", function (event) {
    var grip = event.target.closest && event.target.closest("[data-drag-card]");
    if (!grip || event.button > 0) return;
    var card = grip.closest("[data-card]");
    if (!card) return;
    event.preventDefault();
    var box = card.getBoundingClientRect();
    drag = { card: card, id: card.getAttribute("data-card"), x: event.clientX,
      y: event.clientY, dx: event.clientX - box.left, dy: event.clientY - box.top,
      width: box.width, moved: false, pointerId: event.pointerId, ghost: null };
    if (grip.setPointerCapture) {
      try { grip.setPointerCapture(event.pointerId); } catch (err) { /* not capturable */ }
    }
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.moved && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.ghost = drag.card.cloneNode(true);
      drag.ghost.removeAttribute("id");
      drag.ghost.classList.add("card--ghost");
      drag.ghost.setAttribute("aria-hidden", "true");
      drag.ghost.style.setProperty("width", drag.width + "px");
      document.body.appendChild(drag.ghost);
    }
    var live = cardById(drag.id); // re-rendered by a push: mark the new copy
    if (live) {
      drag.card = live;
      live.classList.add("card--dragging");
    }
    place(drag.ghost, event.clientX, event.clientY);
    if (event.clientY < EDGE) window.scrollBy(0, -20);
    else if (event.clientY > window.innerHeight - EDGE) window.scrollBy(0, 20);
    clearOver();
    var column = columnAt(event.clientX, event.clientY);
    if (column) column.classList.add("board__table--over");
  });

  function drop(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    var moved = drag.moved;
    var id = drag.id;
    finish(); // first, so elementFromPoint sees the column and not the ghost
    if (!moved) return;
    var column = columnAt(event.clientX, event.clientY);
    if (column) moveTo(id, column.getAttribute("data-drop-group"));
  }

  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", finish);

  // --- keyboard -------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card || !card.matches || !card.matches("#board li[data-card]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var menu = card.querySelector("select[data-group-menu]");
    if (!menu) return;
    var values = Array.prototype.map.call(menu.options, function (option) { return option.value; });
    var at = values.indexOf(menu.value);
    var target = null;
    if (event.key === "ArrowRight") target = values[Math.min(values.length - 1, at + 1)];
    else if (event.key === "ArrowLeft") target = values[Math.max(0, at - 1)];
    else if (/^[0-9]$/.test(event.key) && Number(event.key) < values.length) target = values[Number(event.key)];
    else if (event.key === "x" || event.key === "X") {
      var box = card.querySelector(".card__select");
      if (box && !box.disabled) box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    if (target === null) return;
    event.preventDefault();
    focusedId = card.getAttribute("data-card");
    moveTo(focusedId, target);
  });

  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("#board li[data-card]");
    focusedId = card ? card.getAttribute("data-card") : null;
  });

  document.addEventListener("htmx:wsAfterMessage", function () {
    if (!focusedId || (document.activeElement && document.activeElement !== document.body)) return;
    var card = cardById(focusedId); // the push replaced the focused card: focus its new copy
    if (card) card.focus({ preventScroll: false });
  });
})();
