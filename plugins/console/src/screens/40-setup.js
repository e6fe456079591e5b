/* Setup checklist (owners and managers): what still keeps the salon from taking
 * online bookings, in plain words, each with a button to the screen that fixes
 * it (GET /v1/tenant/readiness). Once every blocking check is done it shows
 * the public booking link. Part of the console's one function scope (see
 * console.js).
 *
 * first(): true while the salon cannot take online bookings, so that the core
 * can open this screen first after sign-in (the core asks every allowed screen
 * that has a ``first`` in menu order, see openApp). */

  // Readiness check id -> its texts and where it is fixed: a screen of the
  // console, and for the settings screen the section (go(screen, section)).
  var SETUP_CHECKS = [
    { id: "vault", screen: "keys", labelKey: "setup_vault", textKey: "setup_vault_text", buttonKey: "setup_vault_fix" },
    { id: "service", screen: "services", labelKey: "setup_service", textKey: "setup_service_text", buttonKey: "setup_service_fix" },
    { id: "bookable_person", screen: "team", labelKey: "setup_person", textKey: "setup_person_text", buttonKey: "setup_person_fix" },
    { id: "hours", screen: "team", labelKey: "setup_hours", textKey: "setup_hours_text", buttonKey: "setup_hours_fix" },
    { id: "privacy_notice", screen: "settings", section: "notices", labelKey: "setup_notice", textKey: "setup_notice_text", buttonKey: "setup_notice_fix" },
    { id: "stealth", screen: "settings", section: "stealth", labelKey: "setup_stealth", textKey: "setup_stealth_text", buttonKey: "setup_stealth_fix" }
  ];

  registerScreen({
    id: "setup",
    label: "setup_nav",
    allowed: function () { return can("tenant:write"); },
    first: setupNeeded,
    render: async function (box) {
      box.appendChild(el("h1", { text: tr("setup_title") }));
      var body = el("div", { class: "hb-setup" });
      box.appendChild(body);
      try {
        await setupDraw(body);
      } catch (error) {
        if (error instanceof SessionEnded) throw error;
        body.appendChild(el("p", { class: "hb-alert", role: "alert", text: setupFailed(error) }));
      }
    }
  });

  /* True while the salon cannot take online bookings (and the person may fix
   * it); false when it can, or when readiness cannot be read. */
  async function setupNeeded() {
    if (!can("tenant:write")) return false;
    try {
      var r = await api("GET", "/tenant/readiness");
      return !(r.data && r.data.bookable_online);
    } catch (error) {
      return false;
    }
  }

  function setupScreenState(id) {
    if (allowedScreens().some(function (s) { return s.id === id; })) return "allowed";
    if (screens.some(function (s) { return s.id === id; })) return "forbidden";
    return "missing";
  }

  function setupBookingLink() {
    return location.origin + "/book/" + encodeURIComponent(ctx.tenant.slug);
  }

  async function setupDraw(body, announce) {
    clear(body);
    var r = await api("GET", "/tenant/readiness");
    var ready = r.data || { bookable_online: false, checks: [] };
    var checks = ready.checks || [];
    var missing = checks.filter(function (c) { return c.blocking && !c.ok; });
    var summary = el("div", { class: "hb-setup-summary" + (ready.bookable_online ? " hb-setup-ready" : "") });
    if (ready.bookable_online) {
      var link = setupBookingLink();
      summary.appendChild(el("p", { class: "hb-ok", text: tr("setup_ready") }));
      summary.appendChild(el("p", {}, [
        tr("setup_link") + " ",
        el("a", { href: link, target: "_blank", rel: "noopener", class: "hb-booking-link", text: link })
      ]));
      summary.appendChild(el("p", { class: "hb-hint", text: tr("setup_link_hint") }));
    } else {
      summary.appendChild(el("p", { class: "hb-setup-blocked", text: tr("setup_not_ready", { n: missing.length }) }));
      summary.appendChild(el("p", { class: "hb-hint", text: tr("setup_not_ready_hint") }));
    }
    body.appendChild(summary);

    var list = el("ol", { class: "hb-checklist" });
    checks.forEach(function (c) { list.appendChild(setupItem(c)); });
    body.appendChild(list);
    var button = el("button", {
      type: "button", class: "hb-secondary hb-setup-again", text: tr("setup_check_again"),
      onclick: async function () {
        button.disabled = true;
        try {
          await setupDraw(body, true);
          var again = body.querySelector(".hb-setup-again");
          if (again) again.focus();
        } catch (error) {
          if (error instanceof SessionEnded) return;
          button.disabled = false;
          body.appendChild(el("p", { class: "hb-alert", role: "alert", text: setupFailed(error) }));
        }
      }
    });
    body.appendChild(button);
    if (announce) say(ready.bookable_online ? tr("setup_ready") : tr("setup_not_ready", { n: missing.length }));
  }

  function setupFailed(error) {
    if (error.status === 0 || error.status === 403) return reasonText(error);
    return tr("setup_failed", { message: error.message });
  }

  function setupItem(c) {
    var spec = SETUP_CHECKS.filter(function (s) { return s.id === c.id; })[0];
    var state = c.ok ? "ok" : c.blocking ? "missing" : "advice";
    var titleId = newId("check");
    var li = el("li", { class: "hb-check-item hb-check-" + state, "data-check": c.id });
    var title = spec ? tr(spec.labelKey) : c.id;
    li.appendChild(el("h2", { id: titleId }, [
      el("span", { class: "hb-check-mark", "aria-hidden": "true", text: c.ok ? "✓" : c.blocking ? "✗" : "!" }),
      el("span", { text: title })
    ]));
    li.appendChild(el("p", { class: "hb-check-state", text: tr("setup_state_" + state) }));
    if (c.ok || !spec) return li;
    li.appendChild(el("p", { class: "hb-check-text", text: tr(spec.textKey) }));
    var where = setupScreenState(spec.screen);
    if (where === "allowed") {
      li.appendChild(el("button", {
        type: "button", class: c.blocking ? "hb-primary" : "hb-secondary", text: tr(spec.buttonKey),
        onclick: function () { go(spec.screen, spec.section); }
      }));
    } else {
      li.appendChild(el("p", { class: "hb-hint", text: where === "forbidden" ? tr("setup_ask_owner") : tr("setup_not_in_console") }));
    }
    return li;
  }
