/* The day view: one column per team member, the appointments as blocks, their
 * details and actions. Part of the console's one function scope (see
 * console.js): it uses the core's helpers and registers the "day" screen. */

  var PX_PER_MIN = 1.6;
  var POLL_MS = 20000;
  var SHOWN = ["pending", "confirmed", "completed", "no_show"];

  var names = new Map(); // client id + key -> opened name, only while the vault is unlocked
  var day = null; // the day shown, "YYYY-MM-DD" in the salon's zone
  var rows = []; // the day's appointments
  var signature = "";
  var selectedId = null;
  var note = null; // {id, text, error}: what the last action on the selected appointment said
  var pollTimer = null;
  var loading = null;

  onForget(function () {
    names.clear();
    rows = [];
    signature = "";
    selectedId = null;
    day = null;
    stopPolling();
  });

  onVaultChange(async function () {
    names.clear();
    if (!els.grid) return;
    await openNames();
    render();
  });

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function may(permission) {
    if (permission === "write") return can("appointments:write");
    if (permission === "identity") return can("clients:identity");
    return false;
  }

  registerScreen({
    id: "day",
    label: "nav_day",
    allowed: function () { return can("appointments:read") || can("appointments:read_own"); },
    render: async function (box) {
      if (!day) day = today();
      renderDay(box);
      await loadDay({ announce: false });
      stopPolling();
      pollTimer = setInterval(function () { loadDay({ quiet: true }).catch(function () {}); }, POLL_MS);
    },
    leave: function () {
      stopPolling();
      selectedId = null;
      els.grid = null;
    },
    tick: function () { if (day) drawNowLine(); }
  });

  function renderDay(box) {
    var h1 = el("h1", { class: "hb-sr-only", text: tr("app_title") });
    box.appendChild(h1);
    var layout = el("div", { class: "hb-layout" });
    var left = el("div", { class: "hb-daypane" });
    if (may("identity") && vault) left.appendChild(renderVault());
    els.day = el("section", { class: "hb-day", "aria-labelledby": "hb-day-title" });
    left.appendChild(els.day);
    els.details = el("section", { class: "hb-details", "aria-labelledby": "hb-details-title", hidden: true });
    layout.appendChild(left);
    layout.appendChild(els.details);
    box.appendChild(layout);
    renderDayFrame();
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
