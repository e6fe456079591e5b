/* The service's own pages (/book/{slug}, the confirmation and manage pages), under a
 * strict CSP: no inline code, no inline style. This script
 *   - sets the salon's accent colour (<html data-accent="#rrggbb">) as CSS custom
 *     properties through the CSSOM (--hb-page-accent, --hb-page-on-accent);
 *   - names the salon's time zone (.hb-zone[data-zone]) when the visitor's differs;
 *   - moves an appointment under its manage link (#hb-reschedule[data-config]): a
 *     wish, a few offers (POST …/offers), one chosen (POST …/reschedule), then the
 *     new manage page. The DOM is built with textContent only.
 */
(function () {
  "use strict";

  var root = document.documentElement;

  /** Black or white text on the accent colour, whichever reads better (WCAG). */
  function onColour(hex) {
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  var accent = root.getAttribute("data-accent");
  if (accent && /^#[0-9a-fA-F]{6}$/.test(accent)) {
    root.style.setProperty("--hb-page-accent", accent);
    root.style.setProperty("--hb-page-on-accent", onColour(accent));
  }

  var zoneNote = document.querySelector(".hb-zone[data-zone]");
  if (zoneNote) {
    var mine = null;
    try { mine = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { mine = null; }
    zoneNote.hidden = mine === zoneNote.getAttribute("data-zone");
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      [].concat(arguments[i]).forEach(function (c) {
        if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return node;
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function addDays(day, n) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function Mover(box, cfg) {
    this.box = box;
    this.cfg = cfg;
    this.t = cfg.texts;
    this.n = 0;
  }

  Mover.prototype.id = function (name) { return "hb-move-" + name; };

  Mover.prototype.today = function () {
    return new Intl.DateTimeFormat("en-CA", { timeZone: this.cfg.zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  };

  Mover.prototype.choice = function (type, name, value, label, checked) {
    var id = this.id(name + "-" + value);
    return el("div", { "class": "hb-choice" },
      el("input", { type: type, id: id, name: name, value: value, checked: !!checked }),
      el("label", { "for": id, text: label }));
  };

  Mover.prototype.start = function () {
    var self = this, t = this.t;
    var days = el("fieldset", { "class": "hb-group" }, el("legend", { text: t.days }),
      this.choice("radio", "days", "next7", t.next_7, true),
      this.choice("radio", "days", "after", t.week_after),
      this.choice("radio", "days", "choose", t.choose_dates));
    this.from = el("input", { type: "date", id: this.id("from"), value: this.today() });
    this.to = el("input", { type: "date", id: this.id("to"), value: addDays(this.today(), 6) });
    var dates = el("div", { "class": "hb-dates", hidden: true },
      el("div", { "class": "hb-field" }, el("label", { "for": this.id("from"), text: t.date_from }), this.from),
      el("div", { "class": "hb-field" }, el("label", { "for": this.id("to"), text: t.date_to }), this.to));
    days.appendChild(dates);
    days.addEventListener("change", function () { dates.hidden = self.days() !== "choose"; });
    var parts = el("fieldset", { "class": "hb-group hb-inline" }, el("legend", { text: t.parts }),
      ["morning", "afternoon", "evening"].map(function (p) { return self.choice("checkbox", "part", p, t[p]); }));
    this.wish = el("form", { "class": "hb-wish", novalidate: true }, days, parts,
      el("div", { "class": "hb-row" }, el("button", { type: "submit", text: t.show_times })));
    this.wish.addEventListener("submit", function (e) { e.preventDefault(); self.ask(); });
    this.results = el("div", { "class": "hb-results" });
    this.status = el("p", { role: "status", "class": "hb-status" });
    this.alert = el("p", { role: "alert", "class": "hb-alert" });
    this.box.replaceChildren(this.wish, this.status, this.alert, this.results);
  };

  Mover.prototype.days = function () {
    var on = this.wish.querySelector("input[name=days]:checked");
    return on ? on.value : "next7";
  };

  Mover.prototype.range = function () {
    var today = this.today(), choice = this.days();
    if (choice === "next7") return [today, addDays(today, 6)];
    if (choice === "after") return [addDays(today, 7), addDays(today, 13)];
    var from = this.from.value, to = this.to.value;
    var span = (Date.parse(to) - Date.parse(from)) / 864e5;
    if (!from || !to || !(span >= 0 && span < 14) || to < today) return null;
    return [from < today ? today : from, to];
  };

  Mover.prototype.call = async function (url, body) {
    var res;
    try {
      res = await fetch(url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify(body)
      });
    } catch (offline) {
      throw { status: 0, body: {} };
    }
    var data = null;
    try { data = await res.json(); } catch (notJson) { data = null; }
    if (!res.ok) throw { status: res.status, body: data || {}, retry: parseInt(res.headers.get("Retry-After"), 10) || 60 };
    return data;
  };

  Mover.prototype.describe = function (error) {
    var t = this.t, body = error.body || {}, fields = (body.errors && body.errors.json) || {};
    if (error.status === 429) return fmt(t.err_rate, { n: error.retry });
    if (body.reason === "manage_deadline") return t.err_late;
    if (body.reason === "offer_spent" || body.reason === "slot_taken") return t.err_taken;
    if (fields.offer) return t.err_expired;
    return t.err_generic;
  };

  Mover.prototype.busy = function (on, text) {
    this.box.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(this.box.querySelectorAll("button, input"), function (c) { c.disabled = on; });
    this.status.textContent = text || "";
    if (on) this.alert.textContent = "";
  };

  // The manage link's asks pay a proof-of-work like the widget's (docs/stealth.md):
  // SHA-256(challenge_id + ":" + nonce) with `bits` leading zero bits.
  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      return n + Math.clz32(bytes[i]) - 24;
    }
    return n;
  }

  async function solve(id, bits) {
    var encoder = new TextEncoder(), prefix = id + ":";
    for (var start = 0; ; start += 256) {
      var batch = [];
      for (var n = start; n < start + 256; n++) batch.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + n)));
      var digests = await Promise.all(batch);
      for (var i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= bits) return String(start + i);
      }
    }
  }

  Mover.prototype.paid = async function (body) {
    var ch = await this.call(this.cfg.challenge, {});
    if (!ch.required) return body;
    body.pow = { challenge: ch.challenge, nonce: await solve(ch.challenge_id, ch.bits) };
    return body;
  };

  Mover.prototype.ask = async function (note) {
    var t = this.t, range = this.range();
    if (!range) { this.alert.textContent = t.err_dates; return; }
    var body = { date_from: range[0], date_to: range[1] };
    var parts = Array.prototype.map.call(this.wish.querySelectorAll("input[name=part]:checked"), function (i) { return i.value; });
    if (parts.length) body.parts = parts;
    this.busy(true, t.searching);
    try {
      var answer = await this.call(this.cfg.offers, await this.paid(body));
      this.busy(false);
      this.showOffers(answer.offers, note);
    } catch (error) {
      this.busy(false);
      this.alert.textContent = this.describe(error);
    }
  };

  Mover.prototype.when = function (offer) {
    var tz = this.cfg.zone, locale = this.t.locale;
    var day = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: tz }).format(new Date(offer.start));
    var time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz });
    var text = day + ", " + time.format(new Date(offer.start)) + "–" + time.format(new Date(offer.end));
    return offer.staff ? text + " " + fmt(this.t["with"], { name: offer.staff.name }) : text;
  };

  Mover.prototype.showOffers = function (offers, note) {
    var self = this, t = this.t;
    this.n += 1;
    var inexact = offers.some(function (o) { return !o.fits_wish; });
    var lead = !offers.length ? t.no_offers : inexact ? t.no_exact_fit : fmt(t.offers_found, { n: offers.length });
    var heading = el("h3", { tabindex: "-1", text: t.offers });
    var list = el("fieldset", { "class": "hb-group hb-offers" }, el("legend", { text: lead }),
      offers.map(function (offer, i) {
        var id = "hb-offer-" + self.n + "-" + i;
        return el("div", { "class": "hb-choice" },
          el("input", { type: "radio", id: id, name: "offer", value: String(i) }),
          el("label", { "for": id, text: self.when(offer) }));
      }));
    var form = el("form", { "class": "hb-pick", novalidate: true }, list);
    if (offers.length) form.appendChild(el("div", { "class": "hb-row" }, el("button", { type: "submit", text: t.move })));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var on = form.querySelector("input[name=offer]:checked");
      if (!on) { self.alert.textContent = t.choose_one; return; }
      self.move(offers[Number(on.value)]);
    });
    this.results.replaceChildren(heading, form);
    heading.focus();
    if (note) this.alert.textContent = note;
  };

  Mover.prototype.move = async function (offer) {
    this.busy(true, this.t.moving);
    try {
      var answer = await this.call(this.cfg.reschedule, { offer: offer.token });
      window.location.assign(this.cfg.done.replace("{token}", encodeURIComponent(answer.manage_token)));
    } catch (error) {
      this.busy(false);
      var body = error.body || {};
      var stale = body.reason === "offer_spent" || body.reason === "slot_taken" || ((body.errors || {}).json || {}).offer;
      if (stale) return this.ask(this.describe(error)); // new offers, and say why
      this.alert.textContent = this.describe(error);
    }
  };

  var box = document.getElementById("hb-reschedule");
  if (box) {
    var cfg = null;
    try { cfg = JSON.parse(box.getAttribute("data-config")); } catch (bad) { cfg = null; }
    if (cfg) new Mover(box, cfg).start();
  }
})();
