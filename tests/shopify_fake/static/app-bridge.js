/* A stand-in for https://cdn.shopify.com/shopifycloud/app-bridge.js in the tests'
 * local Shopify. It does what Shopify documents App Bridge to do for an embedded
 * app, and nothing more:
 *  - reads the app's client id from data-api-key or <meta name="shopify-api-key">;
 *  - window.shopify.idToken(): a fresh session token, asked of the admin (the
 *    parent frame) by postMessage;
 *  - wraps fetch: requests to the app's own origin get "Authorization: Bearer
 *    <session token>" (unless they carry one); a 401 with "X-Shopify-Retry-Invalid-Session-Request: 1"
 *    is retried once with a fresh token; "X-Shopify-API-Request-Failure-
 *    Reauthorize-Url" sends the top window there (through the admin);
 *  - on the patch-ID-token page (a "shopify-reload" parameter) it reloads that
 *    path of the app with a fresh id_token;
 *  - shopify.config {apiKey, shop, host, locale}, shopify.toast.show().
 */
(function () {
  "use strict";
  var ADMIN = "https://admin.shopify.com";
  var script = document.currentScript;
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var apiKey = (script && script.getAttribute("data-api-key")) || (meta && meta.getAttribute("content")) || "";
  var params = new URLSearchParams(location.search);
  var asked = 0;
  var waiting = {};

  function tell(type, extra) {
    window.parent.postMessage(Object.assign({ source: "fake-app-bridge", type: type, apiKey: apiKey }, extra || {}), ADMIN);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ADMIN || event.source !== window.parent) return;
    var msg = event.data || {};
    if (msg.source !== "fake-admin" || !waiting[msg.id]) return;
    var pending = waiting[msg.id];
    delete waiting[msg.id];
    if (typeof msg.idToken === "string" && msg.idToken) pending.resolve(msg.idToken);
    else pending.reject(new Error("App Bridge: no session token"));
  });

  function idToken() {
    return new Promise(function (resolve, reject) {
      var id = ++asked;
      waiting[id] = { resolve: resolve, reject: reject };
      tell("idToken", { id: id });
      setTimeout(function () {
        if (waiting[id]) { delete waiting[id]; reject(new Error("App Bridge: the admin did not answer")); }
      }, 10000);
    });
  }

  var originalFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    var request = new Request(input, init);
    if (new URL(request.url).origin !== location.origin) return originalFetch(request);
    var body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.clone().arrayBuffer();
    async function send(fresh) {
      var headers = new Headers(request.headers);
      if (fresh || !headers.has("Authorization")) headers.set("Authorization", "Bearer " + (await idToken()));
      return originalFetch(request.url, {
        method: request.method, headers: headers, body: body, credentials: request.credentials,
        cache: request.cache, redirect: request.redirect, signal: request.signal
      });
    }
    var response = await send(false);
    if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1") {
      response = await send(true);
    }
    var reauthorize = response.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url");
    if (reauthorize) tell("redirect", { url: reauthorize });
    return response;
  };

  window.shopify = {
    config: { apiKey: apiKey, shop: params.get("shop"), host: params.get("host"), locale: params.get("locale") || "en" },
    idToken: idToken,
    toast: { show: function (message, options) { tell("toast", { message: String(message), isError: !!(options && options.isError) }); } }
  };

  var reload = params.get("shopify-reload");
  if (reload !== null) {
    idToken().then(function (token) {
      var url = new URL(reload, location.origin);
      if (url.origin !== location.origin) return;
      url.searchParams.set("id_token", token);
      location.replace(url.href);
    });
  }
})();
