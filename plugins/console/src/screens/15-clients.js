/* Clients: find a client and their card — the profile, figures, consent and
 * appointments; change the profile, export (GDPR Art. 15/20) and erase
 * (Art. 17). Part of the console's one function scope (see console.js); every
 * name declared here starts with "cli" so that it cannot clash with another
 * screen's.
 *
 * Profiles are sealed; nothing is searched by name at the service. The screen
 * loads the appointments of a period (CLI_PAST_DAYS back, CLI_NEXT_DAYS ahead:
 * they carry their client's sealed profile), opens those profiles here and
 * filters them as one types. Anyone else is found by phone or e-mail through
 * POST /v1/clients/lookup (a keyed fingerprint at the service). A changed
 * profile is sealed again here (vault.sealProfile, a new client key) and sent
 * with the ETag it was read with: PUT /v1/clients/{id}/profile. Everything
 * opened is forgotten at sign-out, at the lock and when client data is
 * locked. */

  var CLI_PAST_DAYS = 90;
  var CLI_NEXT_DAYS = 30;
  var CLI_SHOWN = 30; // search results listed at most
  var CLI_KNOWN_FIELDS = ["name", "email", "phone", "birthday", "notes"];
  var CLI_MAX = { name: 200, email: 254, phone: 30, notes: 4000 };
  var CLI_PHONE = /^\+?[0-9 ()\/.\-]{5,30}$/;
  var CLI_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  var cliBook = null; // {from, to, at, clients: Map(id -> {row, profile, appts}), unreadable}
  var cliLoading = null;
  var cliGen = 0; // bumped when everything is forgotten: late answers are dropped
  var cliQuery = "";
  var cliCard = null; // {id, row, etag, profile, mode: "view"|"edit"|"erase", note, loading, failed}
  var cliEls = {}; // the screen's nodes while it is shown
  var cliSayTimer = null;

  onForget(cliForget);

  onVaultChange(async function () {
    if (!vault || !vault.canRead) cliForget();
    if (cliEls.area && cliEls.area.isConnected) cliDraw();
  });

  function cliForget() {
    cliGen += 1;
    cliBook = null;
    cliLoading = null;
    cliQuery = "";
    cliCard = null;
    if (cliSayTimer) clearTimeout(cliSayTimer);
    cliSayTimer = null;
  }

  registerScreen({
    id: "clients",
    label: "clients_nav",
    allowed: function () { return can("clients:read"); },
    render: async function (box, arg) {
      box.appendChild(el("h1", { text: tr("clients_title") }));
      if (vault && typeof renderVault === "function") box.appendChild(renderVault());
      cliEls = { area: el("div", { class: "hb-clients" }) };
      box.appendChild(cliEls.area);
      cliCard = null;
      cliDraw();
      if (arg && arg.clientId && cliReadable()) cliOpen(arg.clientId);
    },
    leave: function () {
      cliEls = {};
      cliCard = null;
    }
  });

  function cliReadable() {
    return !!(vault && vault.unlocked && vault.canRead);
  }

  // --- small helpers ----------------------------------------------------------------------

  /* Case- and accent-insensitive form of a name: "Grün-Weiß" -> "grun-weiss". */
  function cliFold(text) {
    return String(text || "").toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function cliDay(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(iso + "T00:00:00Z"));
  }

  function cliWhen(instant) {
    var p = zoneParts(new Date(instant), ctx.tz);
    var day = new Intl.DateTimeFormat(t.locale || "en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(p.date + "T00:00:00Z"));
    return day + ", " + p.hm;
  }

  function cliMoney(cents) {
    return new Intl.NumberFormat(t.locale || "en-GB", { style: "currency", currency: "EUR" }).format((cents || 0) / 100);
  }

  function cliMonth(month) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, month - 1, 1)));
  }

  function cliLabel(name) {
    if (CLI_KNOWN_FIELDS.indexOf(name) !== -1) return tr("clients_field_" + name);
    return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");
  }

  function cliName(card) {
    return (card.profile && card.profile.name) || tr("clients_unnamed", { id: card.id });
  }

  /* The fields the salon collects, in its order (tenant.profile_fields). */
  function cliCollected() {
    var names = (ctx.tenant && ctx.tenant.profile_fields) || ["name", "email", "phone"];
    return names.indexOf("name") === -1 ? ["name"].concat(names) : names.slice();
  }

  function cliFacts(pairs, cls) {
    return el("dl", { class: "hb-facts" + (cls ? " " + cls : "") }, pairs.reduce(function (acc, p) {
      acc.push(el("dt", { text: p[0] }), el("dd", { class: p[2] || null, text: p[1] }));
      return acc;
    }, []));
  }

  function cliErrorText(error) {
    if (error.status === 412) return tr("clients_conflict");
    if (error.reason === "stale_key_version") return tr("clients_stale_key");
    if (error.status === 404) return tr("clients_gone");
    return reasonText(error);
  }

  function cliSameProfile(a, b) {
    if (!a || !b || a.client_key !== b.client_key) return false;
    var sa = a.sealed_profile || {}, sb = b.sealed_profile || {};
    var ka = Object.keys(sa).sort(), kb = Object.keys(sb).sort();
    return ka.join(",") === kb.join(",") && ka.every(function (k) { return sa[k] === sb[k]; });
  }

  // --- the screen ---------------------------------------------------------------------------

  function cliDraw() {
    var area = cliEls.area;
    if (!area) return;
    clear(area);
    if (!cliReadable()) {
      var text = !vault ? tr("err_no_vault") : vault.unlocked ? tr("clients_no_grant") : tr("clients_locked_hint");
      area.appendChild(el("p", { class: "hb-notice", text: text }));
      return;
    }
    cliEls.search = el("section", { class: "hb-cli-panel hb-cli-search", "aria-labelledby": "hb-cli-search-title" });
    cliEls.card = el("section", { class: "hb-cli-panel hb-cli-card", "aria-labelledby": "hb-cli-card-title", hidden: true });
    area.appendChild(el("div", { class: "hb-cli-layout" }, [cliEls.search, cliEls.card]));
    cliDrawSearch();
    cliDrawCard();
    cliLoadBook(false);
  }

  function cliDrawSearch() {
    var box = cliEls.search;
    clear(box);
    var from = shiftDay(today(), -CLI_PAST_DAYS), to = shiftDay(today(), CLI_NEXT_DAYS);
    box.appendChild(el("h2", { id: "hb-cli-search-title", tabindex: "-1", text: tr("clients_search_title") }));
    cliEls.note = el("p", { class: "hb-ok", role: "status" });
    box.appendChild(cliEls.note);
    var name = field(tr("clients_search_name"), {
      type: "search", name: "client-name", autocomplete: "off", spellcheck: "false", value: cliQuery
    }, tr("clients_search_hint", { from: cliDay(from), to: cliDay(to) }));
    name.input.addEventListener("input", function () {
      cliQuery = name.input.value;
      cliDrawResults(true);
    });
    cliEls.name = name.input;
    box.appendChild(el("form", { class: "hb-form hb-cli-find", role: "search", novalidate: true, onsubmit: function (e) { e.preventDefault(); } }, [name.node]));
    cliEls.count = el("p", { class: "hb-hint hb-cli-count", id: newId("count") });
    cliEls.list = el("ul", { class: "hb-cli-list", "aria-label": tr("clients_results") });
    cliEls.loadError = alertBox();
    cliEls.loaded = el("p", { class: "hb-hint" });
    box.appendChild(cliEls.count);
    box.appendChild(cliEls.list);
    box.appendChild(cliEls.loadError);
    box.appendChild(el("div", { class: "hb-cli-loaded" }, [
      cliEls.loaded,
      el("button", { type: "button", class: "hb-link", text: tr("clients_reload"), onclick: function () { cliLoadBook(true); } })
    ]));
    box.appendChild(cliLookupForm());
    cliDrawResults(false);
  }

  function cliLookupForm() {
    var contact = field(tr("clients_lookup_label"), { name: "client-contact", autocomplete: "off", spellcheck: "false" }, tr("clients_lookup_hint"));
    var errors = alertBox();
    var result = el("p", { class: "hb-hint", role: "status" });
    var button = el("button", { type: "submit", class: "hb-secondary", text: tr("clients_lookup_button") });
    var title = el("h3", { id: newId("lookup"), text: tr("clients_lookup_title") });
    var form = el("form", { class: "hb-form hb-cli-lookup", novalidate: true, "aria-labelledby": title.id }, [title, contact.node, button, errors, result]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      result.textContent = "";
      contact.input.removeAttribute("aria-invalid");
      var value = contact.input.value.trim();
      var body = value.indexOf("@") !== -1 ? { email: value } : { phone: value };
      if (!value || (body.phone && !CLI_PHONE.test(value)) || (body.email && !CLI_EMAIL.test(value))) {
        contact.input.setAttribute("aria-invalid", "true");
        showError(errors, value ? tr("clients_lookup_invalid") : tr("err_missing"), value ? [] : [tr("clients_lookup_label")]);
        contact.input.focus();
        return;
      }
      var gen = cliGen;
      button.disabled = true;
      try {
        var r = await api("POST", "/clients/lookup", body);
        if (gen !== cliGen) return;
        if (!r.data || !r.data.length) {
          result.textContent = tr("clients_lookup_none");
          return;
        }
        contact.input.value = ""; // what was typed is not kept on the page
        await cliOpen(r.data[0].id);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) contact.input.setAttribute("aria-invalid", "true");
        showError(errors, error.status === 422 ? tr("clients_lookup_invalid") : reasonText(error));
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  /* The clients of the period: their appointments carry the sealed profile,
   * which is opened here. Kept (in memory) until the next "Load again",
   * sign-out, lock or locking client data. */
  function cliLoadBook(force) {
    if (cliBook && !force) return Promise.resolve();
    if (cliLoading) return cliLoading;
    if (!can("appointments:read")) return Promise.resolve();
    var gen = cliGen;
    var from = shiftDay(today(), -CLI_PAST_DAYS), to = shiftDay(today(), CLI_NEXT_DAYS);
    if (cliEls.loaded) cliEls.loaded.textContent = tr("clients_loading");
    if (cliEls.loadError) showError(cliEls.loadError, "");
    cliLoading = (async function () {
      try {
        var rows = await allPages("/appointments?from=" + from + "T00:00:00&to=" + shiftDay(to, 1) + "T00:00:00");
        if (gen !== cliGen) return;
        var clients = new Map();
        rows.forEach(function (a) {
          if (!a.client) return;
          var entry = clients.get(a.client.id) || { row: a.client, profile: null, appts: [] };
          entry.appts.push(a);
          clients.set(a.client.id, entry);
        });
        var unreadable = 0;
        await Promise.all(Array.from(clients.values()).map(async function (entry) {
          try {
            entry.profile = await vault.openClient(entry.row);
          } catch (error) {
            unreadable += 1;
          }
        }));
        if (gen !== cliGen) return;
        cliBook = { from: from, to: to, at: zoneParts(new Date(), ctx.tz).hm, clients: clients, unreadable: unreadable };
      } catch (error) {
        if (error instanceof SessionEnded || gen !== cliGen) return;
        if (cliEls.loadError) showError(cliEls.loadError, reasonText(error));
      } finally {
        if (gen === cliGen) cliLoading = null;
      }
      if (gen !== cliGen) return;
      cliDrawResults(false);
      if (cliCard && cliCard.mode === "view" && !cliCard.loading) cliDrawCard();
    })();
    return cliLoading;
  }

  function cliDrawResults(typed) {
    var list = cliEls.list, count = cliEls.count;
    if (!list) return;
    clear(list);
    if (!cliBook) {
      count.textContent = cliLoading ? tr("clients_loading") : "";
      return;
    }
    var readable = [];
    cliBook.clients.forEach(function (entry) { if (entry.profile) readable.push(entry); });
    cliEls.loaded.textContent = tr("clients_loaded", { count: readable.length, from: cliDay(cliBook.from), to: cliDay(cliBook.to), time: cliBook.at }) +
      (cliBook.unreadable ? " " + tr("clients_unreadable_count", { count: cliBook.unreadable }) : "");
    var terms = cliFold(cliQuery).split(/\s+/).filter(Boolean);
    if (!terms.length) {
      count.textContent = tr("clients_search_start");
      return;
    }
    var found = readable.filter(function (entry) {
      var name = cliFold(entry.profile.name);
      return terms.every(function (term) { return name.indexOf(term) !== -1; });
    }).sort(function (a, b) {
      return String(a.profile.name || "").localeCompare(String(b.profile.name || ""), t.locale || "en-GB");
    });
    count.textContent = !found.length ? tr("clients_search_none")
      : found.length > CLI_SHOWN ? tr("clients_search_many", { count: found.length, shown: CLI_SHOWN })
        : tr("clients_search_count", { count: found.length });
    found.slice(0, CLI_SHOWN).forEach(function (entry) {
      var id = entry.row.id;
      var on = !!(cliCard && cliCard.id === id);
      list.appendChild(el("li", {}, [el("button", {
        type: "button", class: "hb-cli-result", "data-client": id, "aria-current": on ? "true" : null,
        onclick: function () { cliOpen(id); }
      }, [
        el("span", { class: "hb-cli-name", text: entry.profile.name || tr("clients_unnamed", { id: id }) }),
        el("span", { class: "hb-cli-when", text: cliNextOrLast(entry.appts) })
      ])]));
    });
    if (typed) {
      if (cliSayTimer) clearTimeout(cliSayTimer);
      cliSayTimer = setTimeout(function () { cliSayTimer = null; say(count.textContent); }, 700);
    }
  }

  function cliSplit(appts) {
    var now = Date.now();
    var upcoming = appts.filter(function (a) {
      return new Date(a.end).getTime() > now && (a.status === "pending" || a.status === "confirmed");
    }).sort(function (a, b) { return new Date(a.start) - new Date(b.start); });
    var past = appts.filter(function (a) { return upcoming.indexOf(a) === -1; })
      .sort(function (a, b) { return new Date(b.start) - new Date(a.start); });
    return { upcoming: upcoming, past: past };
  }

  function cliNextOrLast(appts) {
    var split = cliSplit(appts);
    if (split.upcoming.length) return tr("clients_next", { when: cliWhen(split.upcoming[0].start) });
    if (split.past.length) return tr("clients_last", { when: cliWhen(split.past[0].start) });
    return "";
  }

  // --- the card -------------------------------------------------------------------------------

  async function cliOpen(id, note) {
    var gen = cliGen;
    cliCard = { id: id, row: null, etag: null, profile: null, mode: "view", note: note || null, loading: true };
    var mine = cliCard;
    if (cliEls.note) cliEls.note.textContent = "";
    cliDrawResults(false);
    cliDrawCard();
    try {
      var r = await api("GET", "/clients/" + id);
      if (gen !== cliGen || cliCard !== mine) return;
      mine.row = r.data;
      mine.etag = r.headers.get("ETag");
      try {
        mine.profile = await vault.openClient(r.data);
      } catch (error) {
        mine.unreadable = true;
      }
      if (gen !== cliGen || cliCard !== mine) return;
      // The client's whole history (not only the period loaded for the search).
      mine.appts = await allPages("/appointments?client_id=" + encodeURIComponent(id));
      if (gen !== cliGen || cliCard !== mine) return;
      var entry = cliBook && cliBook.clients.get(id);
      if (entry && mine.profile) {
        entry.row = r.data;
        entry.profile = mine.profile;
      }
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen || cliCard !== mine) return;
      mine.failed = cliErrorText(error);
    }
    mine.loading = false;
    cliDrawResults(false);
    cliDrawCard();
    focusHeading(document.getElementById("hb-cli-card-title"));
  }

  function cliClose() {
    var id = cliCard && cliCard.id;
    cliCard = null;
    cliDrawCard();
    cliDrawResults(false);
    var back = cliEls.list && cliEls.list.querySelector('[data-client="' + id + '"]');
    (back || cliEls.name).focus();
  }

  function cliDrawCard() {
    var box = cliEls.card;
    if (!box) return;
    clear(box);
    box.onkeydown = null;
    var c = cliCard;
    if (!c) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    var title = c.loading ? tr("loading") : c.failed ? tr("clients_card_title") : cliName(c);
    box.appendChild(el("h2", { id: "hb-cli-card-title", tabindex: "-1", text: title }));
    if (c.note) box.appendChild(el("p", { class: c.note.error ? "hb-alert" : "hb-ok", role: c.note.error ? "alert" : "status", text: c.note.text }));
    if (c.loading) return;
    if (c.failed) {
      box.appendChild(el("p", { class: "hb-alert", role: "alert", text: c.failed }));
    } else if (c.mode === "edit") {
      cliDrawEdit(box);
      return;
    } else {
      cliDrawProfile(box);
      cliDrawFigures(box);
      cliDrawConsents(box);
      cliDrawAppointments(box);
      if (c.mode === "erase") cliDrawErase(box);
      else cliDrawActions(box);
    }
    box.appendChild(el("button", { type: "button", class: "hb-secondary hb-cli-close", "data-action": "close", text: tr("clients_close"), onclick: cliClose }));
    box.onkeydown = function (event) {
      if (event.key === "Escape" && cliCard && cliCard.mode === "view") cliClose();
    };
  }

  function cliSection(box, title) {
    var h = el("h3", { id: newId("sec"), text: title });
    var section = el("section", { class: "hb-cli-part", "aria-labelledby": h.id }, [h]);
    box.appendChild(section);
    return section;
  }

  function cliDrawProfile(box) {
    var c = cliCard;
    var part = cliSection(box, tr("clients_profile"));
    if (c.unreadable || !c.profile) {
      part.appendChild(el("p", { class: "hb-alert", text: tr("clients_unreadable") }));
      return;
    }
    var names = cliCollected();
    Object.keys(c.profile).forEach(function (k) { if (names.indexOf(k) === -1) names.push(k); });
    part.appendChild(cliFacts(names.map(function (name) {
      var value = c.profile[name];
      if (!value) return [cliLabel(name), tr("clients_not_given"), "hb-muted"];
      if (name === "birthday" && /^\d{4}-\d{2}-\d{2}$/.test(value)) value = cliDay(value);
      return [cliLabel(name), value, name === "notes" ? "hb-cli-notes" : null];
    })));
  }

  function cliDrawFigures(box) {
    var f = cliCard.row.figures || {};
    var firstDay = f.first_visit ? cliDay(zoneParts(new Date(f.first_visit), ctx.tz).date) : tr("clients_never");
    var lastDay = f.last_visit ? cliDay(zoneParts(new Date(f.last_visit), ctx.tz).date) : tr("clients_never");
    var pairs = [
      [tr("clients_category"), tr("clients_cat_" + (f.category || "new"))],
      [tr("clients_visits"), String(f.visits || 0)],
      [tr("clients_no_shows"), String(f.no_shows || 0)],
      [tr("clients_spent"), cliMoney(f.total_spent_cents)],
      [tr("clients_average"), cliMoney(f.average_ticket_cents)],
      [tr("clients_first_visit"), firstDay],
      [tr("clients_last_visit"), lastDay]
    ];
    if (f.birthday_month) pairs.push([tr("clients_birthday_month"), cliMonth(f.birthday_month)]);
    cliSection(box, tr("clients_figures")).appendChild(cliFacts(pairs));
  }

  function cliDrawConsents(box) {
    var part = cliSection(box, tr("clients_consents"));
    var consents = cliCard.row.consents || [];
    if (!consents.length) {
      part.appendChild(el("p", { class: "hb-hint", text: tr("clients_consents_none") }));
      return;
    }
    part.appendChild(el("ul", { class: "hb-cli-plain" }, consents.map(function (c) {
      var purposes = (c.purposes || []).map(function (p) { return t["clients_purpose_" + p] ? tr("clients_purpose_" + p) : p; });
      return el("li", { text: tr("clients_consent_line", {
        purposes: purposes.join(", "),
        version: c.notice_version,
        language: t["clients_lang_" + c.locale] ? tr("clients_lang_" + c.locale) : c.locale,
        date: c.given_at ? cliDay(zoneParts(new Date(c.given_at), ctx.tz).date) : "?"
      }) });
    })));
  }

  function cliDrawAppointments(box) {
    var part = cliSection(box, tr("clients_appts"));
    if (cliCard.appts) {
      cliListAppointments(part, cliCard.appts);
      if (!cliCard.appts.length) part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_never") }));
      return;
    }
    if (!cliBook) {
      part.appendChild(el("p", { class: "hb-hint", text: cliLoading ? tr("clients_loading") : tr("clients_appts_unknown") }));
      return;
    }
    var window_ = { from: cliDay(cliBook.from), to: cliDay(cliBook.to) };
    var entry = cliBook.clients.get(cliCard.id);
    if (!entry || !entry.appts.length) {
      part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_none", window_) }));
      return;
    }
    cliListAppointments(part, entry.appts);
    part.appendChild(el("p", { class: "hb-hint", text: tr("clients_appts_window", window_) }));
  }

  function cliListAppointments(part, appts) {
    var split = cliSplit(appts);
    [["clients_appts_upcoming", split.upcoming], ["clients_appts_past", split.past]].forEach(function (group) {
      if (!group[1].length) return;
      part.appendChild(el("h4", { text: tr(group[0]) }));
      part.appendChild(el("ul", { class: "hb-cli-plain hb-cli-appts" }, group[1].map(function (a) {
        var who = ctx.staff.get(a.staff_id), what = ctx.services.get(a.service_id);
        return el("li", { text: [
          cliWhen(a.start),
          what ? what.name : "#" + a.service_id,
          who ? who.display_name : "#" + a.staff_id,
          tr("status_" + a.status)
        ].join(" · ") });
      })));
    });
  }

  function cliDrawActions(box) {
    var c = cliCard;
    var status = el("p", { class: "hb-ok", role: "status" });
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    if (can("clients:write") && c.profile) {
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "edit", text: tr("clients_edit"), onclick: function () {
        c.mode = "edit";
        c.note = null;
        cliDrawCard();
        var first = cliEls.card.querySelector("input, textarea");
        if (first) first.focus();
      } }));
    }
    var exportButton = el("button", { type: "button", class: "hb-secondary", "data-action": "export", text: tr("clients_export") });
    exportButton.addEventListener("click", function () { cliExport(c, exportButton, status, errors); });
    actions.appendChild(exportButton);
    if (can("clients:write")) {
      actions.appendChild(el("button", { type: "button", class: "hb-danger", "data-action": "erase", text: tr("clients_erase"), onclick: function () {
        c.mode = "erase";
        c.note = null;
        cliDrawCard();
        cliEls.card.querySelector(".hb-cli-erase input").focus();
      } }));
    }
    var part = cliSection(box, tr("clients_actions"));
    part.appendChild(actions);
    if (!can("clients:write")) part.appendChild(el("p", { class: "hb-hint", text: tr("clients_write_denied") }));
    part.appendChild(el("p", { class: "hb-hint", text: tr("clients_export_hint") }));
    part.appendChild(status);
    part.appendChild(errors);
  }

  // --- changing the profile -------------------------------------------------------------------

  function cliTextarea(label, attrs, value) {
    var id = newId("f");
    var input = el("textarea", Object.assign({ id: id, rows: "5" }, attrs));
    input.value = value || "";
    return { input: input, node: el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), input]) };
  }

  function cliDrawEdit(box) {
    var c = cliCard;
    var names = cliCollected();
    var inputs = {};
    var nodes = names.map(function (name) {
      var value = c.profile[name] || "";
      var attrs = { name: "client-" + name, autocomplete: "off" };
      if (name === "notes") {
        inputs[name] = cliTextarea(cliLabel(name), Object.assign(attrs, { maxlength: String(CLI_MAX.notes) }), value);
        return inputs[name].node;
      }
      if (name === "name") attrs.required = true;
      if (name === "email") attrs.type = "email";
      if (name === "phone") attrs.type = "tel";
      if (name === "birthday") attrs.type = "date";
      if (CLI_MAX[name]) attrs.maxlength = String(CLI_MAX[name]);
      attrs.value = value;
      inputs[name] = field(cliLabel(name), attrs);
      return inputs[name].node;
    });
    var dropped = Object.keys(c.profile).filter(function (k) { return names.indexOf(k) === -1; });
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("clients_save") });
    var cancel = el("button", { type: "button", class: "hb-secondary", "data-action": "discard", text: tr("clients_discard"), onclick: function () {
      c.mode = "view";
      cliDrawCard();
      var again = cliEls.card.querySelector('[data-action="edit"]');
      if (again) again.focus();
    } });
    var title = el("h3", { id: newId("edit"), text: tr("clients_edit_title") });
    var form = el("form", { class: "hb-form hb-cli-edit", novalidate: true, "aria-labelledby": title.id }, [
      title,
      el("p", { class: "hb-hint", text: tr("clients_edit_hint") })
    ].concat(nodes, [
      dropped.length ? el("p", { class: "hb-notice", text: tr("clients_dropped", { fields: dropped.map(cliLabel).join(", ") }) }) : null,
      errors,
      el("div", { class: "hb-actions" }, [save, cancel])
    ]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      cliSave(inputs, errors, save);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.stopPropagation(); // discard the changes, keep the card open
      cancel.click();
    });
    box.appendChild(form);
  }

  function cliCheck(inputs) {
    var profile = {}, problems = [], bad = [];
    Object.keys(inputs).forEach(function (name) {
      var input = inputs[name].input;
      input.removeAttribute("aria-invalid");
      var value = name === "notes" ? input.value.replace(/\s+$/, "").replace(/^\s*\n/, "") : input.value.trim();
      var wrong = null;
      if (name === "name" && !value) wrong = tr("clients_invalid_name");
      else if (name === "birthday" && input.validity && input.validity.badInput) wrong = tr("clients_invalid_date");
      else if (value && name === "email" && !CLI_EMAIL.test(value)) wrong = tr("clients_invalid_email");
      else if (value && name === "phone" && !CLI_PHONE.test(value)) wrong = tr("clients_invalid_phone");
      else if (value.length > (CLI_MAX[name] || 1000)) wrong = tr("clients_invalid_long", { field: cliLabel(name), max: CLI_MAX[name] || 1000 });
      if (wrong) {
        problems.push(wrong);
        bad.push(input);
        input.setAttribute("aria-invalid", "true");
      } else if (value) {
        profile[name] = value;
      }
    });
    return { profile: profile, problems: problems, bad: bad };
  }

  async function cliSave(inputs, errors, button) {
    var c = cliCard;
    var gen = cliGen;
    showError(errors, "");
    var checked = cliCheck(inputs);
    if (checked.problems.length) {
      showError(errors, tr("err_check"), checked.problems);
      checked.bad[0].focus();
      return;
    }
    var profile = checked.profile, before = c.profile || {};
    // The lookup digests follow the profile's e-mail and phone when either changed.
    var contacts = null;
    if ((before.email || "") !== (profile.email || "") || (before.phone || "") !== (profile.phone || "")) {
      contacts = {};
      if (profile.email) contacts.email = profile.email;
      if (profile.phone) contacts.phone = profile.phone;
    }
    button.disabled = true;
    button.textContent = tr("clients_saving");
    try {
      var r = await cliPut(c, profile, contacts);
      if (gen !== cliGen || cliCard !== c) return;
      c.row = r.data;
      c.etag = r.headers.get("ETag");
      c.profile = await vault.openClient(r.data);
      c.mode = "view";
      c.note = { text: tr("clients_saved") };
      var entry = cliBook && cliBook.clients.get(c.id);
      if (entry) {
        entry.row = r.data;
        entry.profile = c.profile;
      }
      cliDrawResults(false);
      cliDrawCard();
      focusHeading(document.getElementById("hb-cli-card-title"));
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen || cliCard !== c) return;
      button.disabled = false;
      button.textContent = tr("clients_save");
      if (error instanceof ApiError && (error.status === 412 || error.status === 404)) {
        // Someone else changed (or erased) it: show what is there now.
        await cliOpen(c.id, { text: cliErrorText(error), error: true });
        return;
      }
      showError(errors, error instanceof ApiError ? cliErrorText(error) : tr("clients_seal_failed"));
      button.focus();
    }
  }

  /* Sealed here (a new client key), sent with the ETag the card was read with.
   * A 412 whose cause is only the figures or consents (the sealed profile is
   * the one this edit started from) is not a conflict: once more with the
   * fresh ETag. */
  async function cliPut(c, profile, contacts) {
    var body = await vault.sealProfile(profile);
    if (contacts) body.contacts = contacts;
    var path = "/clients/" + c.id + "/profile";
    try {
      return await api("PUT", path, body, { "If-Match": c.etag });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 412) throw error;
      var fresh = await api("GET", "/clients/" + c.id);
      if (!cliSameProfile(fresh.data, c.row)) throw error;
      c.row = fresh.data;
      c.etag = fresh.headers.get("ETag");
      return await api("PUT", path, body, { "If-Match": c.etag });
    }
  }

  // --- export (Art. 15/20) ----------------------------------------------------------------------

  /* Everything the service holds, with the profile opened here, handed to the
   * browser as a file: a Blob behind an object URL that is revoked right after
   * the click. Nothing is stored by the console. */
  async function cliExport(c, button, status, errors) {
    var gen = cliGen;
    showError(errors, "");
    status.textContent = tr("clients_exporting");
    button.disabled = true;
    try {
      var data = (await api("GET", "/clients/" + c.id + "/export")).data;
      var client = {};
      Object.keys(data.client || {}).forEach(function (k) { if (k !== "sealed_profile") client[k] = data.client[k]; });
      client.profile = await vault.openClient(data.client);
      if (gen !== cliGen || cliCard !== c) return;
      var out = Object.assign({}, data, { client: client });
      var file = "client-" + c.id + "-export-" + today() + ".json";
      var blob = new Blob([JSON.stringify(out, null, 2) + "\n"], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      var link = el("a", { href: url, download: file, hidden: true });
      cliEls.card.appendChild(link);
      try {
        link.click();
      } finally {
        link.remove();
        URL.revokeObjectURL(url);
      }
      status.textContent = tr("clients_exported", { file: file });
    } catch (error) {
      if (error instanceof SessionEnded || gen !== cliGen) return;
      status.textContent = "";
      showError(errors, error instanceof ApiError ? cliErrorText(error) : tr("clients_export_failed"));
    } finally {
      button.disabled = false;
    }
  }

  // --- erasure (Art. 17) ----------------------------------------------------------------------

  function cliDrawErase(box) {
    var c = cliCard;
    var word = (c.profile && c.profile.name) || "#" + c.id;
    var title = el("h3", { id: newId("erase"), text: tr("clients_erase_title") });
    var confirm = field(tr("clients_erase_type", { name: word }), { name: "erase-confirm", autocomplete: "off", spellcheck: "false" });
    var errors = alertBox();
    var yes = el("button", { type: "submit", class: "hb-danger", "data-action": "erase-yes", text: tr("clients_erase_yes") });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "erase-no", text: tr("clients_erase_keep"), onclick: function () {
      c.mode = "view";
      cliDrawCard();
      cliEls.card.querySelector('[data-action="erase"]').focus();
    } });
    var form = el("form", { class: "hb-form hb-cli-erase", novalidate: true, "aria-labelledby": title.id }, [
      title,
      el("p", { text: tr("clients_erase_what") }),
      el("p", { text: tr("clients_erase_stays") }),
      confirm.node,
      errors,
      el("div", { class: "hb-actions" }, [yes, no])
    ]);
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.stopPropagation(); // keep the client, keep the card open
      no.click();
    });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (cliFold(confirm.input.value.trim()) !== cliFold(word)) {
        confirm.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("clients_erase_mismatch"));
        confirm.input.focus();
        return;
      }
      var gen = cliGen;
      yes.disabled = true;
      try {
        await api("DELETE", "/clients/" + c.id);
      } catch (error) {
        if (error instanceof SessionEnded || gen !== cliGen) return;
        yes.disabled = false;
        showError(errors, cliErrorText(error));
        return;
      }
      if (gen !== cliGen) return;
      if (cliBook) cliBook.clients.delete(c.id);
      if (cliCard === c) cliCard = null;
      cliDrawCard();
      cliDrawResults(false);
      cliEls.note.textContent = tr("clients_erased");
      focusHeading(document.getElementById("hb-cli-search-title"));
    });
    box.appendChild(form);
  }
