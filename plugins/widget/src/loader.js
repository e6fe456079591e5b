/* Hushbook widget loader: the few hundred bytes a host ships first (Shopify asks
 * app blocks to keep their script under 10 KB compressed; the widget is ~20 KB).
 * It loads the widget only when a booking form scrolls into view or is opened.
 *
 * Mount points: <div class="hushbook-widget" data-hushbook-deferred='{config}'
 *                    data-hushbook-src="…/hushbook-widget.js"
 *                    data-hushbook-load="view|open"> placeholder </div>
 *   view  loaded when it comes near the viewport (an inline form)
 *   open  loaded when a <button data-hushbook-open="<dialog id>"> opens its dialog
 * Activating a mount point renames data-hushbook-deferred to the widget's own
 * data-hushbook-config, so the widget mounts exactly the activated ones. A button
 * with data-hushbook-close closes its dialog. Text only via textContent.
 */
(function () {
  "use strict";

  var loading = {};

  function load(src) {
    if (globalThis.HushbookWidget) return Promise.resolve();
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.onload = resolve;
        script.onerror = function () {
          delete loading[src];
          script.remove();
          reject(new Error("hushbook: the widget did not load"));
        };
        document.head.appendChild(script);
      });
    }
    return loading[src];
  }

  function activate(root) {
    var config = root.getAttribute("data-hushbook-deferred");
    if (config === null) return;
    root.removeAttribute("data-hushbook-deferred");
    root.setAttribute("data-hushbook-config", config);
    load(root.getAttribute("data-hushbook-src")).then(function () {
      globalThis.HushbookWidget.mountAll();
    }, function () {
      var note = root.querySelector("[data-hushbook-failed]");
      if (note) note.textContent = note.getAttribute("data-hushbook-failed");
      root.setAttribute("data-hushbook-deferred", config); // the Book button tries again
      root.removeAttribute("data-hushbook-config");
    });
  }

  function dialogOf(button) {
    var dialog = document.getElementById(button.getAttribute("data-hushbook-open") || "");
    return dialog && dialog.tagName === "DIALOG" ? dialog : null;
  }

  var watcher = "IntersectionObserver" in globalThis
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        watcher.unobserve(entry.target);
        activate(entry.target);
      });
    }, { rootMargin: "200px 0px" })
    : null;

  /** Idempotent: runs again when Shopify's theme editor renders a section anew. */
  function setUp() {
    document.querySelectorAll("[data-hushbook-deferred][data-hushbook-load=view]").forEach(function (root) {
      if (watcher) watcher.observe(root); else activate(root);
    });
    document.querySelectorAll("button[data-hushbook-open]").forEach(function (button) {
      var dialog = dialogOf(button);
      if (!dialog || button.hushbookReady) return;
      button.hushbookReady = true;
      var root = dialog.querySelector("[data-hushbook-src]");
      var warm = function () { if (root) load(root.getAttribute("data-hushbook-src")).catch(function () {}); };
      button.addEventListener("pointerenter", warm, { once: true });
      button.addEventListener("focus", warm, { once: true });
      button.addEventListener("click", function () {
        if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
        if (root) activate(root);
      });
    });
    document.querySelectorAll("dialog [data-hushbook-close]").forEach(function (button) {
      if (button.hushbookReady) return;
      button.hushbookReady = true;
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
  document.addEventListener("shopify:section:load", setUp);
})();
