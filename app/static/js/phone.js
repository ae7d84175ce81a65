/* worldcafe phone: what matters now is in view.

   - A move set up: #seat carries data-next-table="N" and data-move-key; the first time a
     key is seen the seat (the destination) is scrolled into view, wherever the phone was.
   - Dot voting: #my-votes (sticky at the top while voting is open) carries data-left; at
     zero every "+" button is disabled. Its items name where the participant's dots are
     (data-vote-target, data-my-dots): the rows of the voting list with the same
     data-vote-target get data-my-dots and ●● on themselves (the list is the same for
     everyone, so the server draws it once). The group filter (select[data-vote-filter])
     hides the other groups' sections; its choice survives pushes that redraw the list.
     A refused vote's message is shown right under the button that was tapped (the page's
     #flash is far above the thumb).
   - One's own cards: the menu to edit or withdraw one is shown while its phase runs.

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

  function markMyDots() {
    var mine = {};
    document.querySelectorAll("#my-votes [data-vote-target]").forEach(function (item) {
      mine[item.getAttribute("data-vote-target")] = parseInt(item.getAttribute("data-my-dots") || "0", 10);
    });
    document.querySelectorAll("#vote-cards [data-vote-target]").forEach(function (row) {
      var dots = mine[row.getAttribute("data-vote-target")] || 0;
      if (dots > 0) row.setAttribute("data-my-dots", String(dots));
      else row.removeAttribute("data-my-dots");
      var marks = row.querySelector("[data-my-dots-marks]");
      if (marks) marks.textContent = dots > 0 ? new Array(dots + 1).join("\u25CF") : "";
    });
  }

  /* The actions this phone raised a hand for (its own #my-hands) are marked on the shared
     list of actions: their button gives way to "your hand is raised". */
  function markMyHands() {
    var mine = document.getElementById("my-hands");
    var raised = (mine && mine.getAttribute("data-raised") || "").split(" ");
    document.querySelectorAll("#action-list [data-action-id]").forEach(function (item) {
      if (raised.indexOf(item.getAttribute("data-action-id")) >= 0) item.setAttribute("data-raised", "");
      else item.removeAttribute("data-raised");
    });
  }

  var groupShown = "";

  function filterGroups() {
    var select = document.querySelector("#vote-cards [data-vote-filter]");
    if (!select) return;
    if (groupShown && !select.querySelector('option[value="' + groupShown + '"]')) groupShown = "";
    select.value = groupShown;
    document.querySelectorAll("#vote-cards [data-vote-group]").forEach(function (section) {
      section.hidden = groupShown !== "" && section.getAttribute("data-vote-group") !== groupShown;
    });
  }

  document.addEventListener("change", function (evt) {
    var select = evt.target;
    if (!select.matches || !select.matches("#vote-cards [data-vote-filter]")) return;
    groupShown = select.value;
    filterGroups();
  });

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

  /* The menu to edit or withdraw one's own card, only while the card's phase runs (the
     server refuses the others): #phase says which phase that is. */
  function showOwnCardMenus() {
    var phase = document.getElementById("phase");
    var now = phase && phase.getAttribute("data-status") !== "finished"
      ? phase.getAttribute("data-phase-index") : null;
    document.querySelectorAll("#my-cards [data-own-card]").forEach(function (menu) {
      menu.hidden = menu.getAttribute("data-phase") !== now;
    });
  }

  function afterPush() {
    showOwnCardMenus();
    bringDestinationIntoView();
    markMyDots();
    markMyHands();
    filterGroups();
    syncVoteButtons();
  }

  document.addEventListener("htmx:wsAfterMessage", afterPush);
  document.addEventListener("DOMContentLoaded", afterPush);

  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || !elt.closest || !elt.closest(".vote-cards__form")) return;
    var trigger = evt.detail.requestConfig && evt.detail.requestConfig.triggeringEvent;
    // the list's form ("+", its submitter) or a row's own "−" button
    var button = elt.tagName === "BUTTON" ? elt : trigger && trigger.submitter;
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
