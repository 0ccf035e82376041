// On a phone the admin lets a wide inline table (a case's candidates) scroll sideways inside its box:
// a box that scrolls can be reached by keyboard (Tab to it, then the arrow keys) and is named after
// its heading; one that fits takes no tab stop.
(function () {
  "use strict";

  function mark() {
    document.querySelectorAll(".inline-group").forEach(function (group) {
      if (group.scrollWidth > group.clientWidth) {
        var heading = group.querySelector("h2");
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "region");
        if (heading) { group.setAttribute("aria-label", heading.textContent.trim()); }
      } else {
        group.removeAttribute("tabindex");
        group.removeAttribute("role");
        group.removeAttribute("aria-label");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", mark);
}());
