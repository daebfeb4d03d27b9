// The teacher's board updates itself: the server sends an event whenever
// the class changes, and the board is fetched again and swapped in.
// Without JavaScript the page refreshes itself instead (a noscript meta).
(function () {
  var board = document.getElementById("board");
  if (!board || !window.EventSource) { return; }
  var url = board.getAttribute("data-events");
  var pending = false;
  function reload() {
    if (pending) { return; }
    pending = true;
    setTimeout(function () {
      fetch(location.pathname + "?fragment=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          pending = false;
          if (!html) { return; }
          var active = document.activeElement && document.activeElement.id;
          var cur = document.getElementById("board");
          var tmp = document.createElement("div");
          tmp.innerHTML = html;
          var next = tmp.querySelector("#board");
          if (cur && next) {
            cur.replaceWith(next);
            if (active && document.getElementById(active)) { document.getElementById(active).focus(); }
            document.body.setAttribute("data-updated", String(Date.now()));
          }
        })
        .catch(function () { pending = false; });
    }, 300);
  }
  var es = new EventSource(url);
  es.addEventListener("change", reload);
  es.onerror = function () { /* the browser reconnects by itself */ };
})();
