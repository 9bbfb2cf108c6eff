/* Approval task pages and the bill: small enhancements on pages that work without JavaScript.
   A file of its own because the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  /* The bill's print button: shown only where it works (it needs JavaScript). */
  function printButtons() {
    document.querySelectorAll("[data-print-page]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  /* After htmx has replaced the queue's results, tell screen readers how many were found. */
  document.addEventListener("htmx:afterSwap", function () {
    var status = document.getElementById("task-status");
    var count = document.querySelector("#task-results [data-announce]");
    if (status && count) {
      status.textContent = count.textContent.trim();
    }
  });

  ready(printButtons);
})();
