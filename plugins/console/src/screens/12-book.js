/* Booking a caller and moving an appointment: the forms the appointment book
 * (screens/10-day.js) opens in its side panel. Part of the console's one
 * function scope (see console.js); registers no screen of its own.
 *
 * Free times come from GET /v1/availability (one day, one service, one person
 * or everyone who offers it). A new client's profile is sealed HERE with
 * vault.sealProfile (the business's public key) and sent as {client_key,
 * sealed_profile, key_version, contacts} inside POST /v1/appointments, the body
 * the Python SDK's appointments.create(new_client=…, contacts=…) sends: the
 * name never leaves the browser in the clear; the typed phone and e-mail go
 * along only so the service can hash them into its blind index (never stored),
 * which is how POST /v1/clients/lookup finds a returning client. Moving reads
 * the appointment first for its ETag and sends PATCH with If-Match. */

  var PHONE = /^\+?[0-9 ()/.-]{5,30}$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var booking = null; // the open booking form: {found, foundName, vaultChanged()}

  onForget(forgetBooking);

  onVaultChange(function () {
    if (booking && booking.vaultChanged) return booking.vaultChanged();
  });

  function forgetBooking() {
    booking = null;
  }

  function selectField(label, options, attrs) {
    var id = newId("f");
    var select = el("select", Object.assign({ id: id }, attrs || {}));
    var node = el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), select]);
    setOptions(select, options);
    return { input: select, node: node };
  }

  function setOptions(select, options) {
    var was = select.value;
    clear(select);
    options.forEach(function (o) { select.appendChild(el("option", { value: String(o[0]), text: o[1] })); });
    if (options.some(function (o) { return String(o[0]) === was; })) select.value = was;
  }

  /* Active, bookable team members who offer ``service``. */
  function offering(service) {
    return bookable().filter(function (s) { return (service.staff_ids || []).indexOf(s.id) !== -1; });
  }

  function isoInstant(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /* Free starts of a service on a local date: [{at (ms), hm, staff: [ids]}], by time. */
  async function freeTimes(serviceId, staffId, date) {
    var path = "/availability?service_id=" + serviceId + "&from=" + date + "T00:00:00&to=" + shiftDay(date, 1) + "T00:00:00" + (staffId ? "&staff_id=" + staffId : "");
    var r = await api("GET", path);
    var byTime = new Map();
    (r.data || []).forEach(function (person) {
      var step = Math.max(1, person.step_min || 15) * 60000;
      (person.windows || []).forEach(function (w) {
        var last = Date.parse(w.last);
        for (var at = Date.parse(w.first), n = 0; at <= last && n < 1500; at += step, n++) {
          var slot = byTime.get(at);
          if (!slot) {
            slot = { at: at, hm: zoneParts(new Date(at), ctx.tz).hm, staff: [] };
            byTime.set(at, slot);
          }
          slot.staff.push(person.staff_id);
        }
      });
    });
    return Array.from(byTime.values()).sort(function (x, y) { return x.at - y.at; });
  }

  /* The free times as one radio group. ``prefer``: the person to take when
   * several are free at the chosen time ("anyone"). */
  function timePicker() {
    var name = newId("time");
    var legend = el("legend", { text: tr("book_times") });
    var list = el("div", { class: "hb-time-list" });
    var info = el("p", { class: "hb-hint", role: "status" });
    var chosenText = el("p", { class: "hb-chosen" });
    var node = el("fieldset", { class: "hb-times" }, [legend, info, list, chosenText]);
    var slots = [];
    var prefer = null;

    function chosen() {
      var on = list.querySelector("input:checked");
      if (!on) return null;
      var slot = slots[parseInt(on.value, 10)];
      var staffId = prefer !== null && slot.staff.indexOf(prefer) !== -1 ? prefer : slot.staff[0];
      return { at: slot.at, hm: slot.hm, staffId: staffId };
    }

    function describe() {
      var c = chosen();
      var who = c && ctx.staff.get(c.staffId);
      chosenText.textContent = c ? tr("book_chosen", { time: c.hm, name: who ? who.display_name : "#" + c.staffId }) : "";
    }

    return {
      node: node,
      chosen: chosen,
      loading: function () {
        slots = [];
        clear(list);
        chosenText.textContent = "";
        info.textContent = tr("book_times_loading");
      },
      fail: function (text) {
        slots = [];
        clear(list);
        chosenText.textContent = "";
        info.textContent = text;
      },
      show: function (found, date, preferred) {
        var before = chosen();
        slots = found;
        prefer = preferred === undefined ? null : preferred;
        clear(list);
        legend.textContent = tr("book_times_on", { date: longDate(date) });
        info.textContent = found.length ? tr("book_times_count", { count: found.length }) : tr("book_times_none");
        found.forEach(function (slot, i) {
          var id = name + "-" + i;
          var input = el("input", { type: "radio", name: name, id: id, value: String(i), onchange: describe });
          if (before && before.at === slot.at) input.checked = true;
          list.appendChild(el("span", { class: "hb-time" }, [input, el("label", { for: id, text: slot.hm })]));
        });
        describe();
      }
    };
  }

  function focusUnlock() {
    var input = els.vault && els.vault.querySelector("input");
    if (input) input.focus();
    else if (els.vault) focusHeading(els.vault.querySelector("h2"));
  }

  // --- booking a caller ---------------------------------------------------------------------------------

  /* The form in ``box`` (the side panel). opts: {date, staffId}; done(appointment,
   * text) after booking, done(null) when given up. */
  function drawBooking(box, opts, done) {
    clear(box);
    var state = { found: null, foundName: null, vaultChanged: null };
    booking = state;
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("book_title") }));
    var services = [];
    ctx.services.forEach(function (s) { if (s.active !== false && offering(s).length) services.push(s); });
    var close = el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("book_cancel"), onclick: function () { done(null); } });
    if (!services.length) {
      box.appendChild(el("p", { text: tr("book_no_services") }));
      box.appendChild(close);
      return;
    }
    var service = selectField(tr("service"), services.map(function (s) { return [s.id, tr("book_service_option", { name: s.name, minutes: s.duration_min })]; }), { name: "book-service" });
    var person = selectField(tr("team_member"), [], { name: "book-person" });
    var date = field(tr("book_date"), { type: "date", name: "book-date", value: opts.date, required: true });
    var times = timePicker();
    var client = clientPart(state);
    var errors = alertBox();
    var submit = el("button", { type: "submit", class: "hb-primary", "data-action": "book-submit", text: tr("book_submit") });
    var form = el("form", { class: "hb-form hb-book", novalidate: true }, [
      service.node, person.node, date.node, times.node, client.node, errors,
      el("div", { class: "hb-actions" }, [submit, close])
    ]);
    box.appendChild(form);

    function people() {
      var s = ctx.services.get(parseInt(service.input.value, 10));
      setOptions(person.input, [["", tr("book_anyone")]].concat(offering(s).map(function (m) { return [m.id, m.display_name]; })));
    }
    people();
    if (opts.staffId) person.input.value = String(opts.staffId);

    var asked = 0;
    async function refreshTimes() {
      var mine = ++asked;
      var on = date.input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) { times.fail(tr("book_pick_date")); return; }
      times.loading();
      try {
        var found = await freeTimes(service.input.value, person.input.value, on);
        if (mine === asked) times.show(found, on);
      } catch (error) {
        if (error instanceof SessionEnded || mine !== asked) return;
        times.fail(reasonText(error));
      }
    }
    service.input.addEventListener("change", function () { people(); refreshTimes(); });
    person.input.addEventListener("change", refreshTimes);
    date.input.addEventListener("change", refreshTimes);
    refreshTimes();

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var slot = times.chosen();
      var problems = [];
      if (!slot) problems.push(tr("book_need_time"));
      var kind = client.kind();
      var body = {
        service_id: parseInt(service.input.value, 10),
        staff_id: slot ? slot.staffId : null,
        start: slot ? isoInstant(slot.at) : null,
        source: kind === "none" ? "walk_in" : "phone",
        allow_outside_hours: false
      };
      if (kind === "returning" && !state.found) problems.push(tr("book_need_client"));
      var typed = kind === "new" ? client.typed() : null;
      if (typed) problems = problems.concat(typed.problems);
      if (problems.length) {
        showError(errors, tr("err_check"), problems);
        return;
      }
      if (kind !== "none" && !(vault && vault.unlocked)) {
        showError(errors, tr("book_unlock_first"));
        focusUnlock();
        return;
      }
      submit.disabled = true;
      try {
        if (kind === "returning") body.client_id = state.found.id;
        if (kind === "new") {
          // Sealed here to the business's public key; the name is never sent in the clear.
          body.client = await vault.sealProfile(typed.profile);
          if (Object.keys(typed.contacts).length) body.client.contacts = typed.contacts;
        }
        var r = await api("POST", "/appointments", body);
        client.clear();
        var who = ctx.staff.get(r.data.staff_id);
        forgetBooking();
        await done(r.data, tr("book_done", { date: longDate(zoneParts(new Date(r.data.start), ctx.tz).date), time: zoneParts(new Date(r.data.start), ctx.tz).hm, name: who ? who.display_name : "" }));
      } catch (error) {
        submit.disabled = false;
        if (error instanceof SessionEnded) return;
        if (error.reason === "slot_taken") {
          showError(errors, tr("book_slot_taken"));
          refreshTimes();
        } else if (error.reason === "stale_key_version" || error.name === "VaultLocked") {
          showError(errors, tr("book_relock"));
        } else if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
        } else {
          showError(errors, error instanceof ApiError ? reasonText(error) : tr("book_seal_failed"));
        }
      }
    });
  }

  /* Who the appointment is for: a returning client (found by phone or e-mail),
   * a new client (typed, sealed here) or nobody (walk-in). */
  function clientPart(state) {
    var collected = (ctx.tenant.profile_fields || ["name", "email", "phone"]);
    var group = newId("kind");
    var kinds = [];
    if (can("clients:read")) kinds.push(["returning", "book_client_returning"]);
    kinds.push(["new", "book_client_new"], ["none", "book_client_none"]);
    var radios = el("div", { class: "hb-kinds" });
    kinds.forEach(function (k, i) {
      var id = group + "-" + k[0];
      radios.appendChild(el("span", { class: "hb-kind" }, [
        el("input", { type: "radio", name: group, id: id, value: k[0], checked: i === 0, onchange: update }),
        el("label", { for: id, text: tr(k[1]) })
      ]));
    });
    var hint = el("div", { class: "hb-vault-hint", hidden: true });

    // (a) a returning client
    var query = field(tr("book_lookup"), { name: "book-lookup", autocomplete: "off", spellcheck: "false" }, tr("book_lookup_hint"));
    var findButton = el("button", { type: "button", class: "hb-secondary", "data-action": "lookup", text: tr("book_find") });
    var result = el("p", { class: "hb-found", role: "status" });
    var returning = el("div", { class: "hb-client-part" }, [el("div", { class: "hb-lookup" }, [query.node, findButton]), result]);
    query.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); find(); }
    });
    findButton.addEventListener("click", find);

    // (b) a new client
    var name = field(tr("book_name"), { name: "book-name", autocomplete: "off", required: true });
    var phone = collected.indexOf("phone") !== -1 ? field(tr("book_phone"), { name: "book-phone", type: "tel", autocomplete: "off" }) : null;
    var email = collected.indexOf("email") !== -1 ? field(tr("book_email"), { name: "book-email", type: "email", autocomplete: "off" }) : null;
    var fresh = el("div", { class: "hb-client-part" }, [
      el("p", { class: "hb-hint", text: tr("book_sealed_hint") }),
      name.node, phone ? phone.node : null, email ? email.node : null
    ]);

    var node = el("fieldset", { class: "hb-client" }, [el("legend", { text: tr("client") }), radios, hint, returning, fresh]);

    function kind() {
      var on = radios.querySelector("input:checked");
      return on ? on.value : "none";
    }

    function showHint(text) {
      clear(hint);
      hint.hidden = !text;
      if (!text) return;
      hint.appendChild(el("p", { text: text }));
      if (els.vault && !(vault && vault.unlocked)) {
        hint.appendChild(el("button", { type: "button", class: "hb-link", text: tr("book_go_unlock"), onclick: focusUnlock }));
      }
    }

    function update() {
      var k = kind();
      returning.hidden = k !== "returning";
      fresh.hidden = k !== "new";
      var locked = !(vault && vault.unlocked);
      if (k === "returning") showHint(locked ? tr("book_locked_find") : !vault.canRead ? tr("book_no_grant") : "");
      else if (k === "new") showHint(locked ? tr("book_locked_new") : "");
      else showHint("");
      findButton.disabled = k === "returning" && (locked || !vault.canRead);
    }

    async function find() {
      var text = query.input.value.trim();
      state.found = null;
      state.foundName = null;
      result.textContent = "";
      query.input.removeAttribute("aria-invalid");
      if (!text) {
        query.input.setAttribute("aria-invalid", "true");
        result.textContent = tr("book_lookup_empty");
        query.input.focus();
        return;
      }
      if (!(vault && vault.canRead)) { update(); return; }
      var body = text.indexOf("@") !== -1 ? { email: text } : { phone: text };
      findButton.disabled = true;
      result.textContent = tr("book_finding");
      try {
        var r = await api("POST", "/clients/lookup", body);
        var row = (r.data || [])[0];
        if (!row) {
          result.textContent = tr("book_not_found");
          return;
        }
        var profile = await vault.openClient(row);
        if (booking !== state) return;
        state.found = row;
        state.foundName = profile.name || "";
        var extra = [profile.phone, profile.email].filter(function (x) { return x; }).join(" · ");
        result.textContent = tr("book_found", { name: state.foundName }) + (extra ? " (" + extra + ")" : "");
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) {
          query.input.setAttribute("aria-invalid", "true");
          result.textContent = tr("book_lookup_invalid");
        } else {
          result.textContent = error instanceof ApiError ? reasonText(error) : tr("client_unreadable");
        }
      } finally {
        findButton.disabled = false;
        update();
      }
    }

    function typed() {
      var problems = [];
      var profile = {}, contacts = {};
      var fields = [name, phone, email].filter(function (f) { return f; });
      fields.forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var n = name.input.value.trim();
      if (!n) { problems.push(tr("book_name")); name.input.setAttribute("aria-invalid", "true"); }
      else profile.name = n;
      var p = phone ? phone.input.value.trim() : "";
      if (p && !PHONE.test(p)) { problems.push(tr("book_phone_invalid")); phone.input.setAttribute("aria-invalid", "true"); }
      else if (p) { profile.phone = p; contacts.phone = p; }
      var e = email ? email.input.value.trim() : "";
      if (e && !EMAIL.test(e)) { problems.push(tr("book_email_invalid")); email.input.setAttribute("aria-invalid", "true"); }
      else if (e) { profile.email = e; contacts.email = e; }
      return { problems: problems, profile: profile, contacts: contacts };
    }

    state.vaultChanged = async function () {
      if (booking !== state) return;
      update();
      if (state.found) {
        try {
          state.foundName = (await vault.openClient(state.found)).name || "";
          result.textContent = tr("book_found", { name: state.foundName });
        } catch (error) {
          state.found = null;
          state.foundName = null;
          result.textContent = "";
        }
      }
    };

    update();
    return {
      node: node,
      kind: kind,
      typed: typed,
      clear: function () {
        [query, name, phone, email].forEach(function (f) { if (f) f.input.value = ""; });
        result.textContent = "";
      }
    };
  }

  // --- moving an appointment ------------------------------------------------------------------------------

  /* The move form in ``box``: another date, time and/or person. done(updated,
   * text) after moving; done(null) to go back; done(null, text, {reload: true})
   * when the appointment changed meanwhile. */
  function drawMove(box, a, done) {
    clear(box);
    var service = ctx.services.get(a.service_id);
    var now = zoneParts(new Date(a.start), ctx.tz);
    var who = ctx.staff.get(a.staff_id);
    box.appendChild(el("h2", { id: "hb-details-title", tabindex: "-1", text: tr("day_move_title") }));
    box.appendChild(el("p", { class: "hb-hint", text: tr("day_move_now", {
      date: longDate(now.date), time: now.hm, name: who ? who.display_name : "#" + a.staff_id, service: service ? service.name : "#" + a.service_id
    }) }));
    var people = service ? offering(service) : [];
    if (!people.some(function (m) { return m.id === a.staff_id; }) && who) people.unshift(who);
    var person = selectField(tr("team_member"), [["", tr("book_anyone")]].concat(people.map(function (m) { return [m.id, m.display_name]; })), { name: "move-person" });
    person.input.value = String(a.staff_id);
    var date = field(tr("day_move_date"), { type: "date", name: "move-date", value: now.date, required: true });
    var times = timePicker();
    var errors = alertBox();
    var submit = el("button", { type: "submit", class: "hb-primary", "data-action": "move-submit", text: tr("day_move_submit") });
    var back = el("button", { type: "button", class: "hb-secondary", "data-action": "move-back", text: tr("day_move_back"), onclick: function () { done(null); } });
    var form = el("form", { class: "hb-form hb-move", novalidate: true }, [person.node, date.node, times.node, errors, el("div", { class: "hb-actions" }, [submit, back])]);
    box.appendChild(form);

    var asked = 0;
    async function refreshTimes() {
      var mine = ++asked;
      var on = date.input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) { times.fail(tr("book_pick_date")); return; }
      times.loading();
      try {
        var found = await freeTimes(a.service_id, person.input.value, on);
        if (mine === asked) times.show(found, on, a.staff_id);
      } catch (error) {
        if (error instanceof SessionEnded || mine !== asked) return;
        times.fail(reasonText(error));
      }
    }
    person.input.addEventListener("change", refreshTimes);
    date.input.addEventListener("change", refreshTimes);
    refreshTimes();

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var slot = times.chosen();
      if (!slot) {
        showError(errors, tr("err_check"), [tr("book_need_time")]);
        return;
      }
      submit.disabled = true;
      try {
        // The appointment as the service has it now, with its ETag: if it is no
        // longer what this screen showed, nothing is moved.
        var current = await api("GET", "/appointments/" + a.id);
        var c = current.data;
        if (c.updated_at !== a.updated_at || c.status !== a.status || c.start !== a.start || c.staff_id !== a.staff_id) {
          await done(null, tr("day_move_changed"), { reload: true });
          return;
        }
        var r = await api("PATCH", "/appointments/" + a.id, { start: isoInstant(slot.at), staff_id: slot.staffId }, { "If-Match": current.headers.get("ETag") });
        var moved = zoneParts(new Date(r.data.start), ctx.tz);
        var to = ctx.staff.get(r.data.staff_id);
        await done(r.data, tr("day_moved", { date: longDate(moved.date), time: moved.hm, name: to ? to.display_name : "" }));
      } catch (error) {
        submit.disabled = false;
        if (error instanceof SessionEnded) return;
        if (error.status === 412 || error.status === 404) {
          await done(null, error.status === 412 ? tr("day_move_changed") : reasonText(error), { reload: true });
        } else if (error.reason === "slot_taken") {
          showError(errors, tr("book_slot_taken"));
          refreshTimes();
        } else if (error.status === 409) {
          await done(null, tr("day_move_not_possible"), { reload: true });
        } else if (error.status === 422) {
          showError(errors, tr("err_check"), fieldErrors(error.problem));
        } else {
          showError(errors, reasonText(error));
        }
      }
    });
  }
