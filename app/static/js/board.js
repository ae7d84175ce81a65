/* Console harvest board: move cards into groups (KJ法) by dragging, with the keyboard, or
   many at once.

   Drag: Pointer Events, so a mouse, a pen and a finger all work the same way; the grip (⠿)
   has `touch-action: none` (app.css) so a finger drags the card instead of scrolling. While
   dragging, a copy of the card (`card--ghost`, position: fixed) follows the pointer above
   every column. The drop targets are the rail of groups (_board_rail.html), which stays in
   the window beside the cards, so the page never has to scroll during a drag. A selected
   card brings every selected card with it.
   Selection: a card's box; Shift-click (on the box or the card) selects every card from the
   one selected last to this one; Ctrl/⌘-click one card; X the focused card; Esc none.
   Clicking a group of the rail with cards selected moves them there.
   Keyboard: 1–9 move the selected cards (with none, the focused card) into the n-th group,
   0 out of every group; ← and → move the focused card to the previous or next group; ?
   shows every shortcut (the #shortcuts dialog).
   One card moves through its own "move to group" menu (its `change`), several through the
   board's selection form (#selected-cards, its Move button): the server sees the requests
   the menus send. The board may be re-rendered by a push at any moment: cards are looked up
   again by their id. A focused card that leaves the cards in no group hands the focus to
   the one after it, so that list can be worked through from the keyboard; elsewhere the
   focus follows the card.
   No inline styles in the markup: positions are set through the CSSOM, which the CSP allows.

   DOM contract (app/templates/fragments/_board.html, _board_rail.html, _board_card.html)
   --------------------------------------------------------------------------------------
   [data-drop-group="GROUP_ID"|""]  a rail entry that takes cards ("" = not grouped);
   [data-rail-count="LIST_ID"]  its count of the cards in the list LIST_ID;
   li[data-card][tabindex] > [data-drag-card]  the grip;  li select[data-group-menu]  the menu;
   li input.card__select  the selection box;  #selected-cards  the selection's form, with
   select[name=group_id] and [data-move-selected];  [data-selection]  the rail's line about
   the selection, [data-clear-selection] its button;  [data-open-shortcuts]  opens #shortcuts.
   Classes set here: `card--dragging` on the card, `card--ghost` on its copy, `drop--over`
   on the rail entry under the pointer.
*/
(function () {
  "use strict";
  var drag = null; // {card, id, x, y, dx, dy, moved, pointerId, ghost}
  var THRESHOLD = 6; // px before a press becomes a drag
  var POOL = "board-group-none-cards"; // the cards in no group
  var focusedId = null;
  var anchorId = null; // the card selected last: one end of a Shift-click range

  function cardById(id) {
    return document.querySelector('#board [data-card="' + id + '"]');
  }

  function targetAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element && element.closest ? element.closest("#board [data-drop-group]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".drop--over").forEach(function (target) {
      target.classList.remove("drop--over");
    });
  }

  function selectBox(card) {
    var box = card.querySelector(".card__select");
    return box && !box.disabled ? box : null;
  }

  function isSelected(card) {
    var box = selectBox(card);
    return Boolean(box && box.checked);
  }

  function selectedBoxes() {
    return document.querySelectorAll("#board .card__select:checked");
  }

  function showSelection() {
    var line = document.querySelector("#board [data-selection]");
    if (!line) return;
    var count = selectedBoxes().length;
    line.hidden = count === 0;
    // none selected: the line as the server draws it (empty), whether or not this ran
    line.querySelector("[data-selection-count]").textContent = count === 0 ? ""
      : line.getAttribute("data-text-selected").replace("{num}", count);
  }

  function clearSelection() {
    selectedBoxes().forEach(function (box) { box.checked = false; });
    showSelection();
  }

  /* Cards shown on the board, in its order (the filter hides some of the cards in no group). */
  function shownCards() {
    return Array.prototype.filter.call(document.querySelectorAll("#board li[data-card]"),
      function (card) { return !card.hidden; });
  }

  function selectRange(fromId, card, checked) {
    var cards = shownCards();
    var from = cards.findIndex(function (c) { return c.getAttribute("data-card") === fromId; });
    var to = cards.indexOf(card);
    if (from < 0 || to < 0) return;
    cards.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (c) {
      var box = selectBox(c);
      if (box) box.checked = checked;
    });
  }

  /* Where the focus goes once `card` (and every card `leaving` says) has moved. */
  function handOff(card, leaving) {
    if (!card) return;
    focusedId = card.getAttribute("data-card");
    if (!leaving(card) || !card.parentElement || card.parentElement.id !== POOL) return; // it follows the card
    var cards = shownCards().filter(function (c) { return c.parentElement === card.parentElement; });
    var at = cards.indexOf(card);
    var stays = function (c) { return !leaving(c); };
    var next = cards.slice(at + 1).find(stays) || cards.slice(0, at).reverse().find(stays);
    focusedId = next ? next.getAttribute("data-card") : null;
  }

  function moveOne(id, target) {
    var card = cardById(id);
    var menu = card && card.querySelector("select[data-group-menu]");
    if (!menu || menu.value === target) return;
    menu.value = target;
    menu.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function moveSelected(target) {
    var form = document.getElementById("selected-cards");
    var menu = form && form.querySelector("select[name=group_id]");
    var button = form && form.querySelector("[data-move-selected]");
    if (!menu || !button) return;
    menu.value = target;
    button.click();
  }

  /* The selected cards when `card` is one of them (or, without a card, any are selected),
     else `card` alone. */
  function move(card, target) {
    if ((card && isSelected(card)) || (!card && selectedBoxes().length)) {
      handOff(card, isSelected);
      moveSelected(target);
    } else if (card) {
      handOff(card, function (c) { return c === card; });
      moveOne(card.getAttribute("data-card"), target);
    }
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

  // --- drag -----------------------------------------------------------------------------------

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
    clearOver();
    var target = targetAt(event.clientX, event.clientY);
    if (target) target.classList.add("drop--over");
  });

  function drop(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    var moved = drag.moved;
    var id = drag.id;
    finish(); // first, so elementFromPoint sees the rail and not the ghost
    if (!moved) return;
    var target = targetAt(event.clientX, event.clientY);
    if (target) move(cardById(id), target.getAttribute("data-drop-group"));
  }

  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", finish);

  // --- selection ------------------------------------------------------------------------------

  function onCardChrome(target) {
    return target.closest("[data-drag-card], .card__menu");
  }

  document.addEventListener("mousedown", function (event) {
    var card = event.target.closest && event.target.closest("#board li[data-card]");
    if (card && event.shiftKey && !onCardChrome(event.target)) event.preventDefault(); // no text selection
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-open-shortcuts]")) {
      openShortcuts();
      return;
    }
    if (target.closest("#board [data-clear-selection]")) {
      clearSelection();
      return;
    }
    var railTarget = target.closest("#board [data-drop-group]");
    if (railTarget) {
      if (!selectedBoxes().length) return; // the link: to the group's cards
      event.preventDefault();
      var focused = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("#board li[data-card]");
      move(focused && isSelected(focused) ? focused : null, railTarget.getAttribute("data-drop-group"));
      return;
    }
    var card = target.closest("#board li[data-card]");
    var box = card && selectBox(card);
    if (!box || onCardChrome(target)) return;
    var onBox = target === box;
    var id = card.getAttribute("data-card");
    if (event.shiftKey && anchorId && anchorId !== id) {
      selectRange(anchorId, card, onBox ? box.checked : true);
    } else if (!onBox && (event.shiftKey || event.ctrlKey || event.metaKey)) {
      box.checked = !box.checked;
    } else if (!onBox) {
      return;
    }
    anchorId = id;
    showSelection();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("#board .card__select")) showSelection();
  });

  // --- keyboard -------------------------------------------------------------------------------

  function typing(target) {
    return Boolean(target.closest && target.closest(
      "input:not([type=checkbox]), select, textarea, [contenteditable], dialog, .card__menu"));
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function groupValues() {
    var menu = document.querySelector("#selected-cards select[name=group_id]");
    return menu ? Array.prototype.map.call(menu.options, function (option) { return option.value; }) : [];
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || typing(target)) return;
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      openShortcuts();
      return;
    }
    var card = target.closest && target.closest("#board li[data-card]");
    var selected = selectedBoxes().length > 0;
    if (key === "Escape" && selected) {
      clearSelection();
      return;
    }
    if (!card && !(selected && (target === document.body || target.closest("#board")))) return;
    if (card && (key === "x" || key === "X")) {
      event.preventDefault();
      var box = selectBox(card);
      if (!box) return;
      box.checked = !box.checked;
      anchorId = card.getAttribute("data-card");
      showSelection();
      return;
    }
    var values = groupValues();
    if (/^[0-9]$/.test(key)) {
      if (Number(key) >= values.length) return;
      event.preventDefault();
      if (selected) {
        handOff(card, isSelected);
        moveSelected(values[Number(key)]);
      } else {
        move(card, values[Number(key)]);
      }
      return;
    }
    if (!card || (key !== "ArrowLeft" && key !== "ArrowRight")) return;
    var menu = card.querySelector("select[data-group-menu]");
    if (!menu) return;
    var at = values.indexOf(menu.value);
    event.preventDefault();
    move(card, values[key === "ArrowRight" ? Math.min(values.length - 1, at + 1) : Math.max(0, at - 1)]);
  });

  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("#board li[data-card]");
    focusedId = card ? card.getAttribute("data-card") : null;
  });

  /* After a push: the rail's counts, the selection's line, and the focus back on its card. */
  document.addEventListener("htmx:wsAfterMessage", function () {
    document.querySelectorAll("#board [data-rail-count]").forEach(function (count) {
      var list = document.getElementById(count.getAttribute("data-rail-count"));
      if (list) count.textContent = list.querySelectorAll(":scope > li[data-card]").length;
    });
    showSelection();
    if (!focusedId || (document.activeElement && document.activeElement !== document.body)) return;
    var card = cardById(focusedId);
    if (card) card.focus({ preventScroll: false });
  });
})();
