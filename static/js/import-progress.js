/* Progress of a large import: press the "Verder" button by itself, so that each next chunk of
 * rows is checked or imported in its own POST request (with its CSRF token) until all are done.
 * Without JavaScript the visitor presses the button; the server ignores a repeated press. */
(function () {
  "use strict";
  function proceed() {
    var form = document.querySelector("form[data-auto-submit]");
    if (!form) {
      return;
    }
    window.setTimeout(function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      form.submit();
    }, 250);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", proceed);
  } else {
    proceed();
  }
})();
