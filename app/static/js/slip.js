/* The reception's single route slip: its button opens the browser's print dialog. */
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
