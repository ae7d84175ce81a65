/* worldcafe card entry with an offline queue (host tablet and participant phone).

   Plain ES2017, no modules, no build step; runs under CSP script-src 'self' (no inline
   handlers or styles: only classes, text and the `hidden` attribute are touched).

   DOM contract (app/templates/fragments/_card_entry.html)
   -------------------------------------------------------
   <section data-card-entry data-post-url="/h/SID/cards" data-queue-key="worldcafe:cards:SID:host"
            data-limit="140" data-text-unsent="… {n}" data-text-too-long="… {length} …"
            data-text-dropped="… {text} …" data-text-failed="…">
     <form> <textarea data-card-colour="yellow"> [data-card-counter] #unsent-badge
            [data-card-error] </form>
     <ul data-card-queue> (the unsent cards, drawn here)
   #phase[data-card-colour] (a live fragment) gives the colour of the current phase.

   Every card gets a client UUID and goes into a localStorage queue (per event and view)
   before anything is sent, so it survives a reload, a sleeping tablet or a dead network.
   The queue is sent one card at a time, oldest first, with the page's HttpOnly cookie:
     200/201: stored (201 new, 200 already stored: a resend); removed from the queue.
     429: wait for Retry-After, then go on.
     other 4xx: it can never succeed: dropped, and its text is shown with the reason.
     5xx or no network: kept; tried again later.
   Sending (re)starts on load, after every success, on `online`, on `worldcafe:socket-open`
   (live.js, after every reconnect), and every few seconds while cards wait.
*/
(function () {
  "use strict";

  var entry = document.querySelector("[data-card-entry]");
  if (!entry) return;

  var form = entry.querySelector("form");
  var textarea = entry.querySelector("textarea");
  var counter = entry.querySelector("[data-card-counter]");
  var badge = document.getElementById("unsent-badge");
  var errorBox = entry.querySelector("[data-card-error]");
  var queueList = entry.querySelector("[data-card-queue]");

  var postUrl = entry.getAttribute("data-post-url");
  var storageKey = entry.getAttribute("data-queue-key");
  var limit = parseInt(entry.getAttribute("data-limit"), 10) || 140;
  var COLOURS = ["yellow", "pink", "blue", "green", "orange", "purple"];
  var RETRY_MS = 3000;
  var MAX_RETRY_MS = 30000;

  var memoryQueue = null; // used when localStorage is unavailable (private mode, quota)
  var sending = false;
  var retryTimer = null;
  var blockedUntil = 0; // Retry-After of a 429: honoured even when the link comes back
  var retryAt = 0; // after a network failure or a 5xx: skipped when the link comes back
  var failures = 0;

  // --- ids and the stored queue ----------------------------------------------------------

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function isItem(item) {
    return item && typeof item.id === "string" && typeof item.text === "string";
  }

  function load() {
    if (memoryQueue) return memoryQueue.slice();
    try {
      var parsed = JSON.parse(window.localStorage.getItem(storageKey) || "[]");
      return Array.isArray(parsed) ? parsed.filter(isItem) : [];
    } catch (err) {
      return [];
    }
  }

  function save(queue) {
    try {
      if (queue.length) window.localStorage.setItem(storageKey, JSON.stringify(queue));
      else window.localStorage.removeItem(storageKey);
      memoryQueue = null;
    } catch (err) {
      memoryQueue = queue.slice(); // not persistent, but nothing typed is lost on this page
    }
    draw(queue);
  }

  function removeItem(id) {
    save(load().filter(function (item) { return item.id !== id; }));
  }

  // --- drawing -----------------------------------------------------------------------------

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function currentColour() {
    var phase = document.getElementById("phase");
    var colour = phase && phase.getAttribute("data-card-colour");
    return COLOURS.indexOf(colour) >= 0 ? colour : textarea.getAttribute("data-card-colour");
  }

  function paintColour() {
    var colour = currentColour();
    COLOURS.forEach(function (name) {
      textarea.classList.toggle("card--" + name, name === colour);
    });
  }

  function draw(queue) {
    var n = queue.length;
    badge.hidden = n === 0;
    badge.setAttribute("data-unsent-count", String(n));
    badge.textContent = n ? fill(entry.getAttribute("data-text-unsent"), { n: n }) : "";
    while (queueList.firstChild) queueList.removeChild(queueList.firstChild);
    queue.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "card card--unsent card--" + (item.colour || "yellow");
      li.setAttribute("data-pending", item.id);
      var span = document.createElement("span");
      span.className = "card__text";
      span.textContent = item.text; // text, never HTML
      li.appendChild(span);
      queueList.appendChild(li);
    });
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function addError(text) {
    showError(errorBox.hidden || !errorBox.textContent ? text : errorBox.textContent + " " + text);
  }

  function length(text) {
    return Array.from(text).length; // code points, as the server counts
  }

  function updateCounter() {
    var n = length(textarea.value.trim());
    counter.textContent = n + " / " + limit;
    counter.classList.toggle("card-entry__counter--over", n > limit);
  }

  // --- adding ------------------------------------------------------------------------------

  function add() {
    var text = textarea.value.replace(/\s+/g, " ").trim();
    if (!text) return;
    if (length(text) > limit) {
      showError(fill(entry.getAttribute("data-text-too-long"), { length: length(text) }));
      return;
    }
    showError("");
    var queue = load();
    queue.push({ id: uuid(), text: text, colour: currentColour(), at: Date.now() });
    save(queue);
    textarea.value = "";
    updateCounter();
    textarea.focus();
    flush();
  }

  form.addEventListener("submit", function (evt) {
    evt.preventDefault();
    add();
  });

  textarea.addEventListener("keydown", function (evt) {
    // Enter sends; Shift+Enter does nothing special; Enter that confirms a Japanese IME
    // conversion (isComposing, or keyCode 229 in older Safari) must not send.
    if (evt.key !== "Enter" || evt.shiftKey || evt.isComposing || evt.keyCode === 229) return;
    evt.preventDefault();
    add();
  });

  textarea.addEventListener("input", function () {
    updateCounter();
    if (!textarea.value.trim()) showError(""); // an emptied box has nothing wrong with it
  });

  var phaseShown = null;
  document.addEventListener("htmx:wsAfterMessage", function () {
    var phase = document.querySelector("#phase [data-phase-key]");
    var key = phase ? phase.getAttribute("data-phase-key").split(":")[0] : null;
    if (phaseShown !== null && key !== phaseShown) showError(""); // a new phase, a new page
    phaseShown = key;
  });

  // --- sending -----------------------------------------------------------------------------

  function later(ms) {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flush();
    }, ms);
  }

  function refused(item, response) {
    return response.json().then(function (body) {
      return body && body.error && body.error.message;
    }, function () { return null; }).then(function (message) {
      removeItem(item.id);
      addError(fill(entry.getAttribute("data-text-dropped"), { text: item.text }) + " " +
        (message || entry.getAttribute("data-text-failed")));
    });
  }

  function flush() {
    if (sending) return;
    var queue = load();
    draw(queue);
    if (!queue.length) return;
    var wait = Math.max(blockedUntil, retryAt) - Date.now();
    if (wait > 0) {
      later(wait);
      return;
    }
    var item = queue[0];
    sending = true;
    fetch(postUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": document.documentElement.lang || "ja"
      },
      body: JSON.stringify({ id: item.id, text: item.text })
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        failures = 0;
        removeItem(item.id);
        return true;
      }
      if (response.status === 429) {
        var seconds = parseFloat(response.headers.get("Retry-After"));
        blockedUntil = Date.now() + (isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
        return false;
      }
      if (response.status >= 400 && response.status < 500) {
        return refused(item, response).then(function () { return true; });
      }
      failures += 1; // 5xx: the server may recover
      retryAt = Date.now() + Math.min(MAX_RETRY_MS, RETRY_MS * failures);
      return false;
    }, function () {
      failures += 1; // no network: keep the card, try again later
      retryAt = Date.now() + Math.min(MAX_RETRY_MS, RETRY_MS * failures);
      return false;
    }).then(function (goOn) {
      sending = false;
      if (goOn) flush();
      else later(Math.max(0, Math.max(blockedUntil, retryAt) - Date.now()));
    });
  }

  function flushNow() {
    retryAt = 0; // the link is back: do not wait for the backoff (a 429's wait still holds)
    failures = 0;
    flush();
  }

  window.addEventListener("online", flushNow);
  document.addEventListener("worldcafe:socket-open", flushNow);
  window.addEventListener("storage", function (evt) {
    if (evt.key === storageKey) draw(load()); // another tab of the same view
  });

  // the phase (and so the colour of new cards) changes by pushes that replace #phase
  var live = document.getElementById("live");
  if (live && window.MutationObserver) {
    new MutationObserver(paintColour).observe(live, { childList: true, subtree: true });
  }

  paintColour();
  updateCounter();
  flush();
})();
