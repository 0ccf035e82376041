/* Confirmation dialogs for actions that cannot be undone (trustplatform/ui/templates/ui/confirm.html).
   A form marked data-confirm opens its <dialog> instead of submitting; only the dialog's confirm
   button submits it. Every word in the dialog comes from the server: nothing is computed here. */
(function () {
  "use strict";

  function setUp(form) {
    var dialog = form.querySelector("[data-confirm-dialog]");
    if (!dialog || typeof dialog.showModal !== "function" || form.dataset.confirmReady) {
      return;  // without <dialog> support the ticked box (server-checked) stays the confirmation
    }
    form.dataset.confirmReady = "1";
    var fallback = form.querySelector("[data-confirm-fallback]");
    var check = form.querySelector("[data-confirm-check]");
    if (fallback) { fallback.hidden = true; }
    if (check) { check.disabled = true; }  // the dialog's button carries the confirmation instead
    var cancel = dialog.querySelector("[data-confirm-cancel]");
    var trigger = null;

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-confirm-submit")) {
        return;  // the explicit confirmation: let it go
      }
      event.preventDefault();
      trigger = submitter || document.activeElement;
      dialog.showModal();
      if (cancel) { cancel.focus(); }  // the safe choice first; Esc cancels too
    });
    if (cancel) {
      cancel.addEventListener("click", function () { dialog.close("cancel"); });
    }
    dialog.addEventListener("close", function () {
      if (trigger && typeof trigger.focus === "function") { trigger.focus(); }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
