/* The host's camera (fragments/_photo_upload.html): a photo is sent as soon as it is taken
   or chosen, the button says so while it goes, and the input is emptied once the server
   answered (its message, and the new thumbnail pushed, say how it went). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target.closest && event.target.closest("[data-photo-input]");
    if (!input || !input.files || !input.files.length) return;
    var form = input.closest("[data-photo-form]");
    var status = form.querySelector("[data-photo-status]");
    if (status) status.textContent = status.getAttribute("data-text-sending");
    form.setAttribute("aria-busy", "true");
    form.requestSubmit();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("[data-photo-form]");
    if (!form) return;
    var status = form.querySelector("[data-photo-status]");
    if (status) status.textContent = "";
    form.removeAttribute("aria-busy");
    form.reset();
  });
})();
