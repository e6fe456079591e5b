/* Settings (owners and managers): the business, online-booking privacy
 * (stealth mode), messages, privacy notices, closures and holidays, the second
 * factor. One section per h2, each with its own form and Save. A change of the
 * business goes out as PATCH /v1/tenant with If-Match: ctx.tenantEtag; the
 * answer's data and ETag become ctx.tenant and ctx.tenantEtag; a 412 (someone
 * else saved in between) reloads the settings and says so.
 * go("settings", "<section>") scrolls to that section and focuses its heading
 * (the setup checklist sends people to "notices" and "stealth"). Part of the
 * console's one function scope (see console.js). */

  var SETTINGS_SECTIONS = [
    { id: "business", labelKey: "settings_business" },
    { id: "stealth", labelKey: "settings_stealth" },
    { id: "messages", labelKey: "settings_messages" },
    { id: "clients", labelKey: "settings_clients" },
    { id: "notices", labelKey: "settings_notices" },
    { id: "closures", labelKey: "settings_closures" },
    { id: "security", labelKey: "settings_security" }
  ];

  // stealth.DEFAULTS / stealth.RANGES of the service (the service checks them again).
  var SETTINGS_KNOBS = [
    { key: "offer_count", min: 1, max: 5, dflt: 3, group: "offers", labelKey: "settings_k_offer_count", textKey: "settings_k_offer_count_hint" },
    { key: "pending_expiry_min", min: 5, max: 1440, dflt: 30, group: "offers", labelKey: "settings_k_pending_expiry_min", textKey: "settings_k_pending_expiry_min_hint" },
    { key: "min_fill_seconds", min: 0, max: 120, dflt: 4, group: "offers", labelKey: "settings_k_min_fill_seconds", textKey: "settings_k_min_fill_seconds_hint" },
    { key: "pow_base_bits", min: 8, max: 22, dflt: 14, group: "offers", labelKey: "settings_k_pow_base_bits", textKey: "settings_k_pow_base_bits_hint" },
    { key: "block_after_no_shows", min: 0, max: 20, dflt: 3, group: "offers", labelKey: "settings_k_block_after_no_shows", textKey: "settings_k_block_after_no_shows_hint" },
    { key: "asks_per_session_hour", min: 1, max: 1000, dflt: 20, group: "asks", labelKey: "settings_k_asks_per_session_hour", textKey: "settings_k_asks_per_session_hour_hint" },
    { key: "asks_per_ip_day", min: 1, max: 100000, dflt: 60, group: "asks", labelKey: "settings_k_asks_per_ip_day", textKey: "settings_k_asks_per_ip_day_hint" },
    { key: "asks_per_subnet_day", min: 1, max: 100000, dflt: 150, group: "asks", labelKey: "settings_k_asks_per_subnet_day", textKey: "settings_k_asks_per_subnet_day_hint" },
    { key: "asks_per_wide_subnet_day", min: 1, max: 1000000, dflt: 400, group: "asks", labelKey: "settings_k_asks_per_wide_subnet_day", textKey: "settings_k_asks_per_wide_subnet_day_hint" },
    { key: "asks_per_tenant_day", min: 1, max: 10000000, dflt: 5000, group: "asks", labelKey: "settings_k_asks_per_tenant_day", textKey: "settings_k_asks_per_tenant_day_hint" },
    { key: "pending_per_contact", min: 1, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_pending_per_contact", textKey: "settings_k_pending_per_contact_hint" },
    { key: "pending_per_session", min: 1, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_pending_per_session", textKey: "settings_k_pending_per_session_hint" },
    { key: "pending_per_ip", min: 1, max: 100, dflt: 3, group: "pending", labelKey: "settings_k_pending_per_ip", textKey: "settings_k_pending_per_ip_hint" },
    { key: "pending_per_subnet", min: 1, max: 1000, dflt: 8, group: "pending", labelKey: "settings_k_pending_per_subnet", textKey: "settings_k_pending_per_subnet_hint" },
    { key: "pending_salon_share_pct", min: 1, max: 100, dflt: 25, group: "pending", labelKey: "settings_k_pending_salon_share_pct", textKey: "settings_k_pending_salon_share_pct_hint" },
    { key: "new_contact_share_pct", min: 1, max: 100, dflt: 40, group: "pending", labelKey: "settings_k_new_contact_share_pct", textKey: "settings_k_new_contact_share_pct_hint" },
    { key: "probe_threshold", min: 0, max: 20, dflt: 2, group: "pending", labelKey: "settings_k_probe_threshold", textKey: "settings_k_probe_threshold_hint" },
    { key: "walk_free_holds", min: 1, max: 1000, dflt: 3, group: "pending", labelKey: "settings_k_walk_free_holds", textKey: "settings_k_walk_free_holds_hint" },
    { key: "hold_cooldown_min", min: 0, max: 1440, dflt: 120, group: "offers", labelKey: "settings_k_hold_cooldown_min", textKey: "settings_k_hold_cooldown_min_hint" },
    { key: "disclosure_share_pct", min: 0, max: 100, dflt: 5, group: "offers", labelKey: "settings_k_disclosure_share_pct", textKey: "settings_k_disclosure_share_pct_hint" }
  ];
  var SETTINGS_KNOB_GROUPS = [
    { id: "offers", labelKey: "settings_kg_offers", textKey: "settings_kg_offers_hint" },
    { id: "asks", labelKey: "settings_kg_asks", textKey: "settings_kg_asks_hint" },
    { id: "pending", labelKey: "settings_kg_pending", textKey: "settings_kg_pending_hint" }
  ];
  var SETTINGS_CHANNELS = [
    { id: "email", labelKey: "settings_channel_email" },
    { id: "sms", labelKey: "settings_channel_sms" },
    { id: "staff", labelKey: "settings_channel_staff" }
  ];
  // The languages of the service's customer texts (booking page, messages, notices).
  var SETTINGS_LANGS = [
    { id: "de", labelKey: "settings_lang_de" },
    { id: "en", labelKey: "settings_lang_en" }
  ];
  var SETTINGS_STEPS = [5, 10, 15, 20, 30, 60];
  // Currencies offered for prices (the service takes any ISO 4217 code in use).
  var SETTINGS_CURRENCIES = ["EUR", "CHF", "GBP", "USD", "DKK", "SEK", "NOK", "PLN", "CZK", "HUF"];
  var SETTINGS_CLOSURE_DAYS = 730; // "upcoming": today and the next two years
  var SETTINGS_CLOSURE_MAX = 366; // days one closure may span (the service's MAX_CLOSURE_DAYS)

  var settingsBox = null; // the screen's box while it is shown
  var settingsNodes = {}; // section id -> its <section>

  onForget(function () {
    settingsBox = null;
    settingsNodes = {};
  });

  registerScreen({
    id: "settings",
    label: "settings_nav",
    allowed: function () { return can("tenant:read") && can("tenant:write"); },
    render: async function (box, section) {
      settingsBox = box;
      settingsNodes = {};
      box.appendChild(el("h1", { text: tr("settings_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("settings_intro") }));
      var toc = el("ul", {});
      SETTINGS_SECTIONS.forEach(function (s) {
        toc.appendChild(el("li", {}, [el("a", {
          href: "#hb-settings-" + s.id, text: tr(s.labelKey),
          onclick: function (event) { event.preventDefault(); settingsShow(s.id); }
        })]));
      });
      box.appendChild(el("nav", { class: "hb-settings-toc", "aria-label": tr("settings_toc") }, [toc]));
      SETTINGS_SECTIONS.forEach(function (s) {
        var node = el("section", { class: "hb-settings-section", id: "hb-settings-" + s.id, "data-section": s.id, "aria-labelledby": "hb-settings-" + s.id + "-title" });
        settingsNodes[s.id] = node;
        box.appendChild(node);
      });
      await settingsReloadTenant();
      settingsDrawTenantSections();
      await Promise.all([settingsDrawNotices(), settingsDrawClosures()]);
      if (section && settingsNodes[section]) {
        // After the core has focused the h1 (it does so once render returns).
        window.setTimeout(function () { settingsShow(section); }, 0);
      }
    },
    leave: function () {
      settingsBox = null;
      settingsNodes = {};
    }
  });

  // --- helpers ---------------------------------------------------------------------------

  function settingsShow(id) {
    var h = document.getElementById("hb-settings-" + id + "-title");
    if (!h) return;
    h.scrollIntoView({ block: "start" });
    focusHeading(h);
  }

  function settingsHead(id, labelKey, introKey) {
    var node = settingsNodes[id] || el("section"); // the screen was left meanwhile: drawn nowhere
    clear(node);
    node.appendChild(el("h2", { id: "hb-settings-" + id + "-title", text: tr(labelKey) }));
    if (introKey) node.appendChild(el("p", { class: "hb-hint", text: tr(introKey) }));
    return node;
  }

  function settingsControl(tag, label, attrs, hint, children) {
    var id = newId("s");
    var hintId = hint ? id + "-hint" : null;
    var control = el(tag, Object.assign({ id: id, "aria-describedby": hintId }, attrs), children);
    return {
      input: control,
      label: label,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: hintId, class: "hb-hint", text: hint }) : null,
        control
      ])
    };
  }

  function settingsNumber(label, value, min, max, hint) {
    var f = field(label, {
      type: "number", inputmode: "numeric", min: String(min), max: String(max), step: "1",
      value: value === null || value === undefined ? "" : String(value)
    }, hint);
    f.label = label;
    f.min = min;
    f.max = max;
    return f;
  }

  /* A labelled checkbox; ``hints``: a text or a list of paragraphs describing it. */
  function settingsCheck(label, checked, hints) {
    var id = newId("c");
    var texts = hints ? [].concat(hints) : [];
    var ids = texts.map(function (x, i) { return id + "-hint" + i; });
    var input = el("input", { type: "checkbox", id: id, "aria-describedby": ids.length ? ids.join(" ") : null });
    input.checked = !!checked;
    return {
      input: input,
      node: el("div", { class: "hb-check" }, [input, el("label", { for: id, text: label })].concat(texts.map(function (x, i) {
        return el("p", { id: ids[i], class: "hb-hint", text: x });
      })))
    };
  }

  /* A whole number within the field's range, or null (the field is marked and
   * a line added to ``problems``). An empty optional field gives "". */
  function settingsInt(f, problems, optional) {
    var raw = f.input.value.trim();
    f.input.removeAttribute("aria-invalid");
    if (optional && raw === "") return "";
    var n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < f.min || n > f.max) {
      f.input.setAttribute("aria-invalid", "true");
      problems.push({ field: f, text: tr("settings_err_range", { label: f.label, min: f.min, max: f.max }) });
      return null;
    }
    return n;
  }

  function settingsProblems(errors, problems) {
    showError(errors, tr("err_check"), problems.map(function (p) { return p.text; }));
    if (problems[0].field) problems[0].field.input.focus();
  }

  /* The service's 422 field messages, named with this form's labels. */
  function settingsFieldErrors(problem, labels) {
    var out = [];
    function walk(errors, prefix) {
      Object.keys(errors || {}).forEach(function (name) {
        var value = errors[name];
        var key = prefix ? prefix + "." + name : name;
        if (value && !Array.isArray(value) && typeof value === "object") { walk(value, key); return; }
        (Array.isArray(value) ? value : [String(value)]).forEach(function (m) {
          out.push((labels[key] || labels[name] || name) + ": " + m);
        });
      });
    }
    walk(problem && problem.errors && problem.errors.json, "");
    return out;
  }

  function settingsSaving(form, busy) {
    form.querySelectorAll("button, input, select, textarea").forEach(function (c) { c.disabled = busy; });
  }

  function settingsDone(note, text) {
    note.textContent = text;
    say(text);
  }

  function settingsShortDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  function settingsWhen(isoInstant) {
    try {
      return new Intl.DateTimeFormat(t.locale || "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: ctx.tz }).format(new Date(isoInstant));
    } catch (error) {
      return isoInstant;
    }
  }

  // --- the business (GET/PATCH /v1/tenant) ------------------------------------------------------------

  async function settingsReloadTenant() {
    var r = await api("GET", "/tenant");
    settingsAdopt(r);
  }

  function settingsAdopt(r) {
    ctx.tenant = r.data;
    ctx.tenantEtag = r.headers.get("ETag") || ctx.tenantEtag;
    ctx.tz = ctx.tenant.timezone || ctx.tz;
  }

  var SETTINGS_TENANT_DRAW = {
    business: settingsDrawBusiness,
    stealth: settingsDrawStealth,
    messages: settingsDrawMessages,
    clients: settingsDrawClients,
    security: settingsDrawSecurity
  };

  function settingsDrawTenantSections() {
    Object.keys(SETTINGS_TENANT_DRAW).forEach(function (id) { SETTINGS_TENANT_DRAW[id](); });
  }

  /* PATCH the business with ``changes``. Resolves to true when saved. A 412:
   * the settings are read again and every section redrawn; the section that
   * tried to save says so and gets the focus. */
  async function settingsPatch(section, changes, form, errors, note, labels) {
    showError(errors, "");
    note.textContent = "";
    settingsSaving(form, true);
    try {
      var r = await api("PATCH", "/tenant", changes, { "If-Match": ctx.tenantEtag });
      settingsAdopt(r);
      renderTop(); // the salon's name in the top bar
      // Only this section is drawn again: what is being typed elsewhere stays.
      SETTINGS_TENANT_DRAW[section]();
      var again = settingsNodes[section];
      if (!again) return true;
      var fresh = again.querySelector(".hb-saved");
      settingsDone(fresh, tr("settings_saved"));
      var button = again.querySelector("button[type=submit]");
      if (button) button.focus();
      return true;
    } catch (error) {
      if (error instanceof SessionEnded || !settingsBox) return false;
      settingsSaving(form, false);
      if (error.status === 412 || error.status === 428) {
        try { await settingsReloadTenant(); } catch (e) { if (e instanceof SessionEnded) return false; }
        settingsDrawTenantSections();
        var node = settingsNodes[section];
        showError(node.querySelector(".hb-alert"), tr("settings_conflict"));
        settingsShow(section);
        return false;
      }
      if (error.status === 422) {
        var list = settingsFieldErrors(error.problem, labels || {});
        showError(errors, tr("err_check"), list.length ? list : [error.message]);
      } else {
        showError(errors, reasonText(error));
      }
      return false;
    }
  }

  function settingsDrawBusiness() {
    var tn = ctx.tenant;
    var node = settingsHead("business", "settings_business", "settings_business_intro");
    var name = field(tr("settings_name"), { type: "text", autocomplete: "organization", maxlength: "200", required: true, value: tn.name || "" });
    var zones = [];
    try { zones = Intl.supportedValuesOf("timeZone"); } catch (error) { zones = []; }
    if (zones.indexOf(tn.timezone) === -1) zones = [tn.timezone].concat(zones);
    var tz = settingsControl("select", tr("settings_timezone"), { required: true }, tr("settings_timezone_hint"),
      zones.map(function (z) { return el("option", { value: z, text: z.replace(/_/g, " "), selected: z === tn.timezone }); }));
    var lang = settingsControl("select", tr("settings_locale"), {}, tr("settings_locale_hint"),
      SETTINGS_LANGS.map(function (l) { return el("option", { value: l.id, text: tr(l.labelKey), selected: l.id === tn.locale }); }));
    var step = settingsControl("select", tr("settings_slot_step"), {}, tr("settings_slot_step_hint"),
      SETTINGS_STEPS.map(function (m) { return el("option", { value: String(m), text: tr("settings_minutes", { n: m }), selected: m === tn.slot_granularity_min }); }));
    var notice = settingsNumber(tr("settings_min_notice"), tn.min_notice_min, 0, 20160, tr("settings_min_notice_hint"));
    var ahead = settingsNumber(tr("settings_max_advance"), tn.max_advance_days, 1, 365, tr("settings_max_advance_hint"));
    var before = settingsNumber(tr("settings_buffer_before"), tn.buffer_before_min, 0, 240, tr("settings_buffer_hint"));
    var after = settingsNumber(tr("settings_buffer_after"), tn.buffer_after_min, 0, 240, tr("settings_buffer_hint"));
    var deadline = settingsNumber(tr("settings_deadline"), tn.manage_deadline_hours, 0, 336, tr("settings_deadline_hint"));
    // The salon's page: /book/{slug}, the confirmation and manage pages, messages.
    var about = settingsControl("textarea", tr("settings_description"), { rows: "3", maxlength: "2000" }, tr("settings_description_hint"));
    about.input.value = tn.description || "";
    var address = settingsControl("textarea", tr("settings_address"), { rows: "3", maxlength: "300", autocomplete: "street-address" }, null);
    address.input.value = tn.address || "";
    var phone = field(tr("settings_phone"), { type: "tel", autocomplete: "tel", maxlength: "40", value: tn.phone || "" }, tr("settings_phone_hint"));
    var hours = settingsControl("textarea", tr("settings_opening_hours"), { rows: "3", maxlength: "1000" }, tr("settings_opening_hours_hint"));
    hours.input.value = tn.opening_hours || "";
    var imprint = field(tr("settings_imprint"), { type: "url", inputmode: "url", maxlength: "500", placeholder: "https://", value: tn.imprint_url || "" }, tr("settings_link_hint"));
    var privacy = field(tr("settings_privacy_url"), { type: "url", inputmode: "url", maxlength: "500", placeholder: "https://", value: tn.privacy_url || "" }, tr("settings_link_hint"));
    var accent = field(tr("settings_accent"), { type: "text", maxlength: "7", spellcheck: "false", placeholder: "#1f5f8b", value: tn.accent_colour || "" }, tr("settings_accent_hint"));
    var codes = SETTINGS_CURRENCIES.indexOf(tn.currency) === -1 ? [tn.currency].concat(SETTINGS_CURRENCIES) : SETTINGS_CURRENCIES;
    var currency = settingsControl("select", tr("settings_currency"), {}, tr("settings_currency_hint"),
      codes.map(function (c) { return el("option", { value: c, text: settingsCurrencyName(c), selected: c === tn.currency }); }));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var rules = el("fieldset", { class: "hb-fieldset" }, [
      el("legend", { text: tr("settings_rules") }),
      step.node, notice.node, ahead.node, before.node, after.node, deadline.node
    ]);
    var profile = el("fieldset", { class: "hb-fieldset" }, [
      el("legend", { text: tr("settings_profile") }),
      el("p", { class: "hb-hint", text: tr("settings_profile_hint") }),
      about.node, address.node, phone.node, hours.node, imprint.node, privacy.node, accent.node, currency.node
    ]);
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      name.node, tz.node, lang.node, profile, rules, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      name.input.removeAttribute("aria-invalid");
      var label = name.input.value.trim();
      if (!label) {
        name.input.setAttribute("aria-invalid", "true");
        problems.push({ field: name, text: tr("settings_err_name") });
      }
      var changes = {
        name: label,
        timezone: tz.input.value,
        locale: lang.input.value,
        slot_granularity_min: parseInt(step.input.value, 10),
        min_notice_min: settingsInt(notice, problems),
        max_advance_days: settingsInt(ahead, problems),
        buffer_before_min: settingsInt(before, problems),
        buffer_after_min: settingsInt(after, problems),
        manage_deadline_hours: settingsInt(deadline, problems),
        description: about.input.value.trim(),
        address: address.input.value.trim(),
        phone: phone.input.value.trim(),
        opening_hours: hours.input.value.trim(),
        imprint_url: settingsHttps(imprint, tr("settings_imprint"), problems),
        privacy_url: settingsHttps(privacy, tr("settings_privacy_url"), problems),
        accent_colour: settingsColour(accent, problems),
        currency: currency.input.value
      };
      if (problems.length) { settingsProblems(errors, problems); return; }
      await settingsPatch("business", changes, form, errors, note, {
        name: tr("settings_name"), timezone: tr("settings_timezone"), locale: tr("settings_locale"),
        slot_granularity_min: tr("settings_slot_step"), min_notice_min: tr("settings_min_notice"),
        max_advance_days: tr("settings_max_advance"), buffer_before_min: tr("settings_buffer_before"),
        buffer_after_min: tr("settings_buffer_after"), manage_deadline_hours: tr("settings_deadline"),
        description: tr("settings_description"), address: tr("settings_address"),
        phone: tr("settings_phone"), opening_hours: tr("settings_opening_hours"),
        imprint_url: tr("settings_imprint"), privacy_url: tr("settings_privacy_url"),
        accent_colour: tr("settings_accent"), currency: tr("settings_currency")
      });
    });
    node.appendChild(form);
  }

  /* An https:// address or "" (the field marked and a line added to ``problems`` otherwise). */
  function settingsHttps(f, label, problems) {
    var raw = f.input.value.trim();
    f.input.removeAttribute("aria-invalid");
    if (raw === "" || /^https:\/\/[^\s/$.?#][^\s]*$/i.test(raw)) return raw;
    f.input.setAttribute("aria-invalid", "true");
    problems.push({ field: f, text: tr("settings_err_https", { label: label }) });
    return null;
  }

  function settingsColour(f, problems) {
    var raw = f.input.value.trim().toLowerCase();
    f.input.removeAttribute("aria-invalid");
    if (raw === "" || /^#[0-9a-f]{6}$/.test(raw)) return raw;
    f.input.setAttribute("aria-invalid", "true");
    problems.push({ field: f, text: tr("settings_err_colour") });
    return null;
  }

  function settingsCurrencyName(code) {
    try {
      var name = new Intl.DisplayNames([t.locale || "en-GB"], { type: "currency" }).of(code);
      return name && name !== code ? code + " – " + name : code;
    } catch (error) {
      return code;
    }
  }

  // --- online-booking privacy (stealth mode) ------------------------------------------------------------

  function settingsDrawStealth() {
    var tn = ctx.tenant;
    var current = tn.stealth_settings || {};
    var node = settingsHead("stealth", "settings_stealth", "settings_stealth_intro");
    var mode = settingsCheck(tr("settings_stealth_mode"), tn.stealth_mode, [tr("settings_stealth_mode_hint"), tr("settings_stealth_mode_measured")]);
    var names = settingsCheck(tr("settings_show_names"), tn.show_staff_names, [tr("settings_show_names_hint"), tr("settings_show_names_measured")]);
    var knobs = {};
    var labels = { stealth_mode: tr("settings_stealth_mode"), show_staff_names: tr("settings_show_names") };
    var groups = SETTINGS_KNOB_GROUPS.map(function (g) {
      var set = el("fieldset", { class: "hb-fieldset" }, [el("legend", { text: tr(g.labelKey) }), el("p", { class: "hb-hint", text: tr(g.textKey) })]);
      SETTINGS_KNOBS.filter(function (k) { return k.group === g.id; }).forEach(function (k) {
        var value = current[k.key] === undefined ? k.dflt : current[k.key];
        var f = settingsNumber(tr(k.labelKey), value, k.min, k.max,
          tr(k.textKey) + " " + tr("settings_k_range", { min: k.min.toLocaleString(t.locale), max: k.max.toLocaleString(t.locale), dflt: k.dflt.toLocaleString(t.locale) }));
        f.input.setAttribute("data-knob", k.key);
        knobs[k.key] = f;
        labels["stealth_settings." + k.key] = tr(k.labelKey);
        set.appendChild(f.node);
      });
      return set;
    });
    var tuning = el("details", { class: "hb-tuning" }, [el("summary", { text: tr("settings_tuning") }), el("p", { class: "hb-hint", text: tr("settings_tuning_hint") })].concat(groups));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      mode.node, names.node, tuning, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var changed = {};
      SETTINGS_KNOBS.forEach(function (k) {
        var n = settingsInt(knobs[k.key], problems);
        var was = current[k.key] === undefined ? k.dflt : current[k.key];
        if (n !== null && n !== was) changed[k.key] = n;
      });
      if (problems.length) {
        tuning.open = true;
        settingsProblems(errors, problems);
        return;
      }
      var changes = { stealth_mode: mode.input.checked, show_staff_names: names.input.checked };
      if (Object.keys(changed).length) changes.stealth_settings = changed; // only the keys changed
      await settingsPatch("stealth", changes, form, errors, note, labels);
    });
    node.appendChild(form);
  }

  // --- messages -----------------------------------------------------------------------------------------

  function settingsDrawMessages() {
    var tn = ctx.tenant;
    var node = settingsHead("messages", "settings_messages", "settings_messages_intro");
    var channels = (tn.message_channels || []);
    var boxes = SETTINGS_CHANNELS.map(function (c) {
      var check = settingsCheck(tr(c.labelKey), channels.indexOf(c.id) !== -1);
      check.input.value = c.id;
      return check;
    });
    var hours = (tn.reminder_hours || []).slice(0, 3);
    var reminders = [0, 1, 2].map(function (i) {
      return settingsNumber(tr("settings_reminder_n", { n: i + 1 }), hours[i] === undefined ? "" : hours[i], 1, 168, null);
    });
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("fieldset", { class: "hb-fieldset" }, [el("legend", { text: tr("settings_channels") })].concat(boxes.map(function (b) { return b.node; }))),
      el("fieldset", { class: "hb-fieldset hb-reminders" }, [
        el("legend", { text: tr("settings_reminders") }),
        el("p", { class: "hb-hint", text: tr("settings_reminders_hint") })
      ].concat(reminders.map(function (r) { return r.node; }))),
      errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var list = [];
      reminders.forEach(function (r) {
        var n = settingsInt(r, problems, true);
        if (n !== null && n !== "" && list.indexOf(n) === -1) list.push(n);
      });
      if (problems.length) { settingsProblems(errors, problems); return; }
      list.sort(function (a, b) { return b - a; });
      await settingsPatch("messages", {
        message_channels: boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return b.input.value; }),
        reminder_hours: list
      }, form, errors, note, { message_channels: tr("settings_channels"), reminder_hours: tr("settings_reminders") });
    });
    node.appendChild(form);
  }

  // --- client details: what the salon collects, how long it keeps it ------------------------------------

  // The profile fields the console and the booking widget know; "name" is always collected.
  var SETTINGS_PROFILE_FIELDS = ["email", "phone", "birthday", "notes"];

  function settingsDrawClients() {
    var tn = ctx.tenant;
    var node = settingsHead("clients", "settings_clients", "settings_clients_intro");
    var collected = tn.profile_fields || ["name"];
    var boxes = SETTINGS_PROFILE_FIELDS.map(function (name) {
      var check = settingsCheck(tr("settings_field_" + name), collected.indexOf(name) !== -1, [tr("settings_field_" + name + "_hint")]);
      check.input.value = name;
      return check;
    });
    var retention = settingsNumber(tr("settings_retention"), tn.retention_months, 1, 120, tr("settings_retention_hint"));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("fieldset", { class: "hb-fieldset" }, [
        el("legend", { text: tr("settings_fields") }),
        el("p", { class: "hb-hint", text: tr("settings_fields_hint") })
      ].concat(boxes.map(function (b) { return b.node; }))),
      retention.node,
      errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") }), note])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var problems = [];
      var months = settingsInt(retention, problems, false);
      if (problems.length) { settingsProblems(errors, problems); return; }
      // The salon's own extra fields (set through the API) are kept as they are.
      var own = collected.filter(function (n) { return n !== "name" && SETTINGS_PROFILE_FIELDS.indexOf(n) === -1; });
      var fields = ["name"].concat(boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return b.input.value; }), own);
      await settingsPatch("clients", { profile_fields: fields, retention_months: months }, form, errors, note,
        { profile_fields: tr("settings_fields"), retention_months: tr("settings_retention") });
    });
    node.appendChild(form);
  }

  // --- privacy notices ------------------------------------------------------------------------------------

  async function settingsDrawNotices(message) {
    var node = settingsHead("notices", "settings_notices", "settings_notices_intro");
    var listBox = el("div", { class: "hb-notices" });
    node.appendChild(listBox);
    var notices = [];
    try {
      notices = (await api("GET", "/tenant/privacy-notices")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      listBox.appendChild(el("p", { class: "hb-alert", role: "alert", text: reasonText(error) }));
    }
    var latest = {};
    SETTINGS_LANGS.forEach(function (l) {
      var mine = notices.filter(function (n) { return n.locale === l.id; }).sort(function (a, b) { return b.version - a.version; });
      latest[l.id] = mine[0] || null;
      var item = el("div", { class: "hb-notice-lang", "data-locale": l.id }, [el("h3", { text: tr(l.labelKey) })]);
      if (!mine.length) {
        item.appendChild(el("p", { class: "hb-missing", text: tr("settings_notice_none") }));
      } else {
        item.appendChild(el("p", { text: tr("settings_notice_current", { version: mine[0].version, when: settingsWhen(mine[0].created_at) }) }));
        item.appendChild(el("details", {}, [
          el("summary", { text: tr("settings_notice_show", { version: mine[0].version }) }),
          el("p", { class: "hb-notice-text", lang: l.id, text: mine[0].text })
        ]));
        if (mine.length > 1) {
          item.appendChild(el("p", { class: "hb-hint", text: tr("settings_notice_older", { versions: mine.slice(1).map(function (n) { return n.version; }).join(", ") }) }));
        }
      }
      listBox.appendChild(item);
    });

    node.appendChild(el("h3", { text: tr("settings_notice_publish") }));
    var lang = settingsControl("select", tr("settings_notice_language"), {}, null,
      SETTINGS_LANGS.map(function (l) { return el("option", { value: l.id, text: tr(l.labelKey), selected: l.id === (ctx.tenant.locale || "de") }); }));
    var text = settingsControl("textarea", tr("settings_notice_text"), { rows: "8", maxlength: "50000", spellcheck: "true" }, tr("settings_notice_text_hint"));
    var count = el("p", { class: "hb-hint", "aria-live": "off" });
    var touched = false;
    function fill() {
      if (touched) return;
      var n = latest[lang.input.value];
      text.input.value = n ? n.text : "";
      text.input.setAttribute("lang", lang.input.value);
      counted();
    }
    function counted() {
      count.textContent = tr("settings_notice_count", { n: text.input.value.trim().length });
    }
    lang.input.addEventListener("change", fill);
    text.input.addEventListener("input", function () { touched = true; counted(); });
    fill();
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      lang.node, text.node, count, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_notice_button") }), note])
    ]);
    if (message) settingsDone(note, message);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      note.textContent = "";
      var body = text.input.value.trim();
      text.input.removeAttribute("aria-invalid");
      if (body.length < 20 || body.length > 50000) {
        text.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("settings_notice_length", { n: body.length }));
        text.input.focus();
        return;
      }
      var was = latest[lang.input.value];
      if (was && was.text === body) {
        showError(errors, tr("settings_notice_same"));
        text.input.focus();
        return;
      }
      settingsSaving(form, true);
      try {
        var r = await api("POST", "/tenant/privacy-notices", { locale: lang.input.value, text: body });
        var language = SETTINGS_LANGS.filter(function (l) { return l.id === r.data.locale; })[0];
        await settingsDrawNotices(tr("settings_notice_published", { version: r.data.version, language: language ? tr(language.labelKey) : r.data.locale }));
        var again = settingsNodes.notices && settingsNodes.notices.querySelector("button[type=submit]");
        if (again) again.focus();
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        settingsSaving(form, false);
        showError(errors, error.status === 422 ? tr("err_check") + " " + settingsFieldErrors(error.problem, { locale: tr("settings_notice_language"), text: tr("settings_notice_text") }).join("; ") : reasonText(error));
      }
    });
    node.appendChild(form);
  }

  // --- closures and holidays (the whole salon) ----------------------------------------------------------------

  async function settingsDrawClosures(message) {
    var node = settingsHead("closures", "settings_closures", "settings_closures_intro");
    var may = can("schedules:write");
    var from = today();
    var to = shiftDay(from, SETTINGS_CLOSURE_DAYS);
    var listBox = el("div", { class: "hb-closures" });
    node.appendChild(el("h3", { id: "hb-settings-closures-list", text: tr("settings_closures_upcoming") }));
    node.appendChild(listBox);
    var status = el("p", { class: "hb-saved hb-ok" });
    node.appendChild(status);
    if (message) settingsDone(status, message);
    var rows = [];
    try {
      var r = await api("GET", "/tenant/closures?from=" + from + "&to=" + to);
      rows = (r.data || []).slice().sort(function (a, b) { return a.date_from < b.date_from ? -1 : a.date_from > b.date_from ? 1 : 0; });
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      listBox.appendChild(el("p", { class: "hb-alert", role: "alert", text: reasonText(error) }));
      rows = null;
    }
    if (rows && !rows.length) listBox.appendChild(el("p", { text: tr("settings_closures_none") }));
    if (rows && rows.length) {
      var ul = el("ul", { class: "hb-closure-list" });
      rows.forEach(function (c) { ul.appendChild(settingsClosureRow(c, may)); });
      listBox.appendChild(ul);
    }
    if (!may) {
      node.appendChild(el("p", { class: "hb-hint", text: tr("settings_closures_not_allowed") }));
      return;
    }
    node.appendChild(el("h3", { text: tr("settings_closure_add") }));
    var start = field(tr("settings_closure_from"), { type: "date", required: true, min: from });
    var end = field(tr("settings_closure_to"), { type: "date", required: true, min: from });
    var both = el("p", { class: "hb-hint", id: newId("h"), text: tr("settings_closure_to_hint") });
    start.input.setAttribute("aria-describedby", both.id);
    end.input.setAttribute("aria-describedby", both.id);
    var label = field(tr("settings_closure_label"), { type: "text", maxlength: "100" }, tr("settings_closure_label_hint"));
    start.input.addEventListener("change", function () {
      if (start.input.value) end.input.min = start.input.value;
      if (start.input.value && (!end.input.value || end.input.value < start.input.value)) end.input.value = start.input.value;
    });
    var errors = alertBox();
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      el("div", { class: "hb-dates" }, [start.node, end.node, both]), label.node, errors,
      el("div", { class: "hb-save-row" }, [el("button", { type: "submit", class: "hb-primary", text: tr("settings_closure_button") })])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var missing = [start, end].filter(function (f) { f.input.removeAttribute("aria-invalid"); return !f.input.value.trim(); });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      var span = (Date.parse(end.input.value) - Date.parse(start.input.value)) / 86400000 + 1;
      if (end.input.value < start.input.value || span > SETTINGS_CLOSURE_MAX) {
        end.input.setAttribute("aria-invalid", "true");
        showError(errors, span > SETTINGS_CLOSURE_MAX ? tr("settings_closure_long", { days: SETTINGS_CLOSURE_MAX }) : tr("settings_closure_order"));
        end.input.focus();
        return;
      }
      settingsSaving(form, true);
      try {
        var made = await api("POST", "/tenant/closures", { date_from: start.input.value, date_to: end.input.value, label: label.input.value.trim() });
        var c = made.data || {};
        var shown = settingsClosureText({ date_from: c.date_from || start.input.value, date_to: c.date_to || end.input.value, label: c.label || label.input.value.trim() });
        await settingsDrawClosures(tr("settings_closure_added", shown));
        focusHeading(document.getElementById("hb-settings-closures-list"));
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        settingsSaving(form, false);
        showError(errors, error.status === 422 ? tr("err_check") + " " + settingsFieldErrors(error.problem, {
          date_from: tr("settings_closure_from"), date_to: tr("settings_closure_to"), label: tr("settings_closure_label")
        }).join("; ") : reasonText(error));
      }
    });
    node.appendChild(form);
  }

  function settingsClosureText(c) {
    var when = c.date_from === c.date_to ? settingsShortDate(c.date_from)
      : tr("settings_closure_range", { from: settingsShortDate(c.date_from), to: settingsShortDate(c.date_to) });
    return { when: when, label: c.label || tr("settings_closure_unnamed") };
  }

  function settingsClosureRow(c, may) {
    var text = settingsClosureText(c);
    var li = el("li", { class: "hb-closure", "data-closure": c.id });
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function draw() {
      clear(actions);
      if (!may) return;
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", text: tr("settings_closure_delete"),
        "aria-label": tr("settings_closure_delete_named", { label: text.label, when: text.when }),
        onclick: ask
      }));
    }
    function ask() {
      clear(actions);
      var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("settings_closure_really", { label: text.label, when: text.when }) });
      var yes = el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("settings_closure_yes"), onclick: remove });
      var no = el("button", { type: "button", class: "hb-secondary", text: tr("settings_closure_keep"), onclick: function () { draw(); actions.querySelector("button").focus(); } });
      actions.appendChild(q);
      actions.appendChild(yes);
      actions.appendChild(no);
      yes.focus();
    }
    async function remove() {
      showError(errors, "");
      actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      try {
        await api("DELETE", "/tenant/closures/" + encodeURIComponent(c.id));
        await settingsDrawClosures(tr("settings_closure_deleted", { label: text.label, when: text.when }));
        focusHeading(document.getElementById("hb-settings-closures-list"));
      } catch (error) {
        if (error instanceof SessionEnded || !settingsBox) return;
        if (error.status === 404) {
          await settingsDrawClosures(tr("settings_closure_gone")).catch(function () {});
          focusHeading(document.getElementById("hb-settings-closures-list"));
          return;
        }
        draw();
        showError(errors, reasonText(error));
        var b = actions.querySelector("button");
        if (b) b.focus();
      }
    }
    li.appendChild(el("p", { class: "hb-closure-text" }, [el("strong", { text: text.when }), " · " + text.label]));
    li.appendChild(actions);
    li.appendChild(errors);
    draw();
    return li;
  }

  // --- second factor --------------------------------------------------------------------------------------

  function settingsDrawSecurity() {
    var tn = ctx.tenant;
    var node = settingsHead("security", "settings_security", null);
    if (!can("tenant:security")) {
      node.appendChild(el("p", { text: tn.require_totp ? tr("settings_totp_on") : tr("settings_totp_off") }));
      node.appendChild(el("p", { class: "hb-hint", text: tr("settings_totp_owner_only") }));
      return;
    }
    var totp = settingsCheck(tr("settings_totp"), tn.require_totp, tr("settings_totp_hint"));
    var errors = alertBox();
    var note = el("p", { class: "hb-saved hb-ok" });
    var confirmBox = el("div", { class: "hb-actions", hidden: true });
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("settings_save") });
    var form = el("form", { class: "hb-form hb-settings-form", novalidate: true }, [
      totp.node, confirmBox, errors, el("div", { class: "hb-save-row" }, [save, note])
    ]);
    async function send() {
      await settingsPatch("security", { require_totp: totp.input.checked }, form, errors, note, { require_totp: tr("settings_totp") });
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (totp.input.checked && !tn.require_totp) {
        // Switching it on can lock people out of the console: asked twice.
        clear(confirmBox);
        var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("settings_totp_really") });
        confirmBox.appendChild(q);
        confirmBox.appendChild(el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("settings_totp_yes"), onclick: send }));
        confirmBox.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("settings_totp_no"), onclick: function () {
          confirmBox.hidden = true;
          totp.input.checked = false;
          totp.input.focus();
        } }));
        confirmBox.hidden = false;
        save.hidden = true;
        confirmBox.querySelector(".hb-danger").focus();
        return;
      }
      await send();
    });
    node.appendChild(form);
  }
