/* Console: drag a person's name onto another table to seat them there in this round.
   The drop posts the same form as the name's own "move to" menu (which touch screens use),
   so the server sees one kind of request either way. */
(function () {
  "use strict";
  var dragged = null;

  function dropTarget(event) {
    return event.target.closest ? event.target.closest("[data-drop-table]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var person = event.target.closest && event.target.closest("[data-participant]");
    if (!person) return;
    dragged = person;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", person.getAttribute("data-participant"));
    person.classList.add("person--dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("person--dragging");
    dragged = null;
    document.querySelectorAll(".people__table--over").forEach(function (table) {
      table.classList.remove("people__table--over");
    });
  });

  document.addEventListener("dragover", function (event) {
    var table = dropTarget(event);
    if (!table || !dragged) return;
    event.preventDefault();
    table.classList.add("people__table--over");
  });

  document.addEventListener("dragleave", function (event) {
    var table = dropTarget(event);
    if (table && !table.contains(event.relatedTarget)) table.classList.remove("people__table--over");
  });

  document.addEventListener("drop", function (event) {
    var table = dropTarget(event);
    if (!table || !dragged) return;
    event.preventDefault();
    var menu = dragged.querySelector("select[name=table_id]");
    var target = table.getAttribute("data-drop-table");
    if (!menu || menu.value === target) return;
    menu.value = target;
    menu.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();

/* Console: a form's answer is shown beside what caused it. The server answers a form with
   the message fragment (#flash, swapped out of band into the run bar); its text is moved
   into a message region right after the form or button that was used (created, empty, when
   the request starts, so a screen reader announces what then appears: aria-live polite
   for a note, assertive for an error). A form whose success redraws or removes what holds
   it names a lasting place: data-flash-at="after-piece" (right after the live piece it is
   in, its outermost ancestor with an id, which pushes replace) or a selector (an accepted
   suggestion, a removed person).
   A click while the server cannot be reached is refused visibly there too, never lost:
   while live.js shows the connection banner (body.offline) the console's buttons are greyed
   out (app.css) and a request that starts anyway is stopped with a message; a request the
   network drops on its way says so too. */
(function () {
  "use strict";
  var first = document.getElementById("flash"); // form answers replace it: keep its texts
  var texts = first ? { "data-text-offline": first.getAttribute("data-text-offline"),
    "data-text-not-sent": first.getAttribute("data-text-not-sent") } : {};
  var NOTE_MS = 10000; // a note ("Moved.") goes after a while; an error stays until the next answer

  function cause(elt) {
    if (!elt || !elt.closest) return null;
    return elt.closest("[data-flash-at]") || elt.closest("form") || elt;
  }

  /* The live piece holding `element`: its outermost ancestor with an id inside #live. */
  function pieceOf(element) {
    var piece = element;
    var up = element.parentElement && element.parentElement.closest("[id]");
    while (up && up.id !== "live") {
      piece = up;
      up = up.parentElement && up.parentElement.closest("[id]");
    }
    return piece;
  }

  function regionFor(elt) {
    var origin = cause(elt);
    if (!origin || !origin.isConnected) return null;
    var place = origin.getAttribute("data-flash-at");
    if (place === "after-piece") origin = pieceOf(origin);
    else if (place) return document.querySelector(place);
    var next = origin.nextElementSibling;
    if (next && next.hasAttribute("data-flash-beside")) return next;
    var region = document.createElement(origin.closest("td, li, span, p") ? "span" : "p");
    region.className = "flash flash--beside";
    region.setAttribute("data-flash-beside", "");
    region.setAttribute("aria-live", "polite");
    origin.insertAdjacentElement("afterend", region);
    return region;
  }

  function show(region, text, kind) {
    if (!region) return;
    clearTimeout(region.flashTimer);
    region.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
    region.className = "flash flash--beside" + (kind ? " flash--" + kind : "");
    region.textContent = text;
    if (kind === "note") {
      region.flashTimer = setTimeout(function () { region.textContent = ""; }, NOTE_MS);
    }
  }

  /* Forms post; what only reads (a panel drawn, a document's state polled) has no answer
     to show. */
  function posts(event) {
    var config = event.detail.requestConfig;
    return !config || (config.verb || "").toLowerCase() !== "get";
  }

  /* The place is chosen when the request starts and kept with it: a push may remove the
     form before its answer arrives (the arrived person's row), the place stays. */
  var lastPlace = null;

  function regionOf(event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.flashRegion && xhr.flashRegion.isConnected) return xhr.flashRegion;
    var region = regionFor(event.detail.elt);
    if (xhr) xhr.flashRegion = region;
    return region;
  }

  function moveFlash(region) {
    var flash = document.getElementById("flash");
    if (!flash || !region) return;
    var kind = flash.classList.contains("flash--error") ? "error"
      : flash.classList.contains("flash--note") ? "note" : "";
    show(region, flash.textContent.trim(), kind);
    flash.textContent = "";
    flash.className = "flash";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var offline = document.body.classList.contains("offline");
    if (!offline && !posts(event)) return;
    var region = regionOf(event);
    lastPlace = region;
    if (!offline) return;
    event.preventDefault();
    show(region, texts["data-text-offline"] || "", "error");
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(regionOf(event), texts["data-text-not-sent"] || "", "error");
  });

  /* The answer's message, out of the run bar and beside its cause; an answer without one
     empties the place (the last message is no longer true). */
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    // once per answer: htmx tells the form and, when they differ, the target too
    if (!posts(event) || !xhr || xhr.flashShown) return;
    xhr.flashShown = true;
    moveFlash(regionOf(event));
  });

  /* A form a push removed meanwhile gets no afterRequest here (htmx tells the detached
     form, and its events reach no document): its answer still lands in #flash, and goes
     to the place of the latest post once the swap is done. */
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.target.id !== "flash") return;
    Promise.resolve().then(function () {
      var flash = document.getElementById("flash");
      if (flash && flash.textContent.trim() && lastPlace && lastPlace.isConnected) moveFlash(lastPlace);
    });
  });

  /* A link to copy (the co-facilitator's) is selected whole when clicked. */
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input.link__copy")) event.target.select();
  });
})();

/* A new pre-registration file voids the preview of the one before (its import button
   above all): the import always follows a check of the file that is chosen. */
document.addEventListener("change", function (event) {
  if (!event.target.matches || !event.target.matches("[data-import-file]")) return;
  var preview = document.getElementById("import-preview");
  if (preview) preview.replaceChildren();
});

/* The people list's search (console.html, outside #people so that pushes keep it): rows
   whose data-search (name, furigana, affiliation, table) holds what is typed stay, the
   others and the tables left empty are hidden; katakana finds hiragana and full-width
   finds half-width. Applied again after every push, which redraws the list. */
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase().replace(/[\u30a1-\u30f6]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0x60);
    });
  }

  function filterPeople() {
    var box = document.querySelector("[data-people-search]");
    var people = document.getElementById("people");
    if (!box || !people) return;
    var query = fold(box.value.trim());
    var found = 0;
    people.querySelectorAll(".people__table").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("tr.person").forEach(function (row) {
        var match = !query || fold(row.getAttribute("data-search")).indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = query !== "" && shown === 0;
      found += shown;
    });
    var label = document.querySelector("[data-people-found]");
    if (label) label.textContent = query ? label.getAttribute("data-text-found").replace("{n}", String(found)) : "";
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-people-search]")) filterPeople();
  });
  document.addEventListener("htmx:wsAfterMessage", filterPeople);
})();
