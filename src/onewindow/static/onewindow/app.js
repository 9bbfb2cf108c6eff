/* OneWindow staff pages: small enhancements on top of pages that work without JavaScript.
   Loaded as a file because the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  /* Intake form: show only the investor fields of the chosen way (new or registered). Without
     JavaScript both groups stay visible and the server reads the chosen one. */
  function investorMode() {
    var radios = document.querySelectorAll('input[name="investor_mode"]');
    if (!radios.length) {
      return;
    }
    function update() {
      var checked = document.querySelector('input[name="investor_mode"]:checked');
      var mode = checked ? checked.value : "new";
      document.querySelectorAll("[data-investor-mode]").forEach(function (group) {
        group.hidden = group.getAttribute("data-investor-mode") !== mode;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  /* Ask before an action that cannot be undone (terminating a project). */
  document.addEventListener(
    "submit",
    function (event) {
      var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* After htmx has replaced the register's results, tell screen readers how many were found: the
     replaced region itself is new, so it cannot announce its own change. */
  document.addEventListener("htmx:afterSwap", function () {
    var status = document.getElementById("register-status");
    var count = document.querySelector("#register-results [data-announce]");
    if (status && count) {
      status.textContent = count.textContent.trim();
    }
  });

  ready(investorMode);
})();
