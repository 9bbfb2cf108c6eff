// Print buttons of the minutes page (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("[data-print-minutes]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
