/* worldcafe phone: what matters now is in view.

   - A move set up: #seat carries data-next-table="N" and data-move-key; the first time a
     key is seen the seat (the destination) is scrolled into view, wherever the phone was.
   - Dot voting: #my-votes (sticky at the top while voting is open) carries data-left; at
     zero every "+ dot" button is disabled. A refused vote's message is shown right under
     the button that was tapped (the page's #flash is far above the thumb).

   Plain ES2017, CSP script-src 'self': only classes, text, `hidden` and `disabled` are
   touched. Runs after every live push (htmx:wsAfterMessage) and every form answer. */
(function () {
  "use strict";

  var movedFor = null;

  function bringDestinationIntoView() {
    var seat = document.getElementById("seat");
    var key = seat && seat.getAttribute("data-next-table") !== null
      ? seat.getAttribute("data-move-key") : null;
    if (key === null || key === movedFor) return;
    movedFor = key;
    seat.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function dotsLeft() {
    var mine = document.getElementById("my-votes");
    return mine ? parseInt(mine.getAttribute("data-left") || "0", 10) : 0;
  }

  function syncVoteButtons() {
    var spent = dotsLeft() <= 0;
    var list = document.getElementById("vote-cards");
    if (list) list.classList.toggle("vote-cards--spent", spent);
    document.querySelectorAll("#vote-cards .vote-button").forEach(function (button) {
      button.disabled = spent;
    });
  }

  function clearVoteMessages() {
    document.querySelectorAll("#vote-cards [data-vote-message]").forEach(function (note) {
      note.remove();
    });
  }

  function showVoteMessage(button, text) {
    clearVoteMessages();
    if (!text) return;
    var note = document.createElement("p");
    note.className = "vote-message";
    note.setAttribute("role", "alert");
    note.setAttribute("data-vote-message", "");
    note.textContent = text;
    button.insertAdjacentElement("afterend", note);
  }

  function afterPush() {
    bringDestinationIntoView();
    syncVoteButtons();
  }

  document.addEventListener("htmx:wsAfterMessage", afterPush);
  document.addEventListener("DOMContentLoaded", afterPush);

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.classList || !form.classList.contains("vote-cards__form")) return;
    var trigger = evt.detail.requestConfig && evt.detail.requestConfig.triggeringEvent;
    var button = trigger && trigger.submitter;
    if (!button) return;
    var xhr = evt.detail.xhr;
    if (!xhr || xhr.status < 400) {
      clearVoteMessages();
      return;
    }
    var answer = new DOMParser().parseFromString(xhr.responseText, "text/html"); // our #flash
    showVoteMessage(button, answer.body.textContent.trim());
    syncVoteButtons();
  });
})();
