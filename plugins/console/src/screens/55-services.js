/* Services: what the salon offers — name, description, duration, price, who
 * performs it, active or not. Part of the console's one function scope (see
 * console.js); every name declared here starts with "svc" so that it cannot
 * clash with another screen's.
 *
 * Everyone with services:read sees the list; owner and manager
 * (services:write) create, edit, deactivate and activate again. Prices are
 * typed and shown in euros in the salon's language (tenant.locale) and sent
 * as cents. After a change the shared context is read again (reloadContext),
 * so the day view and the other screens see it. */

  registerScreen({
    id: "services",
    label: "services_nav",
    allowed: function () { return can("services:read"); },
    render: async function (box, arg) { await svcScreen(box, arg || {}); }
  });

  function svcLocale() {
    return (ctx.tenant && ctx.tenant.locale) || t.locale || "de";
  }

  function svcPrice(cents) {
    return new Intl.NumberFormat(svcLocale(), { style: "currency", currency: "EUR" }).format((cents || 0) / 100);
  }

  /* The amount as typed in the form: "52,50" in German, "52.50" in English. */
  function svcAmount(cents) {
    return new Intl.NumberFormat(svcLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format((cents || 0) / 100);
  }

  /* Euros as typed (52 | 52,5 | 52.50 | 52,50 €) -> cents, or null. */
  function svcCents(text) {
    var s = String(text || "").replace(/[\s\u00a0€]/g, "").replace(/^EUR|EUR$/i, "");
    var m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(s);
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + "0").slice(0, 2), 10) : 0);
  }

  function svcMinutes(n) {
    return tr("services_minutes", { n: n });
  }

  function svcStaffNames(ids) {
    var out = ids.map(function (id) {
      var s = ctx.staff.get(id);
      if (!s) return "#" + id;
      return s.display_name + (s.active ? "" : " (" + tr("inactive") + ")");
    });
    return out.length ? out.join(", ") : tr("services_nobody");
  }

  function svcErrorText(error) {
    if (error.status === 412 || error.status === 428) return tr("services_err_changed");
    if (error.status === 422) {
      var out = [];
      var errors = (error.problem && error.problem.errors && error.problem.errors.json) || {};
      Object.keys(errors).forEach(function (name) {
        var label = t["services_field_" + name] || name;
        (Array.isArray(errors[name]) ? errors[name] : [JSON.stringify(errors[name])]).forEach(function (m) { out.push(label + ": " + m); });
      });
      if (out.length) return tr("err_check") + " " + out.join("; ");
    }
    return reasonText(error);
  }

  async function svcScreen(box, arg) {
    box.appendChild(el("h1", { text: tr("services_title") }));
    await reloadContext();
    var write = can("services:write");
    if (!write) box.appendChild(el("p", { class: "hb-hint", text: tr("services_readonly") }));
    var formSlot = el("div", { class: "hb-svc-form-slot" });
    var listErrors = alertBox();
    if (write) {
      var create = el("button", { type: "button", class: "hb-primary", "data-action": "new-service", text: tr("services_new"), onclick: function () { svcOpenForm(formSlot, null, create); } });
      box.appendChild(el("div", { class: "hb-actions" }, [create]));
    }
    box.appendChild(formSlot);
    var all = Array.from(ctx.services.values()).sort(function (a, b) {
      return (b.active - a.active) || a.name.localeCompare(b.name);
    });
    var headId = newId("svc");
    var section = el("section", { class: "hb-team-card hb-svc-list-card", "aria-labelledby": headId }, [
      el("h2", { id: headId, text: tr("services_list", { count: all.length }) })
    ]);
    if (arg.note) section.appendChild(el("p", { class: "hb-ok hb-team-note", text: arg.note }));
    var list = el("ul", { class: "hb-svc-list" });
    if (!all.length) list.appendChild(el("li", { class: "hb-hint", text: tr("services_none") }));
    all.forEach(function (s) { list.appendChild(svcItem(s, write, formSlot, listErrors)); });
    section.appendChild(list);
    section.appendChild(listErrors);
    box.appendChild(section);
    if (arg.focus) {
      var again = box.querySelector('[data-service="' + arg.focus + '"] h3');
      if (again) window.setTimeout(function () { focusHeading(again); }, 0);
    }
  }

  function svcItem(s, write, formSlot, errors) {
    var headId = newId("svc");
    var facts = [
      [tr("services_duration"), svcMinutes(s.duration_min)],
      [tr("services_price"), svcPrice(s.price_cents)],
      [tr("services_who"), svcStaffNames(s.staff_ids || [])],
      [tr("services_state"), s.active ? tr("services_active") : tr("services_inactive")]
    ];
    var actions = el("div", { class: "hb-actions" });
    if (write) {
      var edit = el("button", { type: "button", class: "hb-secondary", "aria-describedby": headId, text: tr("services_edit"), onclick: function () { svcOpenForm(formSlot, s, edit); } });
      actions.appendChild(edit);
      actions.appendChild(el("button", {
        type: "button", class: s.active ? "hb-secondary" : "hb-primary", "aria-describedby": headId,
        "data-action": s.active ? "deactivate" : "activate",
        text: s.active ? tr("services_deactivate") : tr("services_activate"),
        onclick: function () { svcSetActive(s, !s.active, errors); }
      }));
    }
    return el("li", { class: "hb-svc" + (s.active ? "" : " hb-team-off"), "data-service": s.id }, [
      el("h3", { id: headId, text: s.name }),
      s.description ? el("p", { class: "hb-svc-desc", text: s.description }) : null,
      el("dl", { class: "hb-facts hb-team-facts" }, facts.reduce(function (out, f) {
        out.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return out;
      }, [])),
      actions
    ]);
  }

  async function svcSetActive(s, active, errors) {
    showError(errors, "");
    try {
      if (active) {
        var fresh = await api("GET", "/services/" + s.id);
        await api("PATCH", "/services/" + s.id, { active: true }, { "If-Match": fresh.headers.get("ETag") });
      } else {
        await api("DELETE", "/services/" + s.id);
      }
      await reloadContext();
      var note = active ? tr("services_activated", { name: s.name }) : tr("services_deactivated", { name: s.name });
      say(note);
      await go("services", { note: note, focus: s.id });
    } catch (error) {
      if (error instanceof SessionEnded) return;
      showError(errors, svcErrorText(error));
    }
  }

  /* The create/edit form (one at a time), above the list. ``back``: the
   * button that opened it, focused again on cancel. */
  async function svcOpenForm(slot, service, back) {
    clear(slot);
    var etag = null;
    if (service) {
      try {
        var fresh = await api("GET", "/services/" + service.id);
        service = fresh.data;
        etag = fresh.headers.get("ETag");
      } catch (error) {
        if (error instanceof SessionEnded) return;
        var box = alertBox();
        slot.appendChild(box);
        showError(box, svcErrorText(error));
        return;
      }
    }
    var headId = newId("svc");
    var section = el("section", { class: "hb-team-card hb-svc-form", "aria-labelledby": headId }, [
      el("h2", { id: headId, tabindex: "-1", text: service ? tr("services_edit_title", { name: service.name }) : tr("services_new_title") })
    ]);
    var name = field(tr("services_name"), { name: "service-name", autocomplete: "off", required: true, maxlength: "120", value: service ? service.name : "" });
    var descId = newId("f");
    var desc = el("textarea", { id: descId, name: "service-description", rows: "3", maxlength: "2000", "aria-describedby": descId + "-hint" });
    desc.value = service ? service.description || "" : "";
    var descNode = el("div", { class: "hb-field" }, [
      el("label", { for: descId, text: tr("services_description") }),
      el("p", { id: descId + "-hint", class: "hb-hint", text: tr("services_description_hint") }),
      desc
    ]);
    var duration = field(tr("services_duration_label"), { name: "service-duration", type: "number", inputmode: "numeric", min: "5", max: "720", step: "5", required: true, value: service ? String(service.duration_min) : "30" }, tr("services_duration_hint"));
    var price = field(tr("services_price_label"), { name: "service-price", inputmode: "decimal", autocomplete: "off", required: true, value: service ? svcAmount(service.price_cents) : "" }, tr("services_price_hint", { example: svcAmount(4550) }));

    // Who performs it: the active team, and whoever is assigned already.
    var chosen = service ? service.staff_ids || [] : [];
    var people = Array.from(ctx.staff.values()).filter(function (m) { return m.active || chosen.indexOf(m.id) !== -1; });
    var whoId = newId("who");
    var boxes = people.map(function (m) {
      var id = newId("cb");
      var input = el("input", { id: id, type: "checkbox", value: String(m.id), checked: chosen.indexOf(m.id) !== -1, "data-staff": m.id });
      var extra = [];
      if (!m.active) extra.push(tr("inactive"));
      if (!m.bookable) extra.push(tr("services_not_bookable"));
      return { input: input, node: el("li", { class: "hb-team-check-row" }, [input, el("label", { for: id, text: m.display_name + (extra.length ? " (" + extra.join(", ") + ")" : "") })]) };
    });
    var who = el("fieldset", { class: "hb-svc-who", "aria-describedby": whoId + "-hint" }, [
      el("legend", { text: tr("services_who_label") }),
      el("p", { id: whoId + "-hint", class: "hb-hint", text: tr("services_who_hint") }),
      el("ul", { class: "hb-svc-people" }, boxes.map(function (b) { return b.node; }))
    ]);
    var active = null;
    if (service) {
      var activeId = newId("cb");
      var activeInput = el("input", { id: activeId, type: "checkbox", checked: service.active, "aria-describedby": activeId + "-hint" });
      active = { input: activeInput, node: el("div", { class: "hb-field hb-team-check" }, [
        el("span", { class: "hb-team-check-row" }, [activeInput, el("label", { for: activeId, text: tr("services_active_label") })]),
        el("p", { id: activeId + "-hint", class: "hb-hint", text: tr("services_active_hint") })
      ]) };
    }
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: service ? tr("services_save") : tr("services_create") });
    var cancel = el("button", { type: "button", class: "hb-secondary", text: tr("services_cancel"), onclick: function () { clear(slot); if (back && back.isConnected) back.focus(); } });
    var form = el("form", { class: "hb-form", novalidate: true }, [
      name.node, descNode, duration.node, price.node, who, active ? active.node : null, errors,
      el("div", { class: "hb-actions" }, [save, cancel])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
      showError(errors, "");
      var problems = [], bad = [];
      var minutes = parseInt(duration.input.value, 10);
      var cents = svcCents(price.input.value);
      var staffIds = boxes.filter(function (b) { return b.input.checked; }).map(function (b) { return parseInt(b.input.value, 10); });
      if (!name.input.value.trim()) { problems.push(tr("services_err_name")); bad.push(name.input); }
      if (!/^\d+$/.test(duration.input.value.trim()) || minutes < 5 || minutes > 720) { problems.push(tr("services_err_duration")); bad.push(duration.input); }
      if (cents === null) { problems.push(tr("services_err_price", { example: svcAmount(4550) })); bad.push(price.input); }
      if (!staffIds.length) { problems.push(tr("services_err_who")); if (boxes.length) bad.push(boxes[0].input); }
      if (problems.length) {
        bad.forEach(function (i) { i.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_check"), problems);
        if (bad.length) bad[0].focus();
        return;
      }
      var body = { name: name.input.value.trim(), description: desc.value.trim(), duration_min: minutes, price_cents: cents, staff_ids: staffIds };
      if (active) body.active = active.input.checked;
      save.disabled = true;
      try {
        var r = service
          ? await api("PATCH", "/services/" + service.id, body, { "If-Match": etag })
          : await api("POST", "/services", body);
        await reloadContext();
        var note = service ? tr("services_saved", { name: r.data.name }) : tr("services_created", { name: r.data.name });
        say(note);
        await go("services", { note: note, focus: r.data.id });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        showError(errors, svcErrorText(error));
        save.focus();
      }
    });
    section.appendChild(form);
    slot.appendChild(section);
    focusHeading(section.querySelector("h2"));
  }
