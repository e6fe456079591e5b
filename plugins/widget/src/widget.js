/* Hushbook booking widget: one framework-free flow for every host (the service's
 * /book/{slug} page, the WordPress plugin, the Shopify block).
 *
 * Mount: <div class="hushbook-widget" data-hushbook-config='{...}'></div>
 *   endpoints  {catalog, challenge, offers, bookings, confirm}: opaque URLs (the
 *              service's /v1/public/... routes, or a host's proxy of them)
 *   headers    extra request headers (e.g. a WordPress nonce)
 *   assets     base URL of this folder (worker script, i18n/<lang>.json)
 *   lang       "de" | "en" | "auto";  service, staff: preselected ids
 *   theme      "light" | "dark" | "auto";  accent: "#rrggbb"
 *
 * What it never does: show a calendar, hold a secret, or send the profile in
 * plain text -- the profile is sealed here to the salon's public key
 * (HushbookSealing, prepended to this file by the build) and the proof-of-work
 * is solved in a Web Worker. The DOM is built with textContent only.
 */
(function () {
  "use strict";

  var PARTS = ["morning", "afternoon", "evening"];
  var LANG_CODE = /^[a-z]{2,3}$/;
  var widgetCount = 0;

  /** Files a host's copy carries inside the bundle (name relative to `assets` ->
   * text): the Shopify extension's, whose CDN is another origin that may send no
   * CORS headers. Other hosts load them from `assets`. */
  function bundled(name) {
    var files = globalThis.HushbookWidgetFiles;
    return files && Object.prototype.hasOwnProperty.call(files, name) ? files[name] : null;
  }

  // --- small helpers ---------------------------------------------------------

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      [].concat(child).forEach(function (c) {
        if (c === null || c === undefined || c === false) return;
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return node;
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  function addDays(day, n) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return isoDay(d);
  }

  function todayIn(timeZone) {
    // en-CA formats as YYYY-MM-DD: "today" for the salon, not for the visitor's clock zone.
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }

  function ApiError(status, body, retryAfter) {
    this.status = status;
    this.body = body || {};
    this.reason = this.body.reason || null;
    this.retryAfter = retryAfter;
  }

  function Widget(root, config) {
    this.root = root;
    this.config = config;
    this.id = "hb" + (++widgetCount);
    this.session = null;
    this.proofJob = null;
    this.worker = null;
    this.wish = { days: "next7", weekdays: [], parts: [] };
    this.screens = 0;
  }

  // --- setting up --------------------------------------------------------------

  Widget.prototype.start = async function () {
    var cfg = this.config;
    this.root.classList.add("hb-theme-" + (["light", "dark"].indexOf(cfg.theme) >= 0 ? cfg.theme : "auto"));
    if (typeof cfg.accent === "string" && /^#[0-9a-fA-F]{6}$/.test(cfg.accent)) {
      this.root.style.setProperty("--hb-accent", cfg.accent);
      this.root.style.setProperty("--hb-on-accent", onColour(cfg.accent));
    }
    this.t = await this.loadTexts();
    this.root.setAttribute("lang", this.lang);
    this.card = el("section", { "class": "hb-card", "aria-label": this.t.title });
    this.screen = el("div", { "class": "hb-screen" });
    this.progress = el("div", { "class": "hb-progress", hidden: true },
      el("p", { "class": "hb-progress-label", text: this.t.securing }),
      this.bar = el("div", { role: "progressbar", "aria-label": this.t.security_check, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0, "class": "hb-bar" },
        this.barFill = el("span", { "class": "hb-bar-fill" })));
    this.status = el("div", { role: "status", "class": "hb-status" });
    this.alert = el("div", { role: "alert", "class": "hb-alert" });
    this.card.append(this.screen, this.progress, this.status, this.alert);
    this.root.replaceChildren(this.card);
    this.say(this.t.loading);
    if (!(globalThis.crypto && crypto.subtle && globalThis.HushbookSealing && globalThis.Worker)) {
      return this.fail(this.t.err_browser);
    }
    try {
      this.catalog = await this.call("catalog");
    } catch (error) {
      return this.fail(this.describe(error));
    }
    if (!this.catalog.services.length || !this.catalog.public_key || !this.catalog.privacy_notices.length) {
      return this.fail(this.t.unavailable_now); // nothing bookable, or the salon has no key yet
    }
    this.say("");
    this.startOnFirstTouch();
    this.showWish();
  };

  /** The visitor's session (and the first proof) begins with their first touch of the
   * widget, not when the page loads: the service counts a booking's fill time from the
   * session's start (too_fast), so a browser's autofill on the last screen never
   * looks like a bot, while a script that books at once still does. */
  Widget.prototype.startOnFirstTouch = function () {
    var self = this, events = ["pointerdown", "keydown", "focusin"];
    var start = function () {
      events.forEach(function (name) { self.root.removeEventListener(name, start, true); });
      self.prepareProof();
    };
    events.forEach(function (name) { self.root.addEventListener(name, start, true); });
    // A host that cannot forward at all (e.g. a refused key) is said at once, before
    // the visitor starts: a challenge asked only to see that it is answered (its
    // session is not kept, so the visitor's own starts with their first touch).
    this.call("challenge", {}).catch(function (error) {
      if (error.reason === "not_configured") self.fail(self.describe(error));
    });
  };

  Widget.prototype.loadTexts = async function () {
    var wanted = this.config.lang;
    if (!LANG_CODE.test(wanted || "")) {
      wanted = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    }
    var tries = LANG_CODE.test(wanted) && wanted !== "en" ? [wanted, "en"] : ["en"];
    for (var i = 0; i < tries.length; i++) {
      var inline = bundled("i18n/" + tries[i] + ".json");
      if (inline !== null) { this.lang = tries[i]; return JSON.parse(inline); }
      try {
        var res = await fetch(this.config.assets + "i18n/" + tries[i] + ".json");
        if (res.ok) { this.lang = tries[i]; return await res.json(); }
      } catch (ignored) { /* next language */ }
    }
    throw new Error("hushbook: no texts found under " + this.config.assets);
  };

  // --- talking to the service (directly or through a host's proxy) -------------

  Widget.prototype.call = async function (name, body) {
    var headers = Object.assign({ Accept: "application/json", "Accept-Language": this.lang }, this.config.headers || {});
    var init = { method: body === undefined ? "GET" : "POST", headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(this.config.endpoints[name], init);
    } catch (offline) {
      throw new ApiError(0, { reason: "network" });
    }
    var data = null;
    try { data = await res.json(); } catch (notJson) { data = null; }
    if (!res.ok) throw new ApiError(res.status, data, parseInt(res.headers.get("Retry-After"), 10) || null);
    return data;
  };

  // --- proof-of-work: one solved puzzle per ask, prepared while the visitor reads -

  Widget.prototype.prepareProof = function () {
    if (this.proofJob) return;
    var self = this, job = this.proofJob = { promise: this.makeProof(), done: false };
    job.promise.then(function () { job.done = true; }, function (error) {
      job.done = true;
      // A host that cannot forward at all (e.g. a refused key) is said at once, not
      // after the visitor has filled in the form; anything else when the proof is taken.
      if (error.reason === "not_configured") self.fail(self.describe(error));
    });
  };

  Widget.prototype.makeProof = async function () {
    var challenge;
    try {
      challenge = await this.call("challenge", this.session ? { session: this.session } : {});
    } catch (error) {
      if (badField(error) !== "session") throw error;
      challenge = await this.call("challenge", {}); // the old session expired: a new one
    }
    this.session = challenge.session;
    if (!challenge.required) return { pow: null, expires: Infinity };
    var solved = await this.solve(challenge.challenge_id, challenge.bits);
    this.root.dispatchEvent(new CustomEvent("hushbook:pow", { bubbles: true, detail: { bits: challenge.bits, ms: solved.ms, hashes: solved.hashes } }));
    return { pow: { challenge: challenge.challenge, nonce: solved.nonce }, expires: Date.parse(challenge.expires_at) - 20000 };
  };

  /** The proof for the ask at hand: the prepared one if still fresh, else a new one. */
  Widget.prototype.takeProof = async function () {
    for (var attempt = 0; attempt < 2; attempt++) {
      this.prepareProof();
      var job = this.proofJob;
      if (!job.done) this.showProgress(true);
      try {
        var proof = await job.promise;
        if (proof.expires > Date.now()) return proof.pow;
      } finally {
        this.proofJob = null;
        this.showProgress(false);
      }
    }
    throw new ApiError(0, { reason: "expired" });
  };

  /** The solver runs in a Web Worker; a worker script on another origin (a CDN) is
   * not allowed directly, so it is then loaded as a same-origin blob. */
  Widget.prototype.getWorker = async function () {
    if (this.worker) return this.worker;
    var inline = bundled("hushbook-pow-worker.js");
    if (inline !== null) {
      this.worker = new Worker(URL.createObjectURL(new Blob([inline], { type: "text/javascript" })));
      return this.worker;
    }
    var url = this.config.assets + "hushbook-pow-worker.js";
    try {
      this.worker = new Worker(url);
    } catch (crossOrigin) {
      var source = await (await fetch(url)).blob();
      this.worker = new Worker(URL.createObjectURL(source));
    }
    return this.worker;
  };

  Widget.prototype.solve = async function (challengeId, bits) {
    var self = this, worker = await this.getWorker(), expected = Math.pow(2, bits);
    return new Promise(function (resolve, reject) {
      worker.onmessage = function (event) {
        var msg = event.data || {};
        if (msg.progress) {
          // chance that a solver would have finished by now: honest, monotonic, never 100
          var share = Math.round(99 * (1 - Math.exp(-msg.progress / expected)));
          self.bar.setAttribute("aria-valuenow", share);
          self.barFill.style.width = share + "%";
        } else if (msg.nonce !== undefined) {
          resolve(msg);
        } else {
          reject(new ApiError(0, { reason: "browser" }));
        }
      };
      worker.onerror = function () { reject(new ApiError(0, { reason: "browser" })); };
      worker.postMessage({ challengeId: challengeId, bits: bits });
    });
  };

  Widget.prototype.showProgress = function (on) {
    this.progress.hidden = !on;
    this.bar.setAttribute("aria-valuenow", 0);
    this.barFill.style.width = "0%";
    if (on) this.say(this.t.securing);
  };

  // --- screens -------------------------------------------------------------------

  Widget.prototype.show = function (name, heading, content) {
    var h = el("h2", { "class": "hb-heading", tabindex: "-1", text: heading });
    this.screen.replaceChildren(h, content);
    this.root.setAttribute("data-hb-screen", name);
    this.screens += 1;
    this.alert.textContent = "";
    this.say(""); // news of the previous screen is stale now
    // Keyboard and screen-reader users continue from the new screen's title; the
    // first screen does not grab focus (it would scroll the host page to the widget).
    if (this.screens > 1) h.focus();
  };

  Widget.prototype.say = function (text) { this.status.textContent = text; };

  Widget.prototype.fail = function (text) {
    this.say("");
    this.alert.textContent = text;
  };

  Widget.prototype.field = function (name, label, input, hint) {
    var id = this.id + "-" + name;
    input.id = id;
    var errorId = id + "-error";
    var described = [hint ? id + "-hint" : null, errorId].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);
    return el("div", { "class": "hb-field" },
      el("label", { "for": id, text: label }),
      hint ? el("p", { "class": "hb-hint", id: id + "-hint", text: hint }) : null,
      input,
      el("p", { "class": "hb-error", id: errorId }));
  };

  Widget.prototype.choice = function (type, name, value, label, checked, extra) {
    var id = this.id + "-" + name + "-" + value;
    return el("div", { "class": "hb-choice" },
      el("input", { type: type, id: id, name: this.id + "-" + name, value: value, checked: !!checked }),
      el("label", { "for": id }, label, extra ? el("span", { "class": "hb-meta", text: extra }) : null));
  };

  Widget.prototype.group = function (legend, children, extraClass) {
    var fs = el("fieldset", { "class": "hb-group " + (extraClass || "") }, el("legend", { text: legend }));
    children.forEach(function (c) { fs.appendChild(c); });
    return fs;
  };

  Widget.prototype.money = function (cents) {
    if (typeof cents !== "number") return "";
    // The salon's currency (ISO 4217, from the catalog); prices are hundredths of it.
    var currency = /^[A-Z]{3}$/.test(this.catalog.currency || "") ? this.catalog.currency : "EUR";
    return new Intl.NumberFormat(this.t.locale, { style: "currency", currency: currency }).format(cents / 100);
  };

  // Screen 1: service, team member, days, weekdays, time of day.
  Widget.prototype.showWish = function () {
    var self = this, t = this.t, cat = this.catalog, wish = this.wish;
    if (wish.service === undefined) {
      var preset = cat.services.filter(function (s) { return s.id === Number(self.config.service); })[0];
      wish.service = preset ? preset.id : cat.services.length === 1 ? cat.services[0].id : null;
      if (self.config.staff) wish.staff = Number(self.config.staff);
    }
    var services = this.group(t.service, cat.services.map(function (s) {
      var meta = [fmt(t.minutes, { n: s.duration_min }), self.money(s.price_cents)].filter(Boolean).join(" · ");
      var item = self.choice("radio", "service", s.id, s.name, s.id === wish.service, meta);
      if (s.description) { // the salon's words about it: described by, not part of the name
        var input = item.querySelector("input"), id = input.id + "-desc";
        input.setAttribute("aria-describedby", id);
        item.appendChild(el("p", { "class": "hb-desc", id: id, text: s.description }));
      }
      return item;
    }));
    var staffBox = el("div");
    var fillStaff = function () {
      staffBox.replaceChildren();
      staffBox.hidden = !cat.staff || !cat.staff.length;
      if (staffBox.hidden) return;
      var service = cat.services.filter(function (s) { return s.id === wish.service; })[0];
      var team = cat.staff.filter(function (m) { return !service || !service.staff_ids || service.staff_ids.indexOf(m.id) >= 0; });
      var select = el("select", { name: "staff" }, el("option", { value: "", text: t.no_preference }));
      team.forEach(function (m) { select.appendChild(el("option", { value: m.id, text: m.name, selected: m.id === wish.staff })); });
      select.addEventListener("change", function () { wish.staff = select.value ? Number(select.value) : null; });
      if (!team.some(function (m) { return m.id === wish.staff; })) wish.staff = null;
      staffBox.appendChild(self.field("staff", t.staff, select));
    };
    services.addEventListener("change", function (e) { wish.service = Number(e.target.value); fillStaff(); });
    fillStaff();

    var from = el("input", { type: "date", value: wish.from || todayIn(cat.timezone) });
    var to = el("input", { type: "date", value: wish.to || addDays(todayIn(cat.timezone), 6) });
    var dates = el("div", { "class": "hb-dates", hidden: wish.days !== "choose" },
      this.field("from", t.date_from, from), this.field("to", t.date_to, to));
    var days = this.group(t.days, [
      this.choice("radio", "days", "next7", t.next_7, wish.days === "next7"),
      this.choice("radio", "days", "after", t.week_after, wish.days === "after"),
      this.choice("radio", "days", "choose", t.choose_dates, wish.days === "choose"),
      dates
    ]);
    days.addEventListener("change", function (e) {
      if (e.target.type !== "radio") return;
      wish.days = e.target.value;
      dates.hidden = wish.days !== "choose";
    });
    var weekdays = this.group(t.weekdays, t.weekday_names.map(function (name, i) {
      return self.choice("checkbox", "weekday", i, name, wish.weekdays.indexOf(i) >= 0);
    }), "hb-inline");
    var parts = this.group(t.parts, PARTS.map(function (p) {
      return self.choice("checkbox", "part", p, t[p], wish.parts.indexOf(p) >= 0);
    }), "hb-inline");

    var form = el("form", { "class": "hb-form", novalidate: true },
      services, staffBox, days, weekdays, parts,
      el("div", { "class": "hb-actions" }, el("button", { type: "submit", "class": "hb-button", text: t.show_times })));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      wish.weekdays = checked(weekdays).map(Number);
      wish.parts = checked(parts);
      wish.from = from.value;
      wish.to = to.value;
      if (!wish.service) return self.fail(t.err_service);
      var range = self.range();
      if (!range) return self.fail(fmt(t.err_dates, { n: cat.max_window_days }));
      self.askOffers(range);
    });
    this.show("wish", t.wish_heading, form);
  };

  function checked(container) {
    return Array.prototype.filter.call(container.querySelectorAll("input"), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
  }

  Widget.prototype.range = function () {
    var today = todayIn(this.catalog.timezone), w = this.wish;
    if (w.days === "next7") return [today, addDays(today, 6)];
    if (w.days === "after") return [addDays(today, 7), addDays(today, 13)];
    var span = (Date.parse(w.to) - Date.parse(w.from)) / 864e5;
    if (!(span >= 0 && span < this.catalog.max_window_days) || w.to < today) return null;
    return [w.from < today ? today : w.from, w.to];
  };

  Widget.prototype.askOffers = async function (range, note) {
    var w = this.wish, body = { service_id: w.service, date_from: range[0], date_to: range[1] };
    if (w.weekdays.length) body.weekdays = w.weekdays;
    if (w.parts.length) body.parts = w.parts;
    if (w.staff) body.staff_id = w.staff;
    var busy = this.busy(true);
    try {
      for (var attempt = 0; ; attempt++) {
        body.pow = await this.takeProof();
        if (!body.pow) delete body.pow;
        body.session = this.session;
        try {
          var answer = await this.call("offers", body);
          break;
        } catch (error) {
          var field = badField(error);
          if (attempt >= 1 || (field !== "session" && field !== "pow")) throw error;
          if (field === "session") this.session = null; // a session lasts 12 hours: start afresh
        }
      }
      this.showOffers(answer.offers, note);
    } catch (error) {
      this.fail(this.describe(error));
    } finally {
      busy();
    }
  };

  // Screen 2: at most k offers, never a calendar.
  /** Back from the details: the same offers while they are valid (no new ask). */
  Widget.prototype.backToOffers = function () {
    var soon = Date.now() + 60000, offers = this.offers || [];
    var fresh = offers.every(function (o) { return Date.parse(o.expires_at) > soon; });
    if (offers.length && fresh) this.showOffers(offers);
    else this.askOffers(this.range());
  };

  Widget.prototype.showOffers = function (offers, note) {
    var self = this, t = this.t;
    this.offers = offers;
    var list = el("ul", { "class": "hb-offers" });
    offers.forEach(function (offer) {
      list.appendChild(el("li", null, el("button", {
        type: "button", "class": "hb-offer", text: self.when(offer) + (offer.staff ? " " + fmt(t["with"], { name: offer.staff.name }) : ""),
        onclick: function () { self.showDetails(offer); }
      })));
    });
    var inexact = offers.length && offers.some(function (o) { return !o.fits_wish; });
    var lead = !offers.length ? t.no_offers : inexact ? t.no_exact_fit : fmt(t.offers_found, { n: offers.length });
    this.show("offers", t.offers_heading, el("div", null,
      el("p", { "class": "hb-lead", text: lead }),
      list,
      el("div", { "class": "hb-actions" },
        el("button", { type: "button", "class": "hb-button hb-secondary", text: t.change_wish, onclick: function () { self.showWish(); } }))));
    // Not repeated in the status region: focus is on the heading, and the lead is
    // the next thing a screen reader reads.
    if (note) this.alert.textContent = note;
    this.prepareProof(); // the booking will need one: solve it while the visitor chooses
  };

  Widget.prototype.when = function (offer) {
    var tz = this.catalog.timezone, locale = this.t.locale;
    var day = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: tz }).format(new Date(offer.start));
    var time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz });
    return day + ", " + time.format(new Date(offer.start)) + "–" + time.format(new Date(offer.end));
  };

  Widget.prototype.notice = function () {
    var notices = this.catalog.privacy_notices, lang = this.lang, fallback = this.catalog.locale;
    return notices.filter(function (n) { return n.locale === lang; })[0]
      || notices.filter(function (n) { return n.locale === fallback; })[0] || notices[0];
  };

  // Screen 3: name, one contact, consent; sealed here, then booked.
  Widget.prototype.showDetails = function (offer) {
    var self = this, t = this.t, cat = this.catalog, collected = cat.profile_fields || [];
    var service = cat.services.filter(function (s) { return s.id === self.wish.service; })[0];
    var both = collected.indexOf("phone") >= 0;
    var inputs = {
      name: el("input", { type: "text", name: "name", autocomplete: "name", required: true, maxlength: 200 }),
      email: el("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email", maxlength: 254 })
    };
    var rows = [this.field("name", t.name, inputs.name), this.field("email", t.email, inputs.email, both ? t.one_contact : null)];
    var channel = null;
    if (both) {
      inputs.phone = el("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "tel", maxlength: 40 });
      rows.push(this.field("phone", t.phone, inputs.phone));
      // With both given, messages go one way only (the other if that one fails).
      channel = this.group(t.channel, [
        this.choice("radio", "channel", "email", t.channel_email, true),
        this.choice("radio", "channel", "sms", t.channel_sms, false)]);
      rows.push(channel);
    }
    if (collected.indexOf("birthday") >= 0) {
      inputs.birthday = el("input", { type: "date", name: "birthday", autocomplete: "bday" });
      rows.push(this.field("birthday", t.birthday, inputs.birthday));
    }
    if (collected.indexOf("notes") >= 0) {
      inputs.notes = el("textarea", { name: "notes", rows: 3, maxlength: 2000 });
      rows.push(this.field("notes", t.notes, inputs.notes));
    }
    // Honeypot: invisible and unreachable for people; a bot that fills it gets a fake success.
    var trap = el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off", id: this.id + "-website" });
    var notice = this.notice();
    var consent = this.choice("checkbox", "consent", "booking", fmt(t.consent, { business: cat.name }));
    var reminders = this.choice("checkbox", "reminders", "reminders", t.reminders);
    var form = el("form", { "class": "hb-form", novalidate: true },
      el("p", { "class": "hb-summary", text: [service ? service.name : "", this.when(offer) + (offer.staff ? " " + fmt(t["with"], { name: offer.staff.name }) : "")].filter(Boolean).join(" · ") }),
      el("div", { "class": "hb-fields" }, rows),
      el("div", { "class": "hb-trap", "aria-hidden": "true" }, el("label", { "for": this.id + "-website", text: "Website" }), trap),
      el("details", { "class": "hb-notice" }, el("summary", { text: t.privacy_notice }), el("div", { "class": "hb-notice-text", text: notice.text })),
      consent, reminders,
      el("p", { "class": "hb-hint", text: fmt(t.sealed_note, { business: cat.name }) }),
      el("div", { "class": "hb-actions" },
        el("button", { type: "submit", "class": "hb-button", text: t.book_now }),
        el("button", { type: "button", "class": "hb-button hb-secondary", text: t.back, onclick: function () { self.backToOffers(); } })));
    var consentBox = consent.querySelector("input"), remindersBox = reminders.querySelector("input");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var values = {};
      Object.keys(inputs).forEach(function (k) { values[k] = inputs[k].value.trim(); });
      var problems = self.check(values, inputs, consentBox);
      if (problems.length) {
        self.fail(problems[0][1]);
        problems[0][0].focus();
        return;
      }
      var purposes = ["booking"].concat(remindersBox.checked ? ["reminders"] : []);
      var chosen = channel ? channel.querySelector("input:checked").value : null;
      self.book(offer, values, { notice_version: notice.version, locale: notice.locale, purposes: purposes }, trap.value, chosen);
    });
    this.show("details", t.details_heading, form);
    this.prepareProof();
  };

  /** Field checks before anything leaves the browser; [[input, message], ...]. */
  Widget.prototype.check = function (values, inputs, consentBox) {
    var t = this.t, problems = [];
    var mark = function (input, message) {
      input.setAttribute("aria-invalid", message ? "true" : "false");
      document.getElementById(input.id + "-error").textContent = message || "";
      if (message) problems.push([input, message]);
    };
    mark(inputs.name, values.name ? "" : t.err_required);
    var email = values.email, phone = values.phone || "";
    mark(inputs.email, email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? t.err_email
      : !email && !phone ? (inputs.phone ? t.err_contact : t.err_required) : "");
    if (inputs.phone) mark(inputs.phone, phone && !/^\+?[0-9 ()./-]{6,30}$/.test(phone) ? t.err_phone : "");
    consentBox.setAttribute("aria-invalid", consentBox.checked ? "false" : "true");
    if (!consentBox.checked) problems.push([consentBox, t.err_consent]);
    return problems;
  };

  Widget.prototype.book = async function (offer, values, consent, trap, channel) {
    var cat = this.catalog, t = this.t;
    var contact = {};
    if (values.email) contact.email = values.email;
    if (values.phone) contact.phone = values.phone;
    var profile = {};
    Object.keys(values).forEach(function (k) {
      if (values[k] && (k === "name" || cat.profile_fields.indexOf(k) >= 0)) profile[k] = values[k];
    });
    var busy = this.busy(true, t.sending);
    try {
      for (var attempt = 0; ; attempt++) {
        var clientKey = HushbookSealing.newClientKey();
        var body = {
          offer: offer.token,
          client_key: clientKey,
          sealed_profile: await HushbookSealing.sealProfile(cat.public_key, cat.tenant_id, clientKey, profile),
          contact: contact,
          consent: consent,
          locale: this.lang, // messages and pages in the language of this widget
          website: trap
        };
        if (channel && contact.email && contact.phone) body.channel = channel;
        if (cat.key_version !== undefined && cat.key_version !== null) body.key_version = cat.key_version;
        var pow = await this.takeProof();
        if (pow) body.pow = pow;
        body.session = this.session;
        try {
          var answer = await this.call("bookings", body);
          return this.showCheck(answer, contact);
        } catch (error) {
          if (attempt >= 2) throw error;
          if (error.reason === "too_fast") { // faster than a person types: wait, then send again
            this.say(t.err_too_fast);
            await new Promise(function (r) { setTimeout(r, 1000 * (error.retryAfter || 4)); });
          } else if (error.reason === "stale_key_version") { // the salon rotated its key meanwhile
            this.catalog = cat = await this.call("catalog");
          } else if (badField(error) === "session" || badField(error) === "pow") {
            this.session = badField(error) === "session" ? null : this.session; // expired: start afresh
          } else {
            throw error;
          }
        }
      }
    } catch (error) {
      if (error.reason === "offer_spent" || error.reason === "slot_taken" || badField(error) === "offer") {
        busy();
        return this.askOffers(this.range(), error.reason ? t.err_taken : t.err_expired);
      }
      this.fail(this.describe(error));
    } finally {
      busy();
    }
  };

  // Screen 4: the booking is pending until the link or the code confirms it.
  Widget.prototype.showCheck = function (answer, contact) {
    var self = this, t = this.t;
    // In the salon's time zone, like the offers (not the visitor's own clock).
    var until = new Intl.DateTimeFormat(t.locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: this.catalog.timezone }).format(new Date(answer.confirm_by));
    var code = el("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, pattern: "[0-9]{6}" });
    var form = el("form", { "class": "hb-form", novalidate: true },
      el("p", { text: fmt(t.check_text, { contact: contact.email || contact.phone, until: until }) }),
      this.field("code", t.code, code),
      el("div", { "class": "hb-actions" }, el("button", { type: "submit", "class": "hb-button", text: t.confirm })));
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var value = code.value.replace(/\s/g, "");
      if (!/^[0-9]{6}$/.test(value)) { code.setAttribute("aria-invalid", "true"); code.focus(); return self.fail(t.err_code); }
      var busy = self.busy(true);
      try {
        self.showConfirmed(await self.call("confirm", { booking: answer.booking, code: value }));
      } catch (error) {
        self.fail(error.status === 400 || error.status === 422 || error.status === 403 ? t.err_code_wrong : self.describe(error));
      } finally {
        busy();
      }
    });
    this.show("check", contact.email ? t.check_email : t.check_phone, form);
    this.say("");
  };

  Widget.prototype.showConfirmed = function (answer) {
    var t = this.t;
    var when = this.when(answer) + (answer.staff ? " " + fmt(t["with"], { name: answer.staff }) : "");
    this.show("confirmed", t.confirmed_heading,
      el("p", { text: fmt(t.confirmed_text, { service: answer.service, business: answer.business, when: when }) }));
  };

  // --- state while waiting, and errors in the visitor's words --------------------

  /** Disable the current screen's controls while a request runs; returns the undo. */
  Widget.prototype.busy = function (on, text) {
    var screen = this.screen, controls = screen.querySelectorAll("button, input, select, textarea");
    Array.prototype.forEach.call(controls, function (c) { c.disabled = true; });
    screen.setAttribute("aria-busy", "true");
    this.alert.textContent = "";
    if (text) this.say(text);
    var done = false;
    return function () {
      if (done) return;
      done = true;
      Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
      screen.removeAttribute("aria-busy");
    };
  };

  Widget.prototype.describe = function (error) {
    var t = this.t;
    if (!(error instanceof ApiError)) return t.err_generic;
    var reason = error.reason, body = error.body;
    if (reason === "browser") return t.err_browser;
    if (reason === "not_configured") return t.unavailable_now;
    // A host's own refusal (WordPress: {"code": "<string>", "message": ...}, e.g. an
    // expired nonce) comes in the site's language and says what to do: show it as text.
    if (typeof body.code === "string" && typeof body.message === "string" && body.message.length < 300) return body.message;
    if (reason === "network" || error.status === 502 || error.status === 503 || error.status === 504) return t.err_unavailable;
    if (reason === "too_many_pending") return t.err_pending;
    if (reason === "pending_day_full") return t.err_day_full;
    if (reason === "contact_blocked") return t.err_blocked;
    if (reason === "booking_expired") return t.err_booking_expired;
    if (reason === "offer_spent" || reason === "slot_taken") return t.err_taken;
    if (reason === "expired" || reason === "pow_spent") return t.err_expired;
    if (error.status === 429) {
      var s = error.retryAfter || 60;
      var wait = s < 90 ? fmt(t.wait_seconds, { n: s }) : fmt(t.wait_minutes, { n: Math.ceil(s / 60) });
      return fmt(t.err_rate, { wait: wait });
    }
    if (error.status === 401 || error.status === 410) return t.err_expired;
    if (error.status === 422 || error.status === 400) return t.err_invalid;
    if (error.status === 404) return t.unavailable_now;
    return t.err_generic;
  };

  /** The first field a 422 answer names (the service's error envelope), or null. */
  function badField(error) {
    var fields = error && error.status === 422 && error.body.errors && error.body.errors.json;
    return fields ? Object.keys(fields)[0] || null : null;
  }

  /** Black or white text on the salon's accent colour, whichever reads better (WCAG). */
  function onColour(hex) {
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function mountAll() {
    var roots = document.querySelectorAll("[data-hushbook-config]");
    Array.prototype.forEach.call(roots, function (root) {
      if (root.hushbookWidget) return;
      var config;
      try { config = JSON.parse(root.getAttribute("data-hushbook-config")); } catch (bad) { return; }
      root.hushbookWidget = new Widget(root, config);
      root.hushbookWidget.start().catch(function () {
        root.textContent = "Booking is not available right now. / Buchung ist gerade nicht möglich.";
      });
    });
  }

  globalThis.HushbookWidget = { mountAll: mountAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
