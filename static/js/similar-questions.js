/* Similar questions while typing: as the title of a new question changes, ask the server for
 * existing questions like it and show them above the form (a polite live region). Without
 * JavaScript the same list appears after "Zoek vergelijkbare vragen" or the first submit. */
(function () {
  "use strict";
  function start() {
    var box = document.querySelector("[data-similar-url]");
    var title = document.getElementById("title");
    if (!box || !title || !window.fetch) {
      return;
    }
    var timer = null;
    var last = "";
    function look() {
      var text = title.value.trim();
      if (text === last) {
        return;
      }
      last = text;
      if (text.length < 4) {
        box.innerHTML = "";
        return;
      }
      var url = box.getAttribute("data-similar-url") + "?q=" + encodeURIComponent(text);
      window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (title.value.trim() === text) { box.innerHTML = html; } })
        .catch(function () { /* suggestions are a help, never in the way */ });
    }
    title.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(look, 400);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
