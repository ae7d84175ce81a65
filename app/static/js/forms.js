/* Event form: "add a row" buttons clone the last row of a table and clear its inputs (and
   its example placeholders; the name's placeholder follows the row's number), and
   editing a phase switches the program to "custom".
   Without JavaScript the form still works: it always carries a few blank rows. */
(function () {
  "use strict";
  function renumber(tbody) {
    Array.prototype.forEach.call(tbody.rows, function (row, index) {
      var cell = row.querySelector(".row__number");
      if (cell) cell.textContent = String(index + 1);
      // the name a row without one gets ("テーブル4"), as its placeholder
      row.querySelectorAll("input[data-placeholder-template]").forEach(function (input) {
        input.placeholder = input.getAttribute("data-placeholder-template").replace("{n}", String(index + 1));
      });
    });
  }
  // Editing a phase row means a custom program: choose it, so the edit is not ignored.
  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("#phase-rows")) return;
    var custom = document.querySelector("input[name=program][value=custom]");
    if (custom) custom.checked = true;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    var table = document.getElementById(button.getAttribute("data-add-row"));
    var tbody = table && table.tBodies[0];
    if (!tbody || !tbody.rows.length) return;
    var row = tbody.rows[tbody.rows.length - 1].cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      if (!input.hasAttribute("data-placeholder-template")) input.placeholder = ""; // no example twice
    });
    tbody.appendChild(row);
    renumber(tbody);
    var first = row.querySelector("input");
    if (first) first.focus();
  });
})();
