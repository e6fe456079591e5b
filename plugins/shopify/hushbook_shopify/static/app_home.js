/* Hushbook's embedded admin page. Authenticated by Shopify's session token only:
 * every request carries `Authorization: Bearer <shopify.idToken()>` (App Bridge's
 * fetch also adds it); no cookies, no localStorage. The integration key is write-only. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("hb-text").textContent);
  var lang = document.documentElement.lang || "en";
  var $ = function (id) { return document.getElementById(id); };

  async function token() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    return "";
  }

  async function api(method, path, body, retried) {
    var headers = { "Accept": "application/json" };
    var bearer = await token();
    if (bearer) headers.Authorization = "Bearer " + bearer;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var res = await fetch(path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang), {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    });
    if (res.status === 401 && res.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1" && !retried) {
      return api(method, path, body, true);
    }
    var reauth = res.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url");
    if (reauth) { window.open(reauth, "_top"); }
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { status: res.status, data: data };
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function fillLines(list, lines) {
    clear(list);
    (lines || []).forEach(function (line) {
      var li = document.createElement("li");
      li.className = line.ok ? "hb-ok" : "hb-problem";
      var tag = document.createElement("span");
      tag.className = "hb-tag";
      tag.textContent = (line.ok ? T.ok_word : T.problem_word) + ": ";
      li.appendChild(tag);
      li.appendChild(document.createTextNode(line.text));
      list.appendChild(li);
    });
  }

  function showConnection(report) {
    var box = $("hb-status");
    if (!report) return;
    box.className = "hb-banner hb-level-" + report.level;
    box.setAttribute("data-state", report.state);
    $("hb-status-title").textContent = report.title;
    $("hb-status-text").textContent = report.text;
    fillLines($("hb-status-lines"), report.lines);
  }

  function showState(state) {
    var s = state.settings;
    $("hb-service-url").value = s.service_url || "";
    $("hb-tenant-slug").value = s.tenant_slug || "";
    $("hb-integration-key").value = "";
    $("hb-key-state").textContent = s.key_stored ? T.key_stored : T.key_not_stored;
    $("hb-remove-key-row").hidden = !s.key_stored;
    $("hb-remove-key").checked = false;
    $("hb-language").value = s.language;
    $("hb-theme").value = s.theme;
    $("hb-accent").value = s.accent;
    ["index", "page", "product"].forEach(function (tpl) {
      $("hb-add-" + tpl).href = state.theme_editor[tpl];
    });
    var consoleLink = $("hb-console");
    consoleLink.hidden = !state.console_url;
    $("hb-console-missing").hidden = !!state.console_url;
    if (state.console_url) consoleLink.href = state.console_url;
    showConnection(state.connection);
  }

  function showErrors(errors) {
    ["service_url", "tenant_slug", "integration_key", "language", "theme", "accent"].forEach(function (name) {
      var node = $("hb-" + name.replace(/_/g, "-") + "-error");
      var input = node && node.parentNode.querySelector("input, select");
      var text = errors && errors[name];
      node.hidden = !text;
      node.textContent = text || "";
      if (input) {
        if (text) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
    var first = document.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  function say(text) { $("hb-message").textContent = text; }

  async function load() {
    var res = await api("GET", "/api/state");
    if (res.status === 200 && res.data) showState(res.data);
    else say(T.error_generic);
  }

  $("hb-settings").addEventListener("submit", async function (event) {
    event.preventDefault();
    var button = $("hb-save");
    button.disabled = true;
    say(T.saving);
    var body = {
      service_url: $("hb-service-url").value,
      tenant_slug: $("hb-tenant-slug").value,
      language: $("hb-language").value,
      theme: $("hb-theme").value,
      accent: $("hb-accent").value
    };
    var key = $("hb-integration-key").value;
    if (key) body.integration_key = key;
    if ($("hb-remove-key").checked) body.remove_key = true;
    try {
      var res = await api("POST", "/api/settings", body);
      if (res.status === 200 && res.data) {
        showErrors(null);
        showState(res.data);
        say(res.data.message);
      } else if (res.status === 422 && res.data) {
        showErrors(res.data.errors);
        say("");
      } else {
        say(T.error_generic);
      }
    } finally {
      button.disabled = false;
    }
  });

  $("hb-test").addEventListener("click", async function () {
    var button = $("hb-test");
    button.disabled = true;
    say(T.checking);
    try {
      var res = await api("POST", "/api/test", {});
      if (res.status === 200 && res.data) {
        $("hb-test-result").hidden = false;
        fillLines($("hb-test-lines"), res.data.lines);
        showConnection(res.data);
        say(res.data.title);
      } else {
        say(T.error_generic);
      }
    } finally {
      button.disabled = false;
    }
  });

  load().catch(function () { say(T.error_generic); });
})();
