/* Hushbook staff console: the salon's back office in the browser — the core.
 *
 * Plain JS, no framework, no module loader: plugins/console/build.py bundles it
 * after the vendored scrypt, the widget's sealing.js and vault.js (which define
 * globalThis.NobleHashesScrypt, HushbookSealing and HushbookVault), and wraps
 * this file and the screens (src/screens/*.js, in the order build.py names) in
 * ONE function scope: the screens use the helpers below directly and register
 * themselves with registerScreen(); nothing of the console is global. The page
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


  var root = document.getElementById("hb-console");
  if (!root) return;
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  var API = config.api || "/v1";
  var ASSETS = config.assets || "/static/console/";
  var params = new URLSearchParams(location.search);
  var lockMinutes = clampInt(params.get("lock"), 1, 240, 15);

  var t = {}; // texts of the chosen language (i18n/<lang>.json)
  var session = null; // {tenant, email, access, refresh, expiresAt, refreshTimer}
  var lockedAs = null; // {tenant, email, name} while the screen is locked
  var ctx = null; // {me, permissions, staff, services, tenant, tz, vaultState} once signed in
  var screens = []; // registerScreen(): the console's screens, in menu order
  var current = null; // the screen shown: {spec, arg}
  var forgetters = []; // onForget(): what each screen drops at sign-out and lock
  var vault = globalThis.HushbookVault ? globalThis.HushbookVault.create() : null;
  var tickTimer = null;
  var lastActivity = mono();
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
   * expire (a laptop waking up); any 401 ends the session. ``headers`` adds
   * request headers (If-Match for a PATCH). Every POST carries a fresh
   * Idempotency-Key. Resolves to {data, headers, status}. */
  async function api(method, path, body, headers) {
    if (!session) throw new SessionEnded();
    if (mono() > session.expiresAt - 30000) await refresh();
    if (!session) throw new SessionEnded();
    var extra = Object.assign(method === "POST" ? { "Idempotency-Key": uuid() } : {}, headers || {});
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
    if (current && current.spec.leave) current.spec.leave();
    current = null;
    if (vault) vault.lock();
    forgetters.forEach(function (fn) { fn(); });
    clear(els.main);
    clear(els.who);
    clear(els.nav);
    els.top.hidden = true;
  }

  var vaultListeners = [];

  /* Screens that show client data redraw when the vault is unlocked or locked. */
  function onVaultChange(fn) {
    vaultListeners.push(fn);
  }

  async function vaultChanged() {
    for (var i = 0; i < vaultListeners.length; i++) await vaultListeners[i]();
  }

  /* A screen's own state to drop when the session ends or the screen locks
   * (opened names, the day's rows): nothing opened survives a lock. */
  function onForget(fn) {
    forgetters.push(fn);
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
    if (session && current && current.spec.tick) current.spec.tick();
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

  /* The salon requires a second factor of this owner or manager: set it up
   * here (screens/80-account.js), then the console opens. */
  function showTotpSetupRequired() {
    var h = screen(tr("totp_setup_title"));
    els.main.appendChild(el("p", { text: tr("totp_setup_text") }));
    renderTotpSetup(els.main, function () { openApp(); });
    els.main.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("signout"), onclick: signOut })]));
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

  // --- the app: who is signed in, what they may do, the screens ------------------------------

  /* What the signed-in person may do: the permissions their token carries,
   * as GET /v1/auth/me says (the role table lives only in the service). */
  function can(permission) {
    return !!(ctx && ctx.permissions && ctx.permissions.indexOf(permission) !== -1);
  }

  /* A screen of the console: {id, label (text key), allowed() -> bool,
   * render(box, arg) (may be async), leave(), tick(), first() -> Promise<bool>
   * (asks to be shown first after sign-in)}. Menu order is
   * registration order (build.py's file order). */
  function registerScreen(spec) {
    screens.push(spec);
  }

  function allowedScreens() {
    return screens.filter(function (s) { return !s.allowed || s.allowed(); });
  }

  /* Show a screen: the main area is emptied, the menu marks it, focus moves
   * to its first heading (screens put an h1 first). */
  async function go(id, arg) {
    var spec = allowedScreens().filter(function (s) { return s.id === id; })[0];
    if (!spec || !session) return;
    if (current && current.spec.leave) current.spec.leave();
    current = { spec: spec, arg: arg };
    drawNav();
    clear(els.main);
    var box = el("div", { class: "hb-screen hb-screen-" + spec.id, "data-screen": spec.id });
    els.main.appendChild(box);
    try {
      await spec.render(box, arg);
    } catch (error) {
      if (error instanceof SessionEnded || !session) return;
      box.appendChild(el("p", { role: "alert", class: "hb-alert", text: reasonText(error) }));
    }
    if (current && current.spec === spec) focusHeading(box.querySelector("h1"));
  }

  function drawNav() {
    clear(els.nav);
    var list = el("ul", {});
    allowedScreens().forEach(function (s) {
      var on = current && current.spec.id === s.id;
      list.appendChild(el("li", {}, [el("button", {
        type: "button", class: "hb-nav-item" + (on ? " hb-nav-on" : ""), "data-nav": s.id,
        "aria-current": on ? "page" : null, text: tr(s.label),
        onclick: function () { go(s.id); }
      })]));
    });
    els.nav.appendChild(list);
  }

  function reasonText(error) {
    if (error.status === 0) return tr("err_network");
    if (error.reason && t["reason_" + error.reason]) return tr("reason_" + error.reason);
    if (error.status === 403) return tr("reason_forbidden");
    if (error.status === 404) return tr("reason_not_found");
    if (error.status === 422) return tr("err_check") + " " + fieldErrors(error.problem).join("; ");
    return tr("err_generic", { message: error.message });
  }

  /* Staff, services and the business, read again (after a screen changed them). */
  async function reloadContext() {
    var results = await Promise.all([api("GET", "/tenant"), allPages("/staff"), allPages("/services")]);
    var staff = new Map();
    results[1].forEach(function (s) { staff.set(s.id, s); });
    var services = new Map();
    results[2].forEach(function (s) { services.set(s.id, s); });
    ctx.tenant = results[0].data;
    ctx.tenantEtag = results[0].headers.get("ETag");
    ctx.tz = ctx.tenant.timezone || "Europe/Berlin";
    ctx.staff = staff;
    ctx.services = services;
    if (ctx.me && staff.get(ctx.me.id)) ctx.me = staff.get(ctx.me.id);
  }

  async function openApp() {
    clear(els.main);
    els.main.appendChild(el("p", { class: "hb-notice", role: "status", text: tr("loading") }));
    try {
      var me = (await api("GET", "/auth/me")).data;
      var state = await api("GET", "/vault").catch(function (error) {
        if (error instanceof ApiError && error.status === 403) return { data: null }; // no vault:own
        throw error;
      });
      ctx = { permissions: me.permissions || [], vaultState: state.data, me: null };
      await reloadContext();
      ctx.me = ctx.staff.get(me.staff_id) || { id: me.staff_id, role: me.role, display_name: me.display_name || session.email };
    } catch (error) {
      if (error instanceof SessionEnded) return;
      clear(els.main);
      screen(tr("err_title"));
      els.main.appendChild(el("p", { role: "alert", text: error.reason === "totp_setup_required" ? tr("totp_setup_text") : tr("err_generic", { message: error.message }) }));
      els.main.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("signout"), onclick: signOut }));
      return;
    }
    renderTop();
    // A link to one appointment (/console/?appointment=<id>, from a staff
    // mail) opens it once, after sign-in; otherwise the first screen.
    var linked = params.get("appointment");
    params.delete("appointment");
    if (linked && allowedScreens().some(function (s) { return s.id === "day"; })) {
      await go("day", { appointment: linked });
      return;
    }
    var first = await firstScreen();
    if (first) await go(first.id);
  }

  /* The screen shown after sign-in: one that asks to come first (the set-up
   * checklist while the salon cannot take online bookings), else the first
   * allowed one in menu order. */
  async function firstScreen() {
    var allowed = allowedScreens();
    for (var i = 0; i < allowed.length; i++) {
      if (!allowed[i].first) continue;
      try {
        if (await allowed[i].first()) return allowed[i];
      } catch (error) {
        if (error instanceof SessionEnded) return null;
      }
    }
    return allowed[0];
  }

  function renderTop() {
    clear(els.who);
    var me = ctx.me;
    els.who.appendChild(el("span", { class: "hb-salon", text: ctx.tenant.name }));
    els.who.appendChild(el("span", { class: "hb-me", text: tr("signed_in_as", { name: me.display_name, role: tr("role_" + (me.role || "unknown")) }) }));
    els.top.hidden = false;
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
    els.nav = el("nav", { class: "hb-nav", "aria-label": tr("nav_label") });
    els.top.appendChild(els.nav);
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
