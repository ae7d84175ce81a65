/* worldcafe live pages: countdowns, chime, clock offset, connection banner, reconnects, wake lock.

   Plain ES2017, no modules, no build step; runs under CSP script-src 'self' (no eval, no inline
   styles: only classes and the `hidden` attribute are touched). Written for htmx 2.0.x and the
   htmx ws extension 2.0.x (htmx-ext-ws 2.0.4). Load order, all with `defer`:
   /static/vendor/htmx.min.js, /static/vendor/ws.js, /static/js/live.js. This script must run
   before DOMContentLoaded (so `defer`, not `async`): it wraps htmx.createWebSocket before the
   extension opens the first socket.

   DOM contract (rendered by the server)
   -------------------------------------
   <body data-view="facilitator|projector|host|participant" data-wake-lock="true|false">
     data-wake-lock="true": hold a Screen Wake Lock while the page is visible (secure origins only;
     elsewhere show [data-keep-awake], the notice, until dismissed, and loop the muted
     [data-keep-awake-video]: fragments/_keep_awake.html).
     WebKit (iPad, iPhone) grants it only during a user activation (a tap, a key), so it is also
     asked for on every gesture until it is held; once granted, WebKit grants it again without one.
     Classes set here: `time-warning` while a running countdown has <= 60 s left or is past zero,
     `time-up` for 8 s after a running countdown reaches zero (also removed as soon as no running
     countdown is in warning/done state), `offline` while the connection banner is shown.
     data-clock-offset: estimated server clock minus local clock, in ms (set here).
     data-live-drawn: set once the socket's first snapshot has drawn the page (a pong may come
       before it, so data-clock-offset does not say so); until then any piece that changed
       since the page was drawn may be redrawn (the snapshot leaves the same pieces alone).

   <main id="live" hx-ext="ws" ws-connect="/ws/sessions/SID?view=..." [data-snapshot-frames="2"]>
     Exactly one socket per page; data-snapshot-frames: the frames of its snapshot (1 if
     absent). The server pushes
       - HTML: top-level elements with ids, swapped out-of-band by the ws extension;
       - JSON text (first non-blank character `{`): never swapped; handled here.
         {"type":"pong","t0":<echo>,"server_ms":<UTC ms>} answers our
         {"type":"ping","t0":<Date.now()>}; any other JSON object is re-dispatched as
         CustomEvent `worldcafe:json` on document (detail = the parsed object).
     A full snapshot of fragments is pushed on every (re)connect, so resync is automatic;
     between snapshots the server pushes only what changed (an item inserted into a list,
     one element replaced or removed). A push whose target is missing makes us send
     {"type":"resync"}, and the server answers with a snapshot.
     Close codes 4401/4403/4404 mean the link is no longer valid: no reconnect. The server must
     accept the socket and then close with that code (a refused handshake arrives as 1006).

   <span data-countdown data-status="ready|running|paused|finished" data-ends-at="UTC ms or empty"
         data-remaining="ms" data-phase-key="opaque" role="timer">M:SS</span>
     Any number per page, replaced at any moment (always looked up afresh). Running:
     remaining = ends_at - (Date.now() + offset); otherwise data-remaining. Text M:SS, or H:MM:SS
     from one hour, rounded up to the whole second, never negative. Classes set here, on running
     countdowns only: `countdown--warning` (0 < remaining <= 60 s), `countdown--done` and
     `countdown--overtime` (remaining <= 0). A two-tone chime plays once per data-phase-key when a
     running countdown that this page saw above zero reaches zero, or is replaced by a push within
     1 s of its zero (auto-advance); never for a phase already more than 10 s past zero (e.g. on a
     page loaded in overtime).

   <div id="connection-banner" hidden data-text-offline data-text-reconnecting data-text-denied>
     Shown (with the matching, already translated text) while the socket is down, after an
     `offline` event until the link proves alive, and for good once the link was denied.

   <details data-keep-open="KEY">: open when a push redraws the piece it is in, if the one it
     replaces (same KEY) was open.

   <button id="enable-sound"> (optional): unlocks audio and is hidden once audio runs. Any
     pointer/key gesture anywhere unlocks audio too (browsers block audio until a gesture).

   Hooks for other scripts
   -----------------------
   document events: `worldcafe:socket-open` (after each open, detail.socketWrapper = the ws
   extension's public interface) and `worldcafe:json` (see above).
   window.worldcafeClock = {offset, rtt}: current clock offset estimate and its round-trip (ms).
   window.worldcafeLive = {isOpen(), send(object) -> boolean}: send JSON on the open socket.
*/
(function () {
  "use strict";

  if (window.worldcafeLive) return; // loaded twice: the first copy does the work

  var htmx = window.htmx;
  var CONNECTING = 0;
  var OPEN = 1;
  var CLOSED = 3;

  var EXTENSION_RECONNECT_CODES = [1006, 1011, 1012, 1013]; // ws extension 2.0.x retries these
  var DENIED_CODES = [4401, 4403, 4404];

  var WARNING_MS = 60 * 1000;
  var TIME_UP_MS = 8 * 1000;
  var TICK_SLACK_MS = 5; // a countdown's timer fires this long after the second it waits for
  var CHIME_LATE_MS = 10 * 1000; // a zero crossing noticed later than this is not chimed
  var REPLACED_NEAR_ZERO_MS = 1000; // a running phase replaced this close to zero counts as ended
  var PING_BURST = 5;
  var PING_SPACING_MS = 150;
  var SAMPLE_WINDOW = 8;
  var RESAMPLE_MS = 30 * 1000;
  var HEARTBEAT_MS = 15 * 1000;
  var HEARTBEAT_TIMEOUT_MS = 5 * 1000;
  var WAKE_PROBE_TIMEOUT_MS = 3 * 1000;
  var FORCE_GUARD_MS = 1000; // at most one forced reconnect per second
  var CONNECTING_GRACE_MS = 4000; // a younger attempt in flight is left alone
  var STABLE_OPEN_MS = 10 * 1000;
  var RESYNC_GUARD_MS = 2000; // at most one snapshot asked for every two seconds

  function perfNow() {
    return window.performance && performance.now ? performance.now() : Date.now();
  }

  function debug() {
    if (window.console && console.debug) {
      console.debug.apply(console, ["worldcafe:"].concat(Array.prototype.slice.call(arguments)));
    }
  }

  /* full-jitter exponential backoff, capped low for a LAN */
  function backoff(retryCount) {
    var n = Math.min(Math.max(retryCount || 0, 0), 10);
    return Math.min(2000, 250 * Math.pow(2, n)) * (0.5 + Math.random() / 2);
  }

  // ---------------------------------------------------------------------------------------------
  // Clock offset
  // ---------------------------------------------------------------------------------------------

  var clock = { offset: 0, rtt: null };
  window.worldcafeClock = clock;
  var samples = [];

  function serverNow() {
    return Date.now() + clock.offset;
  }

  function addClockSample(t0, t1, serverMs) {
    var rtt = t1 - t0;
    if (!isFinite(rtt) || rtt < 0 || rtt > 60000 || !isFinite(serverMs)) return;
    samples.push({ rtt: rtt, offset: serverMs - (t0 + t1) / 2 });
    while (samples.length > SAMPLE_WINDOW) samples.shift();
    var best = samples[0];
    for (var i = 1; i < samples.length; i++) {
      if (samples[i].rtt < best.rtt) best = samples[i];
    }
    clock.offset = best.offset;
    clock.rtt = best.rtt;
    if (document.body) document.body.dataset.clockOffset = String(best.offset);
  }

  // ---------------------------------------------------------------------------------------------
  // Socket tracking
  // ---------------------------------------------------------------------------------------------

  var rawSocket = null; // the newest WebSocket created by the extension
  var socketCreatedAt = 0;
  var socketWrapper = null; // the extension's publicInterface: send, sendImmediately, reconnect
  var openedAt = 0;
  var linkDown = false; // the current socket closed or failed
  var offlineHint = false; // an `offline` event came and the link has not proved alive since
  var denied = false;
  var pongSeen = false; // the server answers pings (else missing pongs prove nothing)
  var lastPongAt = -Infinity;
  var extensionRetryDue = -Infinity; // when the extension's pending reconnect timer fires
  var ownRetry = 0;
  var ownRetryTimer = null;
  var lastForcedAt = -Infinity;
  var burstTimers = [];

  /* Detach a superseded socket so that its late events (open, close, error) cannot reach the
     extension (which would schedule another reconnect) nor us (which would show the banner). */
  function retire(socket) {
    socket.onopen = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(1000);
    } catch (err) {
      debug("closing an old socket failed", err);
    }
  }

  if (htmx) {
    var baseCreateWebSocket = typeof htmx.createWebSocket === "function"
      ? htmx.createWebSocket
      : function (url) {
        var sock = new WebSocket(url, []);
        if (htmx.config.wsBinaryType) sock.binaryType = htmx.config.wsBinaryType;
        return sock;
      };
    htmx.createWebSocket = function (url) {
      var previous = rawSocket;
      var socket = baseCreateWebSocket(url);
      if (previous && previous !== socket && previous.readyState !== CLOSED) retire(previous);
      rawSocket = socket;
      socketCreatedAt = perfNow();
      return socket;
    };
    htmx.config.wsReconnectDelay = function (retryCount) {
      var delay = backoff(retryCount);
      extensionRetryDue = perfNow() + delay;
      return delay;
    };
  } else {
    debug("htmx is not loaded; countdowns run without a live connection");
  }

  function isOpen() {
    return !!rawSocket && rawSocket.readyState === OPEN;
  }

  function sendJson(message) {
    if (!isOpen()) return false;
    try {
      rawSocket.send(JSON.stringify(message));
      return true;
    } catch (err) {
      debug("send failed", err);
      return false;
    }
  }

  function sendPing() {
    return sendJson({ type: "ping", t0: Date.now() });
  }

  function startClockSampling() {
    burstTimers.forEach(clearTimeout);
    burstTimers = [];
    for (var i = 0; i < PING_BURST; i++) burstTimers.push(setTimeout(sendPing, i * PING_SPACING_MS));
  }

  /* Ping now; if the same socket is still current and no pong came within timeoutMs, the link is
     dead (tablets drop sockets silently while asleep): reconnect. */
  function probe(timeoutMs, reason) {
    var socket = rawSocket;
    var sentAt = perfNow();
    if (!sendPing()) return false;
    setTimeout(function () {
      if (denied || socket !== rawSocket || socket.readyState !== OPEN) return;
      if (!pongSeen || lastPongAt >= sentAt) return;
      debug("no pong within " + timeoutMs + " ms (" + reason + "), reconnecting");
      forceReconnect(reason, true);
    }, timeoutMs);
    return true;
  }

  /* Reconnect at once instead of waiting for a backoff. linkIsDead: the current socket looks
     OPEN but does not answer. */
  function forceReconnect(reason, linkIsDead) {
    if (denied || !socketWrapper) return;
    var now = perfNow();
    var socket = rawSocket;
    if (now - lastForcedAt < FORCE_GUARD_MS) return;
    if (socket && socket.readyState === OPEN && !linkIsDead) return;
    if (socket && socket.readyState === CONNECTING && now - socketCreatedAt < CONNECTING_GRACE_MS) return;
    var dueIn = extensionRetryDue - now;
    if (!linkIsDead && dueIn > 0 && dueIn < 300) return; // the extension retries in a moment anyway
    lastForcedAt = now;
    clearTimeout(ownRetryTimer);
    ownRetryTimer = null;
    debug("reconnecting now (" + reason + ")");
    if (socket && socket.readyState !== CLOSED) retire(socket);
    linkDown = true;
    updateBanner();
    try {
      socketWrapper.reconnect();
    } catch (err) {
      debug("reconnect failed", err);
    }
  }

  /* The extension only retries 1006/1011/1012/1013; other non-denied closes (1000, 1001, 1005,
     other 4xxx...) are retried here with the same backoff. */
  function scheduleOwnReconnect(closedAfterMs) {
    if (closedAfterMs > STABLE_OPEN_MS) ownRetry = 0;
    clearTimeout(ownRetryTimer);
    ownRetryTimer = setTimeout(function () {
      ownRetryTimer = null;
      if (denied || !socketWrapper) return;
      if (rawSocket && rawSocket.readyState !== CLOSED) return;
      lastForcedAt = -Infinity;
      forceReconnect("closed", false);
    }, backoff(ownRetry));
    ownRetry += 1;
  }

  /* The socket an htmx:ws* event is about; null if unknown. */
  function eventSocket(domEvent) {
    return domEvent && domEvent.target && typeof domEvent.target.readyState === "number"
      ? domEvent.target : null;
  }

  function isStale(socket) {
    return !!socket && !!rawSocket && socket !== rawSocket;
  }

  document.addEventListener("htmx:wsOpen", function (evt) {
    var detail = evt.detail || {};
    var socket = eventSocket(detail.event);
    if (isStale(socket)) return;
    if (!rawSocket && socket) rawSocket = socket;
    if (detail.socketWrapper) socketWrapper = detail.socketWrapper;
    openedAt = perfNow();
    linkDown = false;
    offlineHint = false;
    clearTimeout(ownRetryTimer);
    ownRetryTimer = null;
    updateBanner();
    samples = []; // re-sample after every (re)connect; keep the old offset until a pong comes
    startClockSampling();
    document.dispatchEvent(new CustomEvent("worldcafe:socket-open", {
      detail: { socketWrapper: socketWrapper }
    }));
  });

  document.addEventListener("htmx:wsClose", function (evt) {
    var detail = evt.detail || {};
    var closeEvent = detail.event;
    var socket = eventSocket(closeEvent);
    if (isStale(socket)) return; // a late close of an older socket while a newer one lives
    if (detail.socketWrapper) socketWrapper = detail.socketWrapper;
    var code = closeEvent ? closeEvent.code : 0;
    var openFor = openedAt ? perfNow() - openedAt : 0;
    openedAt = 0;
    if (DENIED_CODES.indexOf(code) >= 0) {
      denied = true;
      clearTimeout(ownRetryTimer);
      ownRetryTimer = null;
      updateBanner();
      return;
    }
    linkDown = true;
    updateBanner();
    if (EXTENSION_RECONNECT_CODES.indexOf(code) < 0) scheduleOwnReconnect(openFor);
  });

  document.addEventListener("htmx:wsError", function (evt) {
    var detail = evt.detail || {};
    if (isStale(eventSocket(detail.error))) return;
    if (detail.socketWrapper && detail.socketWrapper.publicInterface) {
      socketWrapper = detail.socketWrapper.publicInterface;
    }
    linkDown = true;
    updateBanner();
  });

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var detail = evt.detail || {};
    var message = detail.message;
    if (typeof message !== "string" || !/^\s*\{/.test(message)) return;
    evt.preventDefault(); // JSON is ours: the extension must not try to swap it
    if (detail.socketWrapper) socketWrapper = detail.socketWrapper;
    var data;
    try {
      data = JSON.parse(message);
    } catch (err) {
      debug("ignoring malformed JSON message", err);
      return;
    }
    if (!data || typeof data !== "object") return;
    if (data.type === "pong") {
      var t1 = Date.now();
      pongSeen = true;
      lastPongAt = perfNow();
      if (offlineHint) {
        offlineHint = false;
        updateBanner();
      }
      addClockSample(Number(data.t0), t1, Number(data.server_ms));
      return;
    }
    document.dispatchEvent(new CustomEvent("worldcafe:json", { detail: data }));
  });

  /* A push that names an element this page does not have means the page and the server
     disagree (the server sends only what changed): ask to be drawn again. */
  var lastResyncAt = -Infinity;
  document.addEventListener("htmx:oobErrorNoTarget", function () {
    var now = perfNow();
    if (now - lastResyncAt < RESYNC_GUARD_MS) return;
    lastResyncAt = now;
    debug("a pushed piece had no place on this page; asking for a snapshot");
    sendJson({ type: "resync" });
  });

  /* A push redraws a piece whole; a <details data-keep-open="KEY"> the person had open stays
     open in the new piece, so a push never shuts a help or a list just opened. (Menus that act,
     such as a card's, have no key: the push that answers them closes them.) */
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var fragment = event.detail && event.detail.fragment;
    if (!target || !fragment || !fragment.querySelectorAll) return;
    var OPEN = "details[data-keep-open][open]";
    var opened = Array.prototype.slice.call(target.querySelectorAll(OPEN));
    if (target.matches && target.matches(OPEN)) opened.push(target);
    var open = {};
    opened.forEach(function (element) { open[element.getAttribute("data-keep-open")] = true; });
    Array.prototype.forEach.call(fragment.querySelectorAll("details[data-keep-open]"), function (element) {
      if (open[element.getAttribute("data-keep-open")]) element.setAttribute("open", "");
    });
  });

  /* The socket's first snapshot mostly repeats what the server has just drawn: a piece that
     is the same is not drawn again, so nothing the person has begun in it is lost (a filter
     being typed, a list scrolled into view) and a big board is not laid out twice. Every
     later push swaps, same or not. */
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    if (!detail || !document.body || "liveDrawn" in document.body.dataset) return;
    var fragment = detail.fragment;
    var target = detail.target;
    if (target && fragment && fragment.nodeType === Node.DOCUMENT_FRAGMENT_NODE &&
        fragment.childElementCount === 1 && fragment.firstElementChild.outerHTML === target.outerHTML) {
      detail.shouldSwap = false;
    }
  });

  /* Tablets wake up with a socket that was dropped silently: check it at once. */
  function checkConnection(reason) {
    if (denied || !socketWrapper) return;
    if (isOpen()) probe(WAKE_PROBE_TIMEOUT_MS, reason);
    else forceReconnect(reason, false);
  }

  setInterval(function () {
    if (denied || !socketWrapper) return;
    if (isOpen()) {
      probe(HEARTBEAT_TIMEOUT_MS, "heartbeat");
    } else if (rawSocket && rawSocket.readyState === CLOSED && !ownRetryTimer &&
               perfNow() - extensionRetryDue > HEARTBEAT_TIMEOUT_MS) {
      forceReconnect("heartbeat: socket closed and no retry pending", false); // safety net
    } else if (rawSocket && rawSocket.readyState === CONNECTING) {
      forceReconnect("heartbeat: connection attempt hangs", false);
    }
  }, HEARTBEAT_MS);

  setInterval(function () {
    if (!denied && isOpen()) startClockSampling();
  }, RESAMPLE_MS);

  window.worldcafeLive = {
    isOpen: isOpen,
    send: sendJson
  };

  // ---------------------------------------------------------------------------------------------
  // Connection banner
  // ---------------------------------------------------------------------------------------------

  function updateBanner() {
    var body = document.body;
    if (!body) return;
    var show = denied || linkDown || offlineHint;
    if (body.classList.contains("offline") !== show) body.classList.toggle("offline", show);
    var banner = document.getElementById("connection-banner");
    if (!banner) return;
    if (show) {
      var key = denied ? "textDenied" : navigator.onLine === false ? "textOffline" : "textReconnecting";
      var text = banner.dataset[key] || banner.dataset.textReconnecting || "";
      if (banner.textContent !== text) banner.textContent = text;
    }
    if (banner.hidden === show) banner.hidden = !show;
  }

  window.addEventListener("offline", function () {
    offlineHint = true;
    updateBanner();
    if (isOpen()) probe(WAKE_PROBE_TIMEOUT_MS, "offline");
  });

  window.addEventListener("online", function () {
    offlineHint = false;
    updateBanner();
    checkConnection("online");
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    checkConnection("visible");
    requestWakeLock();
    showCountdowns();
  });

  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) return;
    checkConnection("pageshow");
    requestWakeLock();
  });

  // ---------------------------------------------------------------------------------------------
  // Sound
  // ---------------------------------------------------------------------------------------------

  var audioContext = null;
  var lastPointerDownAt = -Infinity;

  /* Hide #enable-sound once audio runs, but never between a press and its click (the button
     would vanish under the finger and the click would land on what lies behind it). */
  function syncSoundButton() {
    if (perfNow() - lastPointerDownAt < 1000) return;
    var button = document.getElementById("enable-sound");
    if (button && !button.hidden && audioContext && audioContext.state === "running") {
      button.hidden = true;
    }
  }

  function unlockAudio() {
    var Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return;
    try {
      if (!audioContext) {
        audioContext = new Ctor();
        // a silent blip inside the gesture fully unlocks audio on iOS
        var osc = audioContext.createOscillator();
        var gain = audioContext.createGain();
        gain.gain.value = 0;
        osc.connect(gain);
        gain.connect(audioContext.destination);
        osc.start();
        osc.stop(audioContext.currentTime + 0.01);
      }
      if (audioContext.state !== "running") {
        audioContext.resume().then(syncSoundButton, function (err) { debug("audio resume failed", err); });
      }
    } catch (err) {
      debug("audio unavailable", err);
    }
    syncSoundButton();
  }

  /* Only live pages use sound: elsewhere no AudioContext is opened. */
  function pageMayChime() {
    return !!document.querySelector("[data-countdown], #enable-sound");
  }

  function onGesture(evt) {
    if (evt.type === "pointerdown") lastPointerDownAt = perfNow();
    if ((!audioContext || audioContext.state !== "running") && pageMayChime()) unlockAudio();
    // not on pointerdown: a finger's is no user activation, and its refusal (still pending)
    // would keep the tap's own pointerup or click from asking
    if (evt.type !== "pointerdown") requestWakeLock();
  }
  ["pointerdown", "pointerup", "touchend", "keydown", "click"].forEach(function (type) {
    window.addEventListener(type, onGesture, { capture: true, passive: true });
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest ? evt.target.closest("#enable-sound") : null;
    if (!button) return;
    unlockAudio();
    button.hidden = true;
  });

  function tone(ctx, frequency, start, duration, peak) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.setValueAtTime(frequency, start);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(peak, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(start);
    osc.stop(start + duration + 0.05);
    osc.onended = function () {
      osc.disconnect();
      gain.disconnect();
    };
  }

  function chime() {
    var ctx = audioContext;
    if (!ctx) {
      debug("time is up, but sound is not enabled yet");
      return;
    }
    try {
      if (ctx.state !== "running") ctx.resume().catch(function () {});
      var t = ctx.currentTime + 0.03;
      tone(ctx, 880, t, 1.3, 0.28); // A5 ...
      tone(ctx, 1760, t, 0.6, 0.05); // with a soft overtone
      tone(ctx, 1318.51, t + 0.35, 1.8, 0.24); // ... then E6
      tone(ctx, 2637.02, t + 0.35, 0.7, 0.04);
    } catch (err) {
      debug("chime failed", err);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Countdowns
  // ---------------------------------------------------------------------------------------------

  var aboveZero = new Map(); // phase key -> ends_at, for running phases seen with time left
  var chimed = new Set(); // phase keys whose zero crossing was handled
  var timeUpUntil = -Infinity;
  var loadedAt = perfNow();

  /* Until the first pong the offset is a guess (0): a tablet clock that is seconds off would
     fake a zero crossing when the estimate arrives, so the chime waits for a measured offset
     (or for 10 s, should the server not answer pings). */
  function clockTrusted() {
    return clock.rtt !== null || perfNow() - loadedAt > 10000;
  }

  function pad2(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function formatRemaining(ms) {
    var total = ms > 0 ? Math.ceil(ms / 1000) : 0;
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return hours > 0
      ? hours + ":" + pad2(minutes) + ":" + pad2(seconds)
      : minutes + ":" + pad2(seconds);
  }

  function setClass(el, name, on) {
    if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
  }

  /* Shows every countdown as of now; returns the milliseconds until a running one next
     changes its text (Infinity when none runs). */
  function tick() {
    var body = document.body;
    if (!body) return Infinity;
    var nextChange = Infinity;
    var now = serverNow();
    var alert = false;
    var present = new Set();
    var trusted = clockTrusted();
    var nodes = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var status = el.getAttribute("data-status");
      var endsAtText = el.getAttribute("data-ends-at");
      var endsAt = endsAtText ? Number(endsAtText) : NaN;
      var running = status === "running" && isFinite(endsAt);
      var remaining = running ? endsAt - now : Number(el.getAttribute("data-remaining"));
      if (!isFinite(remaining)) continue; // nothing to show: keep the server's text
      var text = formatRemaining(remaining);
      if (el.textContent !== text) el.textContent = text;
      var warning = running && remaining > 0 && remaining <= WARNING_MS;
      var done = running && remaining <= 0;
      setClass(el, "countdown--warning", warning);
      setClass(el, "countdown--done", done);
      setClass(el, "countdown--overtime", done);
      if (warning || done) alert = true;
      if (running) {
        if (remaining > 0) nextChange = Math.min(nextChange, remaining % 1000 || 1000);
        var key = el.getAttribute("data-phase-key") || String(endsAt);
        present.add(key);
        if (remaining > 0) {
          if (trusted && !chimed.has(key)) aboveZero.set(key, endsAt);
        } else if (aboveZero.has(key)) {
          aboveZero.delete(key);
          chimed.add(key);
          if (remaining > -CHIME_LATE_MS) {
            timeUpUntil = perfNow() + TIME_UP_MS;
            chime();
          }
        }
      }
    }
    /* A push may replace a phase at its deadline (auto-advance) a frame before this page saw it
       reach zero: a running phase that disappears within a second of its zero still chimes. */
    aboveZero.forEach(function (phaseEndsAt, key) {
      if (present.has(key)) return;
      aboveZero.delete(key);
      var left = phaseEndsAt - now;
      if (left <= REPLACED_NEAR_ZERO_MS && left > -CHIME_LATE_MS && !chimed.has(key)) {
        chimed.add(key);
        chime();
      }
    });
    setClass(body, "time-warning", alert);
    var timeUpLeft = timeUpUntil - perfNow();
    setClass(body, "time-up", alert && timeUpLeft > 0);
    return timeUpLeft > 0 ? Math.min(nextChange, timeUpLeft) : nextChange;
  }

  /* A countdown's text changes on whole seconds (formatRemaining rounds up), and so do its
     warning and its zero: one timer set to the next change, not a frame loop, which kept
     every phone and tablet drawing 60 times a second for the whole event. Pushes and the
     1 s interval (which keeps the state and the chime going while the browser throttles a
     hidden page's timers) show it at once and set the timer again. */
  var nextTick = null;

  function showCountdowns() {
    clearTimeout(nextTick);
    var wait = tick();
    nextTick = isFinite(wait) ? setTimeout(showCountdowns, wait + TICK_SLACK_MS) : null;
  }

  document.addEventListener("htmx:wsAfterMessage", showCountdowns);
  /* The first snapshot's frames are the socket's first HTML messages: one, or as many as
     main[data-snapshot-frames] says (a host's and a phone's: what such pages share, then
     their own pieces; app/live/delivery.py). */
  var snapshotFramesLeft = null;
  document.addEventListener("htmx:wsAfterMessage", function () {
    var body = document.body;
    if (!body || "liveDrawn" in body.dataset) return;
    if (snapshotFramesLeft === null) {
      var live = document.getElementById("live");
      snapshotFramesLeft = Number(live && live.getAttribute("data-snapshot-frames")) || 1;
    }
    snapshotFramesLeft -= 1;
    if (snapshotFramesLeft <= 0) body.dataset.liveDrawn = "";
  });
  setInterval(function () {
    showCountdowns();
    syncSoundButton();
  }, 1000);
  showCountdowns();

  // ---------------------------------------------------------------------------------------------
  // Screen Wake Lock
  // ---------------------------------------------------------------------------------------------

  var wakeLock = null;
  var wakeLockPending = false;

  function requestWakeLock() {
    if (!document.body || document.body.dataset.wakeLock !== "true") return;
    if (!window.isSecureContext || !navigator.wakeLock
        || typeof navigator.wakeLock.request !== "function") {
      debug("screen wake lock unsupported here (it needs a secure origin)");
      keepAwakeWithoutLock();
      return;
    }
    if (document.visibilityState !== "visible" || wakeLockPending) return;
    if (wakeLock && !wakeLock.released) return;
    wakeLockPending = true;
    navigator.wakeLock.request("screen").then(function (sentinel) {
      wakeLockPending = false;
      wakeLock = sentinel;
      sentinel.addEventListener("release", function () {
        if (wakeLock === sentinel) wakeLock = null;
      });
    }, function (err) {
      wakeLockPending = false;
      debug("screen wake lock refused", err && err.name, err && err.message);
    });
  }

  /* Without the API (plain http on the venue LAN): the page's notice says how to keep the
     screen on (shown until dismissed on this device), and its muted video loops, which
     keeps many devices awake (a playing video). Asked again on every gesture, as the
     video's first play may need one. */
  var NOTICE_DISMISSED = "worldcafe.keep-awake-notice-dismissed";

  function keepAwakeWithoutLock() {
    var notice = document.querySelector("[data-keep-awake]");
    if (notice && notice.hidden && !noticeDismissed()) notice.hidden = false;
    var video = document.querySelector("[data-keep-awake-video]");
    if (!video) return;
    video.hidden = false;
    if (!video.paused) return;
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function (err) { debug("keep-awake video", err && err.name); });
  }

  function noticeDismissed() {
    try { return window.localStorage.getItem(NOTICE_DISMISSED) === "yes"; } catch (err) { return false; }
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest ? evt.target.closest("[data-keep-awake-dismiss]") : null;
    if (!button) return;
    var notice = button.closest("[data-keep-awake]");
    if (notice) notice.hidden = true;
    try { window.localStorage.setItem(NOTICE_DISMISSED, "yes"); } catch (err) { /* private mode */ }
  });

  requestWakeLock();
  updateBanner();
  // ---------------------------------------------------------------------------------------------
  // Forms that empty once sent (the reception desk, a host's action draft): ready for the
  // next one; a refusal keeps what was typed.
  // ---------------------------------------------------------------------------------------------

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reset-on-success]");
    if (form && event.detail.xhr && event.detail.xhr.status < 300) form.reset();
  });
})();
