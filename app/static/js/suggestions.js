/* The console's suggested groups (templates/fragments/_suggestions.html): "Dismiss" takes
   a suggestion off the panel (nothing is sent, nothing changes on the board); an accepted
   one goes once the server has made its group (a refusal, answered as a 4xx that htmx
   still swaps, keeps it, with the message in #flash).
   Plain ES2017, CSP script-src 'self'. */
(function () {
  "use strict";
  function item(element) {
    return element.closest ? element.closest("[data-suggestion]") : null;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss-suggestion]");
    var suggestion = button && item(button);
    if (suggestion) suggestion.remove();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-accept-suggestion]");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var suggestion = form && item(form);
    if (suggestion && status >= 200 && status < 300) suggestion.remove();
  });
})();
