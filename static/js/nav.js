// The compact navigation: on a narrow screen the menu button shows and hides the site's links.
// Loaded in <head> without `defer`: marking <html class="js"> before the page paints keeps the links
// from flashing open; without JavaScript the links simply stay visible.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setOpen(button, nav, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }

  function start() {
    var button = document.querySelector("[data-menu-button]");
    if (!button) { return; }
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    button.addEventListener("click", function () {
      setOpen(button, nav, button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(button, nav, false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
