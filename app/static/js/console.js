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

/* Console: a click while the server cannot be reached is refused visibly, never lost. While
   live.js shows the connection banner (body.offline) the console's buttons are greyed out
   (app.css) and a request that starts anyway is stopped with a message in #flash; a request
   the network drops on its way says so too. */
(function () {
  "use strict";
  var first = document.getElementById("flash"); // form answers replace it: keep its texts
  var texts = first ? { "data-text-offline": first.getAttribute("data-text-offline"),
    "data-text-not-sent": first.getAttribute("data-text-not-sent") } : {};

  function say(key) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.textContent = texts[key] || "";
    flash.className = "flash flash--error";
    flash.setAttribute("role", "alert");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!document.body.classList.contains("offline")) return;
    event.preventDefault();
    say("data-text-offline");
  });

  document.addEventListener("htmx:sendError", function () { say("data-text-not-sent"); });

  /* A note ("Moved.") leaves the run bar after a while, so the bar that stays at the top of
     the window does not keep growing; an error stays until the next answer replaces it. */
  var NOTE_MS = 10000;
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var flash = event.target; // the element swapped in
    if (flash.id !== "flash" || !flash.classList.contains("flash--note")) return;
    setTimeout(function () {
      if (document.getElementById("flash") === flash) flash.textContent = "";
    }, NOTE_MS);
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
