// Salesbot wallboard: ask this server for the board every couple of seconds and swap in what
// changed. A failed poll (the server restarting, the network gone) shows "Reconnecting…" and
// is tried again, a little later each time, up to every five seconds; a 404 (the link was
// revoked or replaced) reloads the page, which then shows the plain 404.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var offline = document.getElementById("offline");
  var updated = document.getElementById("updated");
  var every = Number(board.getAttribute("data-poll")) || 2000;
  var url = window.location.pathname.replace(/\/+$/, "") + "/state";
  var shown = null;
  var failures = 0;

  function fitTicker() {
    var track = document.getElementById("ticker");
    if (!track) return;
    var overflow = track.scrollWidth - track.parentNode.clientWidth;
    track.classList.toggle("moving", overflow > 0);
    track.style.setProperty("--shift", "-" + Math.max(0, overflow) + "px");
    track.style.setProperty("--duration", Math.max(10, overflow / 60) + "s");
  }

  function later() {
    failures += 1;
    offline.hidden = false;
    window.setTimeout(poll, Math.min(every * failures, 5000));
  }

  function poll() {
    fetch(url, { cache: "no-store", credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) {
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data === null) return;
        failures = 0;
        offline.hidden = true;
        if (data.html !== shown) {
          // Rendered by the server's auto-escaping template: names arrive escaped.
          board.innerHTML = data.html;
          shown = data.html;
          fitTicker();
        }
        document.title = data.board.title;
        updated.textContent = data.board.labels.updated;
        board.setAttribute("data-polls", String(Number(board.getAttribute("data-polls") || 0) + 1));
        window.setTimeout(poll, every);
      })
      .catch(later);
  }

  fitTicker();
  window.addEventListener("resize", fitTicker);
  window.setTimeout(poll, every);
})();
