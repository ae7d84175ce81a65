/* The console's merge confirmation (templates/fragments/_merge_confirm.html): the server
   answers a first "Merge" with a <dialog data-confirm> swapped in out of band; it opens
   as a modal naming the cards. Its "Merge" posts them again with confirmed=yes and the
   dialog closes once the server has merged them (a refusal keeps it open, the message in
   #flash); "Cancel" is a dialog form and needs no script.
   Plain ES2017, CSP script-src 'self'. */
(function () {
  "use strict";
  function open(element) {
    var dialogs = element.matches && element.matches("dialog[data-confirm]") ? [element]
      : (element.querySelectorAll ? element.querySelectorAll("dialog[data-confirm]") : []);
    Array.prototype.forEach.call(dialogs, function (dialog) {
      if (!dialog.open) dialog.showModal();
    });
  }
  document.addEventListener("htmx:load", function (event) { open(event.target); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-confirm-form]");
    var dialog = form && form.closest("dialog[data-confirm]");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (dialog && status >= 200 && status < 300) dialog.close();
  });
})();
