// The conference view on a shared screen: keys to the previous and next case, and a timer
// counting from when the case was opened in this view. The links work without this file
// (?case=N); no server state: the timer restarts when the page is opened again.
(function () {
  "use strict";

  function go(id) {
    var link = document.getElementById(id);
    if (link && link.href) { window.location.assign(link.href); }
  }

  function goTo(attribute) {
    var keys = document.getElementById("case-keys");
    if (keys && keys.dataset[attribute]) { window.location.assign(keys.dataset[attribute]); }
  }

  function typing(target) {
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    switch (event.key) {
      case "ArrowRight": case "PageDown": case "j": case "J": go("next-case"); break;
      case "ArrowLeft": case "PageUp": case "k": case "K": go("previous-case"); break;
      case "Home": goTo("first"); break;
      case "End": goTo("last"); break;
      default: return;
    }
    event.preventDefault();
  });

  function startTimer() {
    var shown = document.querySelector("[data-case-timer]");
    if (!shown) { return; }
    var opened = Date.now();
    function tick() {
      var seconds = Math.floor((Date.now() - opened) / 1000);
      var rest = seconds % 60;
      shown.textContent = Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
    }
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startTimer);
  } else {
    startTimer();
  }
}());
