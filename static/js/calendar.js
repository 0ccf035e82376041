/* The owner portal's month calendar: tap the first night, then the last, and the range form below
   fills itself in. Without JavaScript each day is a link that does the same through the address. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-calendar]");
  var form = document.getElementById("range-form");
  if (!grid || !form) { return; }
  var startInput = form.querySelector("[name=start]");
  var lastInput = form.querySelector("[name=last]");
  var help = document.getElementById("range-help");
  var panel = document.getElementById("range");
  var start = startInput.value || null;
  var last = lastInput.value && lastInput.value !== start ? lastInput.value : null;

  function labelOf(date) {
    var link = grid.querySelector('[data-pick="' + date + '"]');
    return link ? link.getAttribute("data-label") : date;
  }

  function paint() {
    var until = last || start;
    grid.querySelectorAll("td[data-date]").forEach(function (cell) {
      var date = cell.getAttribute("data-date");
      var chosen = Boolean(start) && date >= start && date <= until;
      cell.classList.toggle("is-selected", chosen);
      var link = cell.querySelector("[data-pick]");
      if (link) { link.setAttribute("aria-pressed", chosen ? "true" : "false"); }
    });
    if (!start) {
      help.textContent = help.getAttribute("data-pick-first");
    } else if (!last) {
      help.textContent = help.getAttribute("data-pick-last").replace("{first}", labelOf(start));
    } else {
      help.textContent = help.getAttribute("data-picked")
        .replace("{first}", labelOf(start)).replace("{last}", labelOf(last));
    }
  }

  grid.addEventListener("click", function (event) {
    var link = event.target.closest("[data-pick]");
    if (!link) { return; }
    event.preventDefault();
    var date = link.getAttribute("data-pick");
    if (!start || last || date < start) {
      start = date;
      last = null;
    } else {
      last = date;
    }
    startInput.value = start;
    lastInput.value = last || start;
    paint();
    if (last) { panel.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
  });

  [startInput, lastInput].forEach(function (input) {
    input.addEventListener("change", function () {
      start = startInput.value || null;
      last = lastInput.value && lastInput.value !== start ? lastInput.value : null;
      paint();
    });
  });
  grid.classList.add("cal--js");
  if (start) { paint(); }
}());
