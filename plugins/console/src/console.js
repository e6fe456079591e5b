/* Hushbook staff console: the salon's back office in the browser (first slice).
 *
 * Plain JS, no framework, no module loader: plugins/console/build.py bundles it
 * after the vendored scrypt, the widget's sealing.js and vault.js (which define
 * globalThis.NobleHashesScrypt, HushbookSealing and HushbookVault). The page
 * (/console/, templates/console.html) gives it one element, #hb-console, with
 * data-config = {"api": "/v1", "assets": "/static/console/", "lang": "de"|"en"}.
 *
 * Secrets: the access and refresh tokens and the vault keys live only in this
 * closure. Nothing is ever written to web storage, the IndexedDB, cookies or
 * the Cache Storage (tests/test_console_page.py greps for the APIs); requests
 * go out with credentials "omit" and
 * cache "no-store". The vault passphrase is read from its field, handed to
 * HushbookVault.unlock (scrypt + AES-GCM here, in the browser) and the field is
 * cleared; it is never sent anywhere. Sign-out forgets tokens and keys; the
 * idle lock (default 15 minutes, ?lock=<minutes>) signs the session out at the
 * service, forgets the keys and asks for the password to go on. Any 401 from
 * the API ends the session with a message saying so.
 *
 * The DOM is built with textContent only (never HTML parsing): client names are data.
 */
(function () {
  "use strict";

  var root = document.getElementById("hb-console");
  if (!root) return;
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  var API = config.api || "/v1";
  var ASSETS = config.assets || "/static/console/";
  var params = new URLSearchParams(location.search);
  var lockMinutes = clampInt(params.get("lock"), 1, 240, 15);
  var POLL_MS = 20000;
  var PX_PER_MIN = 1.6;
  var WRITE_ROLES = ["owner", "manager", "reception"];
  var IDENTITY_ROLES = ["owner", "manager", "reception", "staff"];

  var t = {}; // texts of the chosen language (i18n/<lang>.json)
  var session = null; // {tenant, email, access, refresh, expiresAt, refreshTimer}
  var lockedAs = null; // {tenant, email, name} while the screen is locked
  var ctx = null; // {me, staff, services, tenant, tz} once signed in
  var vault = globalThis.HushbookVault ? globalThis.HushbookVault.create() : null;
  var names = new Map(); // client id + key -> opened name, only while the vault is unlocked
  var day = null; // the day shown, "YYYY-MM-DD" in the salon's zone
  var rows = []; // the day's appointments
  var signature = "";
  var selectedId = null;
  var note = null; // {id, text, error}: what the last action on the selected appointment said
  var pollTimer = null;
  var tickTimer = null;
  var lastActivity = mono();
  var loading = null;
  var els = {};

  // --- small helpers --------------------------------------------------------------

  /* Monotonic milliseconds for idle time and token lifetimes: a change of the
   * wall clock (the computer's time set, a time zone switch) neither locks the
   * screen nor skips a refresh. */
  function mono() {
    return performance.now();
  }

  function clampInt(value, lo, hi, dflt) {
    var n = parseInt(value, 10);
    if (!isFinite(n)) return dflt;
    return Math.min(hi, Math.max(lo, n));
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else if (key === "hidden") node.hidden = true;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function tr(key, vars) {
    var text = t[key] === undefined ? key : String(t[key]);
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
    return text;
  }

  var uid = 0;
  function newId(prefix) {
    uid += 1;
    return "hb-" + prefix + "-" + uid;
  }

  function field(label, attrs, hint) {
    var id = newId("f");
    var hintId = hint ? id + "-hint" : null;
    var input = el("input", Object.assign({ id: id, "aria-describedby": hintId }, attrs));
    return {
      input: input,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: hintId, class: "hb-hint", text: hint }) : null,
        input
      ])
    };
  }

  function say(text) {
    // The polite live region: news that needs no action.
    els.status.textContent = "";
    window.setTimeout(function () { els.status.textContent = text; }, 30);
  }

  function focusHeading(h) {
    if (!h) return;
    h.setAttribute("tabindex", "-1");
    h.focus();
  }

  function uuid() {
    if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // --- time in the salon's zone ---------------------------------------------------------

  function zoneParts(instant, tz) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(instant).forEach(function (p) { parts[p.type] = p.value; });
    return {
      date: parts.year + "-" + parts.month + "-" + parts.day,
      minutes: (parseInt(parts.hour, 10) % 24) * 60 + parseInt(parts.minute, 10),
      hm: (parts.hour === "24" ? "00" : parts.hour) + ":" + parts.minute
    };
  }

  function today() {
    return zoneParts(new Date(), ctx.tz).date;
  }

  function shiftDay(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function longDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  // --- the API ------------------------------------------------------------------------

  function ApiError(status, problem, retryAfter) {
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || {};
    this.reason = (problem && problem.reason) || null;
    this.retryAfter = retryAfter;
    this.message = (problem && problem.message) || "HTTP " + status;
  }
  ApiError.prototype = Object.create(Error.prototype);

  function SessionEnded() {
    this.name = "SessionEnded";
    this.message = "session ended";
  }
  SessionEnded.prototype = Object.create(Error.prototype);

  async function send(method, path, body, token, extra) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    Object.assign(headers, extra || {});
    var response;
    try {
      response = await fetch(API + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer"
      });
    } catch (error) {
      throw new ApiError(0, { message: tr("err_network") });
    }
    var data = null;
    if ((response.headers.get("Content-Type") || "").indexOf("json") !== -1) {
      try { data = await response.json(); } catch (error) { data = null; }
    }
    if (!response.ok) {
      throw new ApiError(response.status, data, parseInt(response.headers.get("Retry-After") || "", 10));
    }
    return { data: data, headers: response.headers, status: response.status };
  }

  /* An authenticated call. Refreshes first when the access token is about to
   * expire (a laptop waking up); any 401 ends the session. */
  async function api(method, path, body) {
    if (!session) throw new SessionEnded();
    if (mono() > session.expiresAt - 30000) await refresh();
    if (!session) throw new SessionEnded();
    var extra = method === "POST" ? { "Idempotency-Key": uuid() } : null;
    try {
      return await send(method, path, body, session.access, extra);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && session) {
        endSession("session_ended");
        throw new SessionEnded();
      }
      throw error;
    }
  }

  async function allPages(path) {
    var out = [], page = 1;
    for (;;) {
      var sep = path.indexOf("?") === -1 ? "?" : "&";
      var r = await api("GET", path + sep + "page_size=100&page=" + page);
      out = out.concat(r.data || []);
      var info = {};
      try { info = JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { info = {}; }
      if (!info.next_page) return out;
      page = info.next_page;
    }
  }

  // --- tokens ---------------------------------------------------------------------------

  function adopt(pair) {
    if (session.refreshTimer) clearTimeout(session.refreshTimer);
    session.access = pair.access_token;
    session.refresh = pair.refresh_token;
    var life = Math.max(30, pair.expires_in || 900);
    session.expiresAt = mono() + life * 1000;
    // Refresh a minute before the access token expires (rotating refresh tokens).
    session.refreshTimer = setTimeout(function () {
      refresh().catch(function () {});
    }, Math.max(5, life - 60) * 1000);
  }

  var refreshing = null;
  function refresh() {
    if (!session) return Promise.reject(new SessionEnded());
    if (refreshing) return refreshing;
    var mine = session;
    refreshing = (async function () {
      try {
        var r = await send("POST", "/auth/refresh", { refresh_token: mine.refresh });
        if (session === mine) adopt(r.data);
      } catch (error) {
        if (session !== mine) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          endSession("session_ended");
          throw new SessionEnded();
        }
        // The service could not be reached: try again soon, while the token lasts.
        mine.refreshTimer = setTimeout(function () { refresh().catch(function () {}); }, 15000);
        if (mono() > mine.expiresAt) throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  function forget() {
    if (session && session.refreshTimer) clearTimeout(session.refreshTimer);
    session = null;
    ctx = null;
    if (vault) vault.lock();
    names.clear();
    rows = [];
    signature = "";
    selectedId = null;
    day = null;
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
    clear(els.main);
    clear(els.who);
    els.top.hidden = true;
  }

  function endSession(messageKey) {
    forget();
    lockedAs = null;
    showSignIn({ message: tr(messageKey), alert: true });
  }

  async function signOut() {
    var token = session && session.refresh;
    forget();
    lockedAs = null;
    if (token) {
      try { await send("POST", "/auth/logout", { refresh_token: token }); } catch (error) { /* dead already */ }
    }
    showSignIn({ message: tr("signed_out") });
  }

  // --- idle lock --------------------------------------------------------------------------

  ["pointerdown", "keydown", "wheel", "touchstart", "mousemove"].forEach(function (kind) {
    document.addEventListener(kind, function () { lastActivity = mono(); }, { passive: true, capture: true });
  });

  function tick() {
    if (session && mono() - lastActivity >= lockMinutes * 60000) {
      lockScreen();
      return;
    }
    if (session && day) drawNowLine();
  }

  async function lockScreen() {
    var token = session && session.refresh;
    lockedAs = { tenant: session.tenant, email: session.email, name: ctx && ctx.me ? ctx.me.display_name : session.email };
    forget();
    if (token) {
      try { await send("POST", "/auth/logout", { refresh_token: token }); } catch (error) { /* dead already */ }
    }
    showLocked();
  }

  // --- screens: sign in, password change, locked ----------------------------------------------

  function screen(title, level) {
    clear(els.main);
    var h = el(level || "h1", { class: "hb-screen-title", text: title });
    els.main.appendChild(h);
    return h;
  }

  function alertBox() {
    return el("div", { class: "hb-alert", role: "alert" });
  }

  function showError(box, text, list) {
    clear(box);
    if (!text) return;
    box.appendChild(el("p", { text: text }));
    if (list && list.length) box.appendChild(el("ul", {}, list.map(function (x) { return el("li", { text: x }); })));
  }

  function fieldErrors(problem) {
    var out = [];
    var errors = (problem && problem.errors && problem.errors.json) || {};
    Object.keys(errors).forEach(function (name) {
      var messages = errors[name];
      (Array.isArray(messages) ? messages : [String(messages)]).forEach(function (m) {
        out.push((t["field_" + name] || name) + ": " + m);
      });
    });
    return out;
  }

  function loginError(error) {
    if (error.reason === "bad_credentials") return tr("err_bad_credentials");
    if (error.reason === "login_throttled" || error.status === 429) {
      return tr("err_throttled", { minutes: Math.max(1, Math.ceil((error.retryAfter || 900) / 60)) });
    }
    if (error.status === 0) return tr("err_network");
    return tr("err_generic", { message: error.message });
  }

  function showSignIn(opts) {
    opts = opts || {};
    els.top.hidden = true;
    var h = screen(tr("signin_title"));
    if (opts.message) {
      els.main.appendChild(el("p", { class: opts.alert ? "hb-notice hb-notice-strong" : "hb-notice", role: opts.alert ? "alert" : "status", text: opts.message }));
    }
    var tenant = field(tr("tenant"), { name: "tenant", autocomplete: "organization", autocapitalize: "none", spellcheck: "false", required: true, value: params.get("salon") || "" }, tr("tenant_hint"));
    var email = field(tr("email"), { name: "email", type: "email", autocomplete: "username", required: true });
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var totp = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6" }, tr("totp_hint"));
    totp.node.hidden = true;
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("signin_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [tenant.node, email.node, password.node, totp.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var missing = [tenant, email, password].filter(function (f) { return !f.input.value.trim(); });
      if (!totp.node.hidden && !/^[0-9]{6}$/.test(totp.input.value.trim())) missing.push(totp);
      [tenant, email, password, totp].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      var body = { tenant: tenant.input.value.trim().toLowerCase(), email: email.input.value.trim(), password: password.input.value };
      if (!totp.node.hidden) body.totp = totp.input.value.trim();
      button.disabled = true;
      button.textContent = tr("signing_in");
      try {
        var r = await send("POST", "/auth/login", body);
        var typed = body.password;
        password.input.value = "";
        body.password = "";
        await afterLogin(r.data, body.tenant, body.email, typed);
      } catch (error) {
        button.disabled = false;
        button.textContent = tr("signin_button");
        if (error.reason === "totp_required") {
          totp.node.hidden = false;
          showError(errors, tr("err_totp_required"));
          totp.input.focus();
          return;
        }
        if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
          return;
        }
        showError(errors, loginError(error));
        if (error.reason === "bad_credentials") totp.input.value = "";
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(languageLinks());
    if (opts.focus === false) return;
    if (opts.message) focusHeading(h);
    else (tenant.input.value ? email.input : tenant.input).focus();
  }

  function languageLinks() {
    var other = config.lang === "de" ? "en" : "de";
    var query = new URLSearchParams(location.search);
    query.set("lang", other);
    return el("p", { class: "hb-lang" }, [
      el("a", { href: "?" + query.toString(), lang: other, hreflang: other, text: tr("switch_language") })
    ]);
  }

  async function afterLogin(pair, tenant, email, typedPassword) {
    session = { tenant: tenant, email: email, access: null, refresh: null, expiresAt: 0, refreshTimer: null };
    adopt(pair);
    lastActivity = mono();
    if (pair.password_change_required) {
      showPasswordChange(typedPassword);
      return;
    }
    if (pair.totp_setup_required) {
      showTotpSetupRequired();
      return;
    }
    await openApp();
  }

  function showPasswordChange(current) {
    var h = screen(tr("pw_title"));
    els.main.appendChild(el("p", { text: tr("pw_intro") }));
    var fresh = field(tr("pw_new"), { name: "new-password", type: "password", autocomplete: "new-password", required: true }, tr("pw_rules"));
    var again = field(tr("pw_repeat"), { name: "repeat-password", type: "password", autocomplete: "new-password", required: true });
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("pw_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [fresh.node, again.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      fresh.input.removeAttribute("aria-invalid");
      again.input.removeAttribute("aria-invalid");
      if (!fresh.input.value) {
        fresh.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("err_missing"), [tr("pw_new")]);
        fresh.input.focus();
        return;
      }
      if (fresh.input.value !== again.input.value) {
        again.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("pw_mismatch"));
        again.input.focus();
        return;
      }
      button.disabled = true;
      try {
        var r = await send("POST", "/auth/password", { current_password: current, new_password: fresh.input.value }, session.access);
        current = null;
        fresh.input.value = "";
        again.input.value = "";
        adopt(r.data);
        say(tr("pw_changed"));
        if (r.data.totp_setup_required) showTotpSetupRequired();
        else await openApp();
      } catch (error) {
        button.disabled = false;
        if (error.status === 401 && error.reason !== "bad_credentials") { endSession("session_ended"); return; }
        if (error.status === 422) {
          fresh.input.setAttribute("aria-invalid", "true");
          var list = fieldErrors(error.problem).map(function (x) { return x.replace(/^[^:]*: /, ""); });
          showError(errors, tr("pw_rejected"), list);
          fresh.input.focus();
          return;
        }
        showError(errors, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("signout"), onclick: signOut })]));
    focusHeading(h);
  }

  function showTotpSetupRequired() {
    var h = screen(tr("totp_setup_title"));
    els.main.appendChild(el("p", { text: tr("totp_setup_text") }));
    els.main.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("signout"), onclick: signOut }));
    focusHeading(h);
  }

  function showLocked() {
    els.top.hidden = true;
    var h = screen(tr("lock_title"));
    els.main.appendChild(el("p", { text: tr("lock_text", { minutes: lockMinutes }) }));
    els.main.appendChild(el("p", { class: "hb-who-locked", text: tr("lock_who", { name: lockedAs.name, salon: lockedAs.tenant }) }));
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var totp = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" }, tr("totp_hint"));
    totp.node.hidden = true;
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("lock_resume") });
    var form = el("form", { class: "hb-form", novalidate: true }, [password.node, totp.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (!password.input.value) {
        password.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("err_missing"), [tr("password")]);
        password.input.focus();
        return;
      }
      var body = { tenant: lockedAs.tenant, email: lockedAs.email, password: password.input.value };
      if (!totp.node.hidden) body.totp = totp.input.value.trim();
      button.disabled = true;
      try {
        var r = await send("POST", "/auth/login", body);
        password.input.value = "";
        var typed = body.password;
        body.password = "";
        var was = lockedAs;
        lockedAs = null;
        await afterLogin(r.data, was.tenant, was.email, typed);
      } catch (error) {
        button.disabled = false;
        if (error.reason === "totp_required") {
          totp.node.hidden = false;
          showError(errors, tr("err_totp_required"));
          totp.input.focus();
          return;
        }
        showError(errors, loginError(error));
      }
    });
    els.main.appendChild(form);
    els.main.appendChild(el("p", {}, [el("button", {
      type: "button", class: "hb-link", text: tr("lock_other"),
      onclick: function () { lockedAs = null; showSignIn(); }
    })]));
    focusHeading(h);
  }

  // --- the app: who is signed in, the vault, the day --------------------------------------------

  function may(permission) {
    var role = ctx && ctx.me ? ctx.me.role : null;
    if (permission === "write") return WRITE_ROLES.indexOf(role) !== -1;
    if (permission === "identity") return IDENTITY_ROLES.indexOf(role) !== -1;
    return false;
  }

  async function openApp() {
    clear(els.main);
    els.main.appendChild(el("p", { class: "hb-notice", role: "status", text: tr("loading") }));
    try {
      var state = await api("GET", "/vault");
      var results = await Promise.all([
        api("GET", "/tenant"),
        allPages("/staff"),
        allPages("/services")
      ]);
      var staff = new Map();
      results[1].forEach(function (s) { staff.set(s.id, s); });
      var services = new Map();
      results[2].forEach(function (s) { services.set(s.id, s); });
      ctx = {
        tenant: results[0].data,
        tz: results[0].data.timezone || "Europe/Berlin",
        staff: staff,
        services: services,
        me: staff.get(state.data.staff_id) || { id: state.data.staff_id, role: null, display_name: session.email },
        vaultState: state.data
      };
    } catch (error) {
      if (error instanceof SessionEnded) return;
      clear(els.main);
      screen(tr("err_title"));
      els.main.appendChild(el("p", { role: "alert", text: error.reason === "totp_setup_required" ? tr("totp_setup_text") : tr("err_generic", { message: error.message }) }));
      els.main.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("signout"), onclick: signOut }));
      return;
    }
    renderTop();
    day = today();
    renderApp();
    await loadDay({ announce: false });
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = setInterval(function () { loadDay({ quiet: true }).catch(function () {}); }, POLL_MS);
  }

  function renderTop() {
    clear(els.who);
    var me = ctx.me;
    els.who.appendChild(el("span", { class: "hb-salon", text: ctx.tenant.name }));
    els.who.appendChild(el("span", { class: "hb-me", text: tr("signed_in_as", { name: me.display_name, role: tr("role_" + (me.role || "unknown")) }) }));
    els.top.hidden = false;
  }

  function renderApp() {
    clear(els.main);
    var h1 = el("h1", { class: "hb-sr-only", text: tr("app_title") });
    els.main.appendChild(h1);
    var layout = el("div", { class: "hb-layout" });
    var left = el("div", { class: "hb-daypane" });
    if (may("identity") && vault) left.appendChild(renderVault());
    els.day = el("section", { class: "hb-day", "aria-labelledby": "hb-day-title" });
    left.appendChild(els.day);
    els.details = el("section", { class: "hb-details", "aria-labelledby": "hb-details-title", hidden: true });
    layout.appendChild(left);
    layout.appendChild(els.details);
    els.main.appendChild(layout);
    renderDayFrame();
    focusHeading(h1);
  }

  function renderVault() {
    var box = el("section", { class: "hb-vault", "aria-labelledby": "hb-vault-title" });
    els.vault = box;
    drawVault();
    return box;
  }

  function drawVault(message) {
    var box = els.vault;
    clear(box);
    box.appendChild(el("h2", { id: "hb-vault-title", text: tr("vault_title") }));
    var member = ctx.vaultState && ctx.vaultState.member;
    if (vault.unlocked) {
      box.appendChild(el("p", { class: "hb-ok", text: vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant") }));
      box.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("vault_lock"), onclick: function () {
        vault.lock();
        names.clear();
        drawVault();
        render();
        say(tr("vault_locked_now"));
        els.vault.querySelector("input").focus();
      } }));
      return;
    }
    if (!member) {
      box.appendChild(el("p", { text: tr("vault_not_enrolled") }));
      return;
    }
    box.appendChild(el("p", { class: "hb-hint", text: tr("vault_locked_text") }));
    var pass = field(tr("passphrase"), { name: "vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    var errors = alertBox();
    var progress = el("progress", { max: "100", value: "0", "aria-label": tr("unlocking"), hidden: true });
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("unlock") });
    var form = el("form", { class: "hb-form hb-inline", novalidate: true }, [pass.node, button, progress, errors]);
    if (message) showError(errors, message);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var secret = pass.input.value;
      pass.input.value = ""; // the field never keeps it
      if (!secret) {
        showError(errors, tr("err_missing"), [tr("passphrase")]);
        pass.input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = tr("unlocking");
      progress.hidden = false;
      try {
        // The state is read afresh: a grant may have arrived since sign-in.
        ctx.vaultState = (await api("GET", "/vault")).data;
        await vault.unlock(ctx.vaultState, secret, {
          onProgress: function (p) { progress.value = String(Math.round(100 * (typeof p === "number" ? p : 0))); }
        });
        secret = null;
        names.clear();
        drawVault();
        await openNames();
        render();
        say(vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant"));
        var lockButton = els.vault.querySelector("button");
        if (lockButton) lockButton.focus();
      } catch (error) {
        secret = null;
        if (error instanceof SessionEnded) return;
        button.disabled = false;
        button.textContent = tr("unlock");
        progress.hidden = true;
        var S = globalThis.HushbookSealing;
        var wrong = S && error instanceof S.SealError;
        showError(errors, wrong ? tr("vault_wrong") : error instanceof ApiError ? tr("err_generic", { message: error.message }) : tr("vault_failed"));
        pass.input.setAttribute("aria-invalid", "true");
        pass.input.focus();
      }
    });
    box.appendChild(form);
  }

  function renderDayFrame() {
    var box = els.day;
    clear(box);
    box.appendChild(el("h2", { id: "hb-day-title", text: longDate(day) }));
    var dateId = newId("date");
    var picker = el("input", { id: dateId, type: "date", value: day, required: true });
    picker.addEventListener("change", function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) goTo(picker.value);
    });
    var nav = el("nav", { class: "hb-daynav", "aria-label": tr("day_nav") }, [
      el("button", { type: "button", class: "hb-secondary", text: tr("prev_day"), onclick: function () { goTo(shiftDay(day, -1)); } }),
      el("span", { class: "hb-field hb-date" }, [el("label", { for: dateId, text: tr("date") }), picker]),
      el("button", { type: "button", class: "hb-secondary", text: tr("next_day"), onclick: function () { goTo(shiftDay(day, 1)); } }),
      el("button", { type: "button", class: "hb-secondary", text: tr("today"), onclick: function () { goTo(today()); } })
    ]);
    box.appendChild(nav);
    els.updated = el("p", { class: "hb-updated" });
    box.appendChild(els.updated);
    els.grid = el("div", { class: "hb-grid-scroll", role: "region", "aria-label": tr("grid_label"), tabindex: "0" });
    box.appendChild(els.grid);
    els.other = el("div", { class: "hb-other" });
    box.appendChild(els.other);
    els.dayError = alertBox();
    box.appendChild(els.dayError);
  }

  async function goTo(iso) {
    day = iso;
    selectedId = null;
    els.details.hidden = true;
    signature = "";
    rows = [];
    renderDayFrame();
    els.grid.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
    await loadDay({ announce: false });
    var h = document.getElementById("hb-day-title");
    if (h) say(h.textContent);
  }

  async function loadDay(opts) {
    opts = opts || {};
    if (!session || !ctx || !day) return;
    if (loading) return loading;
    var wanted = day;
    loading = (async function () {
      try {
        var next = "T00:00:00";
        var list = await allPages("/appointments?from=" + wanted + next + "&to=" + shiftDay(wanted, 1) + next);
        if (!session || wanted !== day) return;
        var sig = JSON.stringify(list.map(function (a) { return [a.id, a.status, a.start, a.end, a.staff_id, a.service_id, a.client_id, a.updated_at]; }));
        var changed = sig !== signature;
        var fresh = signature ? list.filter(function (a) { return !rows.some(function (b) { return b.id === a.id; }); }).length : 0;
        rows = list;
        signature = sig;
        showError(els.dayError, "");
        await openNames();
        if (!session || wanted !== day) return;
        if (changed || !opts.quiet) render();
        els.updated.textContent = tr("updated", { time: zoneParts(new Date(), ctx.tz).hm });
        if (opts.quiet && changed) say(fresh ? tr("news_new", { count: fresh }) : tr("news_changed"));
      } catch (error) {
        if (error instanceof SessionEnded || !session) return;
        showError(els.dayError, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  function nameKey(client) {
    return client.id + ":" + client.client_key;
  }

  /* Opens, here, the names of the day's clients (the appointment carries the
   * sealed profile for roles with clients:identity). */
  async function openNames() {
    if (!vault || !vault.canRead) return;
    var todo = rows.filter(function (a) { return a.client && !names.has(nameKey(a.client)); });
    await Promise.all(todo.map(async function (a) {
      try {
        var profile = await vault.openClient(a.client);
        names.set(nameKey(a.client), { name: profile.name || "" });
      } catch (error) {
        if (vault.canRead) names.set(nameKey(a.client), { error: true });
      }
    }));
  }

  function clientLabel(a) {
    if (a.client_id === null || a.client_id === undefined) return { text: tr("client_none"), muted: true };
    if (!a.client) return { text: may("identity") ? tr("client_erased") : tr("client_hidden"), muted: true };
    if (!vault || !vault.unlocked) return { text: tr("client_locked"), muted: true, locked: true };
    if (!vault.canRead) return { text: tr("client_no_access"), muted: true, locked: true };
    var opened = names.get(nameKey(a.client));
    if (!opened) return { text: tr("client_locked"), muted: true, locked: true };
    if (opened.error) return { text: tr("client_unreadable"), muted: true };
    return { text: opened.name };
  }

  function columns() {
    var me = ctx.me;
    if (me.role === "staff") return [me];
    var out = [];
    ctx.staff.forEach(function (s) { if (s.active && s.bookable) out.push(s); });
    rows.forEach(function (a) {
      if (!out.some(function (s) { return s.id === a.staff_id; })) {
        out.push(ctx.staff.get(a.staff_id) || { id: a.staff_id, display_name: "#" + a.staff_id, active: false });
      }
    });
    return out;
  }

  function serviceName(a) {
    var s = ctx.services.get(a.service_id);
    return s ? s.name : "#" + a.service_id;
  }

  function span(a) {
    var s = zoneParts(new Date(a.start), ctx.tz), e = zoneParts(new Date(a.end), ctx.tz);
    var from = s.date < day ? 0 : s.minutes;
    var to = e.date > day ? 24 * 60 : e.minutes;
    return { from: from, to: Math.max(to, from + 5), label: s.hm + "–" + e.hm };
  }

  var SHOWN = ["pending", "confirmed", "completed", "no_show"];

  function render() {
    if (!els.grid) return;
    var focused = document.activeElement && document.activeElement.getAttribute("data-appt");
    var scroll = els.grid.scrollLeft;
    clear(els.grid);
    clear(els.other);
    var cols = columns();
    var shown = rows.filter(function (a) { return SHOWN.indexOf(a.status) !== -1; });
    var startMin = 8 * 60, endMin = 20 * 60;
    shown.forEach(function (a) {
      var sp = span(a);
      startMin = Math.min(startMin, Math.floor(sp.from / 60) * 60);
      endMin = Math.max(endMin, Math.ceil(sp.to / 60) * 60);
    });
    els.range = { start: startMin, end: endMin };
    var height = (endMin - startMin) * PX_PER_MIN;
    var grid = el("div", { class: "hb-grid" });
    var scale = el("div", { class: "hb-scale", "aria-hidden": "true" });
    var scaleBody = el("div", { class: "hb-col-body" });
    scaleBody.style.height = height + "px";
    for (var m = startMin; m < endMin; m += 60) {
      var mark = el("span", { class: "hb-hour", text: String(m / 60).padStart(2, "0") + ":00" });
      mark.style.top = (m - startMin) * PX_PER_MIN + "px";
      scaleBody.appendChild(mark);
    }
    scale.appendChild(el("div", { class: "hb-col-head" }));
    scale.appendChild(scaleBody);
    grid.appendChild(scale);
    if (!cols.length) els.grid.appendChild(el("p", { class: "hb-hint", text: tr("no_columns") }));
    cols.forEach(function (member) {
      var headId = newId("col");
      var mine = shown.filter(function (a) { return a.staff_id === member.id; });
      var col = el("section", { class: "hb-col", "aria-labelledby": headId, "data-staff": member.id });
      col.appendChild(el("h3", { class: "hb-col-head", id: headId, text: member.display_name + (member.active === false ? " (" + tr("inactive") + ")" : "") }));
      var body = el("div", { class: "hb-col-body" });
      body.style.height = height + "px";
      for (var mm = startMin; mm < endMin; mm += 60) {
        var line = el("span", { class: "hb-line", "aria-hidden": "true" });
        line.style.top = (mm - startMin) * PX_PER_MIN + "px";
        body.appendChild(line);
      }
      var list = el("ol", { class: "hb-blocks", "aria-label": tr("appointments_of", { name: member.display_name }) });
      mine.forEach(function (a) { list.appendChild(el("li", {}, [block(a, startMin)])); });
      if (!mine.length) body.appendChild(el("p", { class: "hb-empty", text: tr("no_appointments") }));
      body.appendChild(list);
      col.appendChild(body);
      grid.appendChild(col);
    });
    els.nowLine = el("div", { class: "hb-now", "aria-hidden": "true", hidden: true }, [el("span", { text: tr("now") })]);
    grid.appendChild(els.nowLine);
    els.grid.appendChild(grid);
    els.grid.scrollLeft = scroll;
    drawNowLine();

    var gone = rows.filter(function (a) {
      return SHOWN.indexOf(a.status) === -1 && (ctx.me.role !== "staff" || a.staff_id === ctx.me.id);
    });
    if (gone.length) {
      els.other.appendChild(el("h3", { text: tr("other_title") }));
      els.other.appendChild(el("ul", { class: "hb-other-list" }, gone.map(function (a) {
        var label = clientLabel(a);
        var who = ctx.staff.get(a.staff_id);
        return el("li", {}, [el("button", {
          type: "button", class: "hb-link", "data-appt": a.id,
          text: span(a).label + " · " + label.text + " · " + serviceName(a) + " · " + (who ? who.display_name : "") + " · " + tr("status_" + a.status),
          onclick: function () { select(a.id); }
        })]);
      })));
    }
    if (focused) {
      var again = els.main.querySelector('[data-appt="' + focused + '"]');
      if (again) again.focus();
    }
    if (selectedId !== null) drawDetails();
  }

  function block(a, startMin) {
    var sp = span(a);
    var label = clientLabel(a);
    var b = el("button", {
      type: "button",
      class: "hb-appt hb-st-" + a.status + (selectedId === a.id ? " hb-selected" : ""),
      "data-appt": a.id,
      "aria-current": selectedId === a.id ? "true" : null,
      onclick: function () { select(a.id); }
    }, [
      el("span", { class: "hb-appt-time", text: sp.label }),
      el("span", { class: "hb-appt-name" + (label.muted ? " hb-muted" : ""), text: label.text }),
      el("span", { class: "hb-appt-service", text: serviceName(a) }),
      el("span", { class: "hb-appt-status", text: tr("status_" + a.status) })
    ]);
    b.style.top = (sp.from - startMin) * PX_PER_MIN + "px";
    b.style.height = Math.max(26, (sp.to - sp.from) * PX_PER_MIN - 2) + "px";
    return b;
  }

  function drawNowLine() {
    if (!els.nowLine || !els.range || !ctx) return;
    var now = zoneParts(new Date(), ctx.tz);
    if (now.date !== day || now.minutes < els.range.start || now.minutes > els.range.end) {
      els.nowLine.hidden = true;
      return;
    }
    els.nowLine.hidden = false;
    els.nowLine.style.top = "calc(var(--hb-head) + " + (now.minutes - els.range.start) * PX_PER_MIN + "px)";
  }

  // --- one appointment: details and actions ------------------------------------------------------

  function select(id) {
    selectedId = id;
    note = null;
    els.main.querySelectorAll(".hb-appt").forEach(function (b) {
      var on = String(id) === b.getAttribute("data-appt");
      b.classList.toggle("hb-selected", on);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    drawDetails();
    focusHeading(document.getElementById("hb-details-title"));
  }

  function closeDetails() {
    var id = selectedId;
    selectedId = null;
    els.details.hidden = true;
    clear(els.details);
    els.main.querySelectorAll(".hb-appt").forEach(function (b) { b.classList.remove("hb-selected"); b.removeAttribute("aria-current"); });
    var back = els.main.querySelector('[data-appt="' + id + '"]');
    if (back) back.focus();
  }

  function started(a) {
    return new Date(a.start).getTime() <= Date.now();
  }

  function actionsFor(a) {
    if (!may("write")) return [];
    var out = [];
    if (a.status === "pending") out.push("confirm");
    if (a.status === "confirmed" && started(a)) out.push("complete", "no_show");
    if (a.status === "pending" || a.status === "confirmed") out.push("cancel");
    return out;
  }

  function drawDetails() {
    var a = rows.filter(function (r) { return r.id === selectedId; })[0];
    var box = els.details;
    var hadFocus = box.contains(document.activeElement) ? document.activeElement.getAttribute("data-action") : null;
    clear(box);
    if (!a) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    var sp = span(a);
    var who = ctx.staff.get(a.staff_id);
    var label = clientLabel(a);
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("details_title") + " " + sp.label }));
    if (note && note.id === a.id && !note.error) box.appendChild(el("p", { class: "hb-ok", role: "status", text: note.text }));
    var facts = [
      [tr("client"), label.text],
      [tr("time"), longDate(day) + ", " + sp.label],
      [tr("team_member"), who ? who.display_name : "#" + a.staff_id],
      [tr("service"), serviceName(a)],
      [tr("status"), tr("status_" + a.status)],
      [tr("source"), tr("source_" + a.source)]
    ];
    box.appendChild(el("dl", { class: "hb-facts" }, facts.reduce(function (acc, f) {
      acc.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
      return acc;
    }, [])));
    if (a.status === "confirmed" && !started(a) && may("write")) {
      box.appendChild(el("p", { class: "hb-hint", text: tr("not_started_hint") }));
    }
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    actionsFor(a).forEach(function (action) {
      actions.appendChild(el("button", {
        type: "button",
        class: action === "cancel" ? "hb-danger" : "hb-primary",
        "data-action": action,
        text: tr("act_" + action),
        onclick: function () {
          if (action === "cancel") askCancel(a, actions, errors);
          else act(a, action, errors);
        }
      }));
    });
    box.appendChild(actions);
    box.appendChild(errors);
    if (note && note.id === a.id && note.error) showError(errors, note.text);
    box.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("close"), onclick: closeDetails }));
    box.onkeydown = function (event) { if (event.key === "Escape") closeDetails(); };
    if (hadFocus) {
      var again = box.querySelector('[data-action="' + hadFocus + '"]');
      if (again) again.focus();
    }
  }

  function askCancel(a, actions, errors) {
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("act_cancel_really") });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "cancel-yes", "aria-describedby": q.id, text: tr("act_cancel_yes"), onclick: function () { act(a, "cancel", errors); } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "cancel-no", text: tr("act_keep"), onclick: function () { note = null; drawDetails(); focusHeading(document.getElementById("hb-details-title")); } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    yes.focus();
  }

  function reasonText(error) {
    if (error.status === 0) return tr("err_network");
    if (error.reason && t["reason_" + error.reason]) return tr("reason_" + error.reason);
    if (error.status === 403) return tr("reason_forbidden");
    if (error.status === 404) return tr("reason_not_found");
    return tr("err_generic", { message: error.message });
  }

  async function act(a, action, errors) {
    showError(errors, "");
    els.details.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      var r = await api("POST", "/appointments/" + a.id + "/" + action.replace("_", "-"));
      rows = rows.map(function (x) { return x.id === a.id ? r.data : x; });
      signature = "";
      note = { id: a.id, text: tr("done_" + action), error: false };
      render();
      say(note.text);
      focusHeading(document.getElementById("hb-details-title"));
      loadDay({ quiet: true }).catch(function () {});
    } catch (error) {
      if (error instanceof SessionEnded) return;
      note = { id: a.id, text: reasonText(error), error: true };
      drawDetails();
      focusHeading(document.getElementById("hb-details-title"));
      loadDay({ quiet: true }).catch(function () {});
    }
  }

  // --- start ---------------------------------------------------------------------------------

  function frame() {
    clear(root);
    els.top = el("header", { class: "hb-top", hidden: true });
    els.who = el("div", { class: "hb-who" });
    els.top.appendChild(el("span", { class: "hb-brand", text: "Hushbook" }));
    els.top.appendChild(els.who);
    els.top.appendChild(el("div", { class: "hb-top-actions" }, [
      el("button", { type: "button", class: "hb-secondary", text: tr("lock_button"), onclick: function () { if (session) lockScreen(); } }),
      el("button", { type: "button", class: "hb-secondary", text: tr("signout"), onclick: signOut })
    ]));
    els.status = el("div", { class: "hb-sr-only", role: "status", "aria-live": "polite" });
    els.main = el("main", { class: "hb-main", id: "hb-main" });
    root.appendChild(els.top);
    root.appendChild(els.status);
    root.appendChild(els.main);
    root.setAttribute("data-lock-minutes", String(lockMinutes));
  }

  async function start() {
    try {
      var r = await fetch(ASSETS + "i18n/" + (config.lang || "de") + ".json", { credentials: "omit", cache: "no-cache" });
      if (!r.ok) throw new Error("HTTP " + r.status);
      t = await r.json();
    } catch (error) {
      clear(root);
      root.appendChild(el("p", { role: "alert", text: "The console could not load its texts. Please reload the page." }));
      return;
    }
    document.title = tr("page_title");
    frame();
    if (!vault) {
      els.main.appendChild(el("p", { role: "alert", text: tr("err_no_vault") }));
    }
    tickTimer = setInterval(tick, 5000);
    showSignIn({ focus: true });
  }

  start();
})();
