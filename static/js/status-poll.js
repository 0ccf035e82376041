/* A page waiting for the payment company: ask the payment's status URL now and then and reload the
   page once the payment is no longer pending (the server then shows what it means). No-JS pages
   fall back to a <noscript> meta refresh. */
(function () {
  "use strict";

  function watch(element) {
    var url = element.getAttribute("data-poll-url");
    var waiting = element.getAttribute("data-poll-while") || "pending";
    var delay = 2000;
    var started = Date.now();

    function ask() {
      if (Date.now() - started > 10 * 60 * 1000) { return; }  // give up after ten minutes
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && body.status && body.status !== waiting) {
            window.location.reload();
            return;
          }
          delay = Math.min(delay * 1.5, 15000);
          window.setTimeout(ask, delay);
        })
        .catch(function () { window.setTimeout(ask, 15000); });
    }
    window.setTimeout(ask, delay);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll-url]"), watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
