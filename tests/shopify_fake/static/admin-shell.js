/* The fake admin's side of App Bridge: answers the embedded app's asks (from the
 * iframe's window and origin only) for a fresh session token, shows its toasts
 * and follows its redirects. */
(function () {
  "use strict";
  var frame = document.getElementById("app-frame");
  var appOrigin = frame.getAttribute("data-app-origin");
  var tokenUrl = frame.getAttribute("data-token-url");
  var toasts = document.getElementById("toasts");
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== appOrigin) return;
    var msg = event.data || {};
    if (msg.source !== "fake-app-bridge") return;
    if (msg.type === "idToken") {
      fetch(tokenUrl, { method: "POST" })
        .then(function (res) { return res.ok ? res.json() : {}; })
        .then(function (body) {
          frame.contentWindow.postMessage({ source: "fake-admin", id: msg.id, idToken: body.id_token || null }, appOrigin);
        });
    } else if (msg.type === "toast") {
      var p = document.createElement("p");
      p.className = msg.isError ? "toast error" : "toast";
      p.textContent = String(msg.message);
      toasts.appendChild(p);
    } else if (msg.type === "redirect") {
      var url = new URL(String(msg.url), location.href);
      if (url.protocol === "https:") location.assign(url.href);
    }
  });
})();
