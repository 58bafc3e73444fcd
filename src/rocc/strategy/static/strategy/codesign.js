// The co-design step pages are boosted by htmx: a form posts in the background and the page body is swapped.
// A refused edit comes back as 400 with the reasons on the page, so show it instead of ignoring it, and
// move focus to the first message so that screen-reader users hear what happened.
(function () {
  if (!window.htmx) { return; }
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true, error: false },
    { code: "...", swap: false, error: true },
  ];
  document.addEventListener("htmx:afterSettle", function () {
    var message = document.querySelector(".error-summary, .messages");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
  });
})();
