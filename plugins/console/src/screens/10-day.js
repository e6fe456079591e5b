/* The appointment book: the day (one column per team member) and the week
 * (one person's seven days, or the whole team's counts per day), with working
 * time, breaks, time off and closures shaded, the appointments as blocks, their
 * details and actions. Booking a caller and moving an appointment are drawn by
 * screens/12-book.js into the same side panel. Part of the console's one
 * function scope (see console.js): it uses the core's helpers and registers the
 * "day" screen.
 *
 * Requests: GET /v1/appointments for the shown day or week (all pages; polled
 * every 20 s with If-None-Match, so an unchanged poll is a bodiless 304) and
 * GET /v1/schedule for the same dates (hours and absences, local wall times). */

  var PX_PER_MIN = 1.6;
  var POLL_MS = 20000;
  var SCHEDULE_EVERY = 15; // re-read the working hours every 15th poll (5 minutes)
  var SHOWN = ["pending", "confirmed", "completed", "no_show"];

  var names = new Map(); // client id + key -> opened name, only while the vault is unlocked
  var view = "day"; // "day" or "week"
  var day = null; // the day shown (in the week view: a day of the week), "YYYY-MM-DD" in the salon's zone
  var weekWho = "team"; // the week view: "team" (counts per person and day) or a staff id
  var rows = []; // the appointments of the shown day or week
  var schedule = null; // staff id + "|" + date -> {hours, away} (GET /v1/schedule); null: not known
  var scheduleFor = ""; // the range the schedule was read for
  var listTag = null; // {path, etag} of the last appointment list (for If-None-Match)
  var signature = "";
  var selectedId = null;
  var panel = null; // the side panel: null, "details", "move" or "book"
  var note = null; // {id, text, error}: what the last action on the selected appointment said
  var pollTimer = null;
  var polls = 0;
  var loading = null;
  var loadingKey = null; // the day or week the read in flight is for (rangeKey)

  onForget(function () {
    names.clear();
    rows = [];
    schedule = null;
    scheduleFor = "";
    listTag = null;
    signature = "";
    selectedId = null;
    panel = null;
    note = null;
    day = null;
    view = "day";
    weekWho = "team";
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
    render: async function (box, arg) {
      // arg.appointment: open that appointment (a link from a staff mail,
      // /console/?appointment=<id>): its day, its details.
      var wanted = arg && arg.appointment ? await appointmentToShow(arg.appointment) : null;
      if (wanted) {
        day = zoneParts(new Date(wanted.start), ctx.tz).date;
        view = "day";
      }
      if (!day) day = today();
      renderDay(box);
      await load({ announce: false });
      if (wanted && rows.some(function (a) { return a.id === wanted.id; })) select(wanted.id);
      stopPolling();
      pollTimer = setInterval(function () { load({ quiet: true }).catch(function () {}); }, POLL_MS);
    },
    leave: function () {
      stopPolling();
      selectedId = null;
      panel = null;
      els.grid = null;
    },
    tick: function () { if (day) drawNowLine(); }
  });

  /* The appointment a link names, if this person may see it (else none: the
   * day view opens as usual). */
  async function appointmentToShow(id) {
    if (!/^[0-9]{1,15}$/.test(String(id))) return null;
    try {
      return (await api("GET", "/appointments/" + id)).data;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      return null;
    }
  }

  // --- dates and ranges --------------------------------------------------------------------------

  function weekStart(iso) {
    var weekday = new Date(iso + "T00:00:00Z").getUTCDay(); // 0 = Sunday
    return shiftDay(iso, -((weekday + 6) % 7));
  }

  /* The dates shown: the day, or Monday to Sunday of its week. */
  function shownDates() {
    if (view === "day") return [day];
    var first = weekStart(day);
    return [0, 1, 2, 3, 4, 5, 6].map(function (n) { return shiftDay(first, n); });
  }

  function rangeKey() {
    var dates = shownDates();
    return view + ":" + dates[0] + ":" + dates[dates.length - 1];
  }

  function dateText(iso, options) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", Object.assign({ timeZone: "UTC" }, options))
      .format(new Date(iso + "T00:00:00Z"));
  }

  function shortDay(iso) {
    return dateText(iso, { weekday: "short", day: "numeric", month: "numeric" });
  }

  function minutesOf(hm) {
    var parts = String(hm).split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function hmOf(minutes) {
    return String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  // --- the frame: view switch, navigation, booking -------------------------------------------------

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
    var week = view === "week";
    var dates = shownDates();
    var title = week
      ? tr("day_week_title", { from: dateText(dates[0], { day: "numeric", month: "long" }), to: dateText(dates[6], { day: "numeric", month: "long", year: "numeric" }) })
      : longDate(day);
    box.appendChild(el("h2", { id: "hb-day-title", text: title }));

    var toolbar = el("div", { class: "hb-toolbar" });
    var views = el("div", { class: "hb-views", role: "group", "aria-label": tr("day_view_label") });
    [["day", "day_view_day"], ["week", "day_view_week"]].forEach(function (v) {
      views.appendChild(el("button", {
        type: "button", class: "hb-secondary hb-view-button", "data-view": v[0], "data-focus": "view-" + v[0], "aria-pressed": view === v[0] ? "true" : "false", text: tr(v[1]),
        onclick: function () { switchView(v[0]); }
      }));
    });
    toolbar.appendChild(views);
    if (may("write")) {
      toolbar.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "book", text: tr("book_new"), onclick: function () { openPanel("book"); } }));
    } else {
      toolbar.appendChild(el("p", { class: "hb-hint hb-why-not", text: tr("book_not_allowed") }));
    }
    box.appendChild(toolbar);

    var dateId = newId("date");
    var picker = el("input", { id: dateId, type: "date", value: day, required: true, "data-focus": "date" });
    picker.addEventListener("change", function () {
      if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) goTo(picker.value);
    });
    var step = week ? 7 : 1;
    var nav = el("nav", { class: "hb-daynav", "aria-label": tr(week ? "day_week_nav" : "day_nav") }, [
      el("button", { type: "button", class: "hb-secondary", "data-focus": "prev", text: tr(week ? "day_prev_week" : "prev_day"), onclick: function () { goTo(shiftDay(day, -step)); } }),
      el("span", { class: "hb-field hb-date" }, [el("label", { for: dateId, text: tr("date") }), picker]),
      el("button", { type: "button", class: "hb-secondary", "data-focus": "next", text: tr(week ? "day_next_week" : "next_day"), onclick: function () { goTo(shiftDay(day, step)); } }),
      el("button", { type: "button", class: "hb-secondary", "data-focus": "today", text: tr(week ? "day_this_week" : "today"), onclick: function () { goTo(today()); } })
    ]);
    box.appendChild(nav);
    if (week && ctx.me.role !== "staff") box.appendChild(whoPicker());
    els.updated = el("p", { class: "hb-updated" });
    box.appendChild(els.updated);
    els.grid = el("div", {
      class: "hb-grid-scroll", role: "region", tabindex: "0",
      "aria-label": week ? tr(weekWho === "team" ? "day_week_team_label" : "day_week_person_label") : tr("grid_label")
    });
    box.appendChild(els.grid);
    els.other = el("div", { class: "hb-other" });
    box.appendChild(els.other);
    els.dayError = alertBox();
    box.appendChild(els.dayError);
  }

  /* The week of whom: the whole team (counts) or one person's seven days. */
  function whoPicker() {
    var id = newId("who");
    var select = el("select", { id: id, name: "week-who" }, [el("option", { value: "team", text: tr("day_week_team") })]);
    bookable().forEach(function (s) {
      select.appendChild(el("option", { value: String(s.id), text: s.display_name }));
    });
    select.value = String(weekWho);
    if (select.value !== String(weekWho)) { weekWho = "team"; select.value = "team"; }
    select.addEventListener("change", function () {
      weekWho = select.value === "team" ? "team" : parseInt(select.value, 10);
      els.grid.setAttribute("aria-label", tr(weekWho === "team" ? "day_week_team_label" : "day_week_person_label"));
      render();
      say(select.options[select.selectedIndex].textContent);
    });
    return el("div", { class: "hb-field hb-who-picker" }, [el("label", { for: id, text: tr("day_week_who") }), select]);
  }

  function bookable() {
    var out = [];
    ctx.staff.forEach(function (s) { if (s.active && s.bookable) out.push(s); });
    return out;
  }

  async function switchView(next) {
    if (next === view) return;
    view = next;
    await reopen();
    say(document.getElementById("hb-day-title").textContent);
  }

  async function goTo(iso) {
    day = iso;
    await reopen();
    var h = document.getElementById("hb-day-title");
    if (h) say(h.textContent);
  }

  /* Draw the frame anew for the chosen day or week. The control that had the
   * focus has it again; if it is gone (a day of the week view), the title. */
  async function reopen() {
    var active = document.activeElement;
    var had = active && els.day.contains(active) ? active.getAttribute("data-focus") || "title" : null;
    if (panel !== "book") closePanel(false);
    signature = "";
    rows = [];
    renderDayFrame();
    if (had) {
      var again = els.day.querySelector('[data-focus="' + had + '"]');
      if (again) again.focus();
      else focusHeading(document.getElementById("hb-day-title"));
    }
    els.grid.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
    await load({ announce: false });
  }

  // --- loading ---------------------------------------------------------------------------------------

  /* The appointments of [from, to): null when a conditional poll says nothing
   * changed (304). The ETag is kept only for a one-page answer (it covers
   * that page). */
  async function readAppointments(from, to, conditional) {
    var path = "/appointments?from=" + from + "T00:00:00&to=" + to + "T00:00:00";
    var headers = conditional && listTag && listTag.path === path ? { "If-None-Match": listTag.etag } : null;
    var r;
    try {
      r = await api("GET", path + "&page_size=100&page=1", undefined, headers);
    } catch (error) {
      if (error instanceof ApiError && error.status === 304) return null;
      throw error;
    }
    var out = r.data || [];
    var info = pageInfo(r);
    var etag = r.headers.get("ETag");
    listTag = etag && !info.next_page ? { path: path, etag: etag } : null;
    while (info.next_page) {
      var more = await api("GET", path + "&page_size=100&page=" + info.next_page);
      out = out.concat(more.data || []);
      info = pageInfo(more);
    }
    return out;
  }

  function pageInfo(r) {
    try { return JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { return {}; }
  }

  /* Working hours and absences of the shown dates; on failure nothing is
   * shaded (and the view says so). */
  async function loadSchedule(dates, key) {
    try {
      var r = await api("GET", "/schedule?from=" + dates[0] + "&to=" + dates[dates.length - 1]);
      var map = new Map();
      (r.data || []).forEach(function (entry) { map.set(entry.staff_id + "|" + entry.date, entry); });
      schedule = map;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      schedule = null;
    }
    scheduleFor = key;
  }

  async function load(opts) {
    opts = opts || {};
    if (!session || !ctx || !day) return;
    if (loading) {
      // One read at a time; a read of another day or week (the person clicked on
      // quickly) is followed by one of the range shown now.
      if (loadingKey === rangeKey()) return loading;
      return loading.then(function () { return load(opts); });
    }
    var key = rangeKey();
    var dates = shownDates();
    loadingKey = key;
    loading = (async function () {
      try {
        if (opts.quiet) polls += 1;
        var list = await readAppointments(dates[0], shiftDay(dates[dates.length - 1], 1), !!opts.quiet);
        if (!session || key !== rangeKey()) return;
        var hoursChanged = false;
        if (scheduleFor !== key || !opts.quiet || polls % SCHEDULE_EVERY === 0) {
          var before = JSON.stringify(schedule ? Array.from(schedule.entries()) : null);
          await loadSchedule(dates, key);
          if (!session || key !== rangeKey()) return;
          hoursChanged = before !== JSON.stringify(schedule ? Array.from(schedule.entries()) : null);
        }
        showError(els.dayError, "");
        els.updated.textContent = tr("updated", { time: zoneParts(new Date(), ctx.tz).hm }) + (schedule ? "" : " " + tr("day_no_hours"));
        if (list === null) { // 304: nothing changed
          if (hoursChanged || !opts.quiet) render();
          return;
        }
        var sig = JSON.stringify(list.map(function (a) { return [a.id, a.status, a.start, a.end, a.staff_id, a.service_id, a.client_id, a.updated_at]; }));
        var changed = sig !== signature;
        var fresh = signature ? list.filter(function (a) { return !rows.some(function (b) { return b.id === a.id; }); }).length : 0;
        rows = list;
        signature = sig;
        await openNames();
        if (!session || key !== rangeKey()) return;
        if (changed || hoursChanged || !opts.quiet) render();
        if (opts.quiet && changed) say(newsText(fresh));
      } catch (error) {
        if (error instanceof SessionEnded || !session) return;
        showError(els.dayError, error.status === 0 ? tr("err_network") : tr("err_generic", { message: error.message }));
      } finally {
        loading = null;
        loadingKey = null;
      }
    })();
    return loading;
  }

  function newsText(fresh) {
    var week = view === "week";
    if (!fresh) return tr(week ? "day_news_changed_week" : "news_changed");
    if (fresh === 1) return tr(week ? "day_news_one_week" : "day_news_one");
    return tr(week ? "day_news_new_week" : "news_new", { count: fresh });
  }

  /* After an action: read again now (not conditional), then draw. */
  async function reload() {
    if (loading) await loading;
    signature = "";
    await load({});
  }

  function nameKey(client) {
    return client.id + ":" + client.client_key;
  }

  /* Opens, here, the names of the shown clients (the appointment carries the
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
    var out = bookable();
    rows.forEach(function (a) {
      if (SHOWN.indexOf(a.status) === -1) return;
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

  function dateOf(a) {
    return zoneParts(new Date(a.start), ctx.tz).date;
  }

  /* Where an appointment lies on the date ``on`` (minutes from midnight). */
  function span(a, on) {
    var s = zoneParts(new Date(a.start), ctx.tz), e = zoneParts(new Date(a.end), ctx.tz);
    on = on || s.date;
    var from = s.date < on ? 0 : s.minutes;
    var to = e.date > on ? 24 * 60 : e.minutes;
    return { from: from, to: Math.max(to, from + 5), label: s.hm + "–" + e.hm };
  }

  // --- shading: working time, breaks, time off, closures --------------------------------------------

  function scheduleOf(memberId, date) {
    return schedule ? schedule.get(memberId + "|" + date) || null : null;
  }

  /* The parts of [start, end) outside the working hours, and the absences,
   * in minutes of the date. */
  function shading(entry, start, end) {
    var out = [];
    var at = start;
    (entry.hours || []).map(function (h) { return [minutesOf(h.start), minutesOf(h.end)]; })
      .sort(function (x, y) { return x[0] - y[0]; })
      .forEach(function (h) {
        if (h[0] > at) out.push({ from: at, to: Math.min(h[0], end), kind: "off" });
        at = Math.max(at, h[1]);
      });
    if (at < end) out.push({ from: at, to: end, kind: "off" });
    (entry.away || []).forEach(function (w) {
      out.push({ from: minutesOf(w.start), to: minutesOf(w.end), kind: w.kind === "closure" ? "closure" : "time_off", label: w.label || "" });
    });
    return out.filter(function (s) { return s.to > start && s.from < end && s.to > s.from; });
  }

  function awayText(w) {
    var what = w.kind === "closure" ? tr("day_closure") : tr("day_time_off");
    return w.label ? what + ": " + w.label : what;
  }

  /* In words, for screen readers and the week overview: "Working 09:00–13:00,
   * 14:00–18:00. Time off: Dentist 15:00–16:00". */
  function hoursText(entry) {
    if (!entry) return "";
    var hours = (entry.hours || []).map(function (h) { return h.start + "–" + h.end; });
    var parts = [hours.length ? tr("day_hours", { hours: hours.join(", ") }) : tr("day_not_working")];
    (entry.away || []).forEach(function (w) {
      parts.push(awayText(w) + " (" + w.start + "–" + w.end + ")");
    });
    return parts.join(". ");
  }

  function shade(body, entry, startMin, endMin) {
    if (!entry) return;
    shading(entry, startMin, endMin).forEach(function (s) {
      var from = Math.max(s.from, startMin), to = Math.min(s.to, endMin);
      var node = el("div", { class: "hb-shade hb-shade-" + s.kind + (from === startMin ? " hb-shade-top" : ""), "aria-hidden": "true" },
        s.kind === "off" ? [] : [el("span", { class: "hb-shade-label", text: awayText(s) })]);
      node.style.top = (from - startMin) * PX_PER_MIN + "px";
      node.style.height = (to - from) * PX_PER_MIN + "px";
      body.appendChild(node);
    });
  }

  // --- drawing ------------------------------------------------------------------------------------------

  function render() {
    if (!els.grid) return;
    var focused = document.activeElement && document.activeElement.getAttribute("data-appt");
    var scroll = els.grid.scrollLeft;
    clear(els.grid);
    clear(els.other);
    els.nowLine = null;
    if (view === "week" && ctx.me.role !== "staff" && weekWho === "team") drawTeamWeek();
    else drawTimeGrid();
    els.grid.scrollLeft = scroll;
    drawOther();
    if (focused) {
      var again = els.main.querySelector('[data-appt="' + focused + '"]');
      if (again) again.focus();
    }
    if (panel === "details" && selectedId !== null) drawDetails();
  }

  function shownRows() {
    return rows.filter(function (a) { return SHOWN.indexOf(a.status) !== -1; });
  }

  /* Time columns: the day's team members, or one person's seven days. */
  function drawTimeGrid() {
    var shown = shownRows();
    var cols = [];
    if (view === "day") {
      columns().forEach(function (member) {
        cols.push({ member: member, date: day, items: shown.filter(function (a) { return a.staff_id === member.id; }) });
      });
    } else {
      var who = ctx.me.role === "staff" ? ctx.me : ctx.staff.get(weekWho) || ctx.me;
      shownDates().forEach(function (date) {
        cols.push({ member: who, date: date, items: shown.filter(function (a) { return a.staff_id === who.id && dateOf(a) === date; }) });
      });
    }
    var startMin = 8 * 60, endMin = 20 * 60;
    cols.forEach(function (c) {
      c.items.forEach(function (a) {
        var sp = span(a, c.date);
        startMin = Math.min(startMin, Math.floor(sp.from / 60) * 60);
        endMin = Math.max(endMin, Math.ceil(sp.to / 60) * 60);
      });
      var entry = scheduleOf(c.member.id, c.date);
      ((entry && entry.hours) || []).forEach(function (h) {
        startMin = Math.min(startMin, Math.floor(minutesOf(h.start) / 60) * 60);
        endMin = Math.max(endMin, Math.ceil(minutesOf(h.end) / 60) * 60);
      });
    });
    els.range = { start: startMin, end: endMin };
    var height = (endMin - startMin) * PX_PER_MIN;
    var grid = el("div", { class: "hb-grid" + (view === "week" ? " hb-grid-week" : "") });
    var scale = el("div", { class: "hb-scale", "aria-hidden": "true" });
    var scaleBody = el("div", { class: "hb-col-body" });
    scaleBody.style.height = height + "px";
    for (var m = startMin; m < endMin; m += 60) {
      var mark = el("span", { class: "hb-hour", text: hmOf(m) });
      mark.style.top = (m - startMin) * PX_PER_MIN + "px";
      scaleBody.appendChild(mark);
    }
    scale.appendChild(el("div", { class: "hb-col-head" }));
    scale.appendChild(scaleBody);
    grid.appendChild(scale);
    if (!cols.length) els.grid.appendChild(el("p", { class: "hb-hint", text: tr("no_columns") }));
    cols.forEach(function (c) {
      var headId = newId("col");
      var member = c.member;
      var entry = scheduleOf(member.id, c.date);
      var col = el("section", { class: "hb-col", "aria-labelledby": headId, "data-staff": member.id, "data-date": c.date });
      if (view === "day") {
        col.appendChild(el("h3", { class: "hb-col-head", id: headId, text: member.display_name + (member.active === false ? " (" + tr("inactive") + ")" : "") }));
      } else {
        col.appendChild(el("h3", { class: "hb-col-head", id: headId }, [dayButton(c.date)]));
      }
      if (entry) col.appendChild(el("p", { class: "hb-sr-only", "data-hours": "", text: hoursText(entry) }));
      var body = el("div", { class: "hb-col-body" });
      body.style.height = height + "px";
      shade(body, entry, startMin, endMin);
      for (var mm = startMin; mm < endMin; mm += 60) {
        var line = el("span", { class: "hb-line", "aria-hidden": "true" });
        line.style.top = (mm - startMin) * PX_PER_MIN + "px";
        body.appendChild(line);
      }
      var listLabel = view === "day" ? tr("appointments_of", { name: member.display_name }) : tr("day_appointments_on", { date: longDate(c.date) });
      var list = el("ol", { class: "hb-blocks", "aria-label": listLabel });
      c.items.forEach(function (a) { list.appendChild(el("li", {}, [block(a, startMin, c.date)])); });
      if (!c.items.length) body.appendChild(el("p", { class: "hb-empty", text: tr("no_appointments") }));
      body.appendChild(list);
      col.appendChild(body);
      grid.appendChild(col);
    });
    els.nowLine = el("div", { class: "hb-now", "aria-hidden": "true", hidden: true }, [el("span", { text: tr("now") })]);
    grid.appendChild(els.nowLine);
    els.grid.appendChild(grid);
    drawNowLine();
  }

  /* A day of the week as a button that opens it in the day view. */
  function dayButton(date) {
    return el("button", {
      type: "button", class: "hb-link hb-open-day", "data-day": date,
      onclick: function () { view = "day"; goTo(date); }
    }, [shortDay(date), el("span", { class: "hb-sr-only", text: " " + tr("day_open_day") })]);
  }

  /* The team's week: per person and day the number of appointments, the
   * appointments as small buttons, and whether the person works. */
  function drawTeamWeek() {
    var dates = shownDates();
    var shown = shownRows();
    var members = columns();
    var head = el("tr", {}, [el("th", { scope: "col", text: tr("team_member") })]);
    dates.forEach(function (date) {
      head.appendChild(el("th", { scope: "col" }, [dayButton(date)]));
    });
    var body = el("tbody", {});
    members.forEach(function (member) {
      var tr_ = el("tr", { "data-staff": member.id }, [el("th", { scope: "row", text: member.display_name })]);
      dates.forEach(function (date) {
        var items = shown.filter(function (a) { return a.staff_id === member.id && dateOf(a) === date; });
        var entry = scheduleOf(member.id, date);
        var away = entry && (entry.away || [])[0];
        var off = entry && !(entry.hours || []).length;
        var cell = el("td", { class: "hb-cell" + (away ? " hb-cell-" + (away.kind === "closure" ? "closure" : "time_off") : off ? " hb-cell-off" : ""), "data-date": date });
        cell.appendChild(el("p", { class: "hb-count" + (items.length ? "" : " hb-muted"), text: countText(items.length) }));
        if (away) cell.appendChild(el("p", { class: "hb-cell-note", text: awayText(away) }));
        else if (off) cell.appendChild(el("p", { class: "hb-cell-note", text: tr("day_not_working") }));
        if (items.length) {
          cell.appendChild(el("ul", { class: "hb-mini" }, items.map(function (a) {
            var label = clientLabel(a);
            return el("li", {}, [el("button", {
              type: "button", class: "hb-mini-appt hb-st-" + a.status + (selectedId === a.id ? " hb-selected" : ""), "data-appt": a.id,
              "aria-current": selectedId === a.id ? "true" : null,
              onclick: function () { select(a.id); }
            }, [
              el("span", { class: "hb-appt-time", text: span(a, date).label.slice(0, 5) }),
              " ",
              el("span", { class: "hb-appt-name" + (label.muted ? " hb-muted" : ""), text: label.text }),
              el("span", { class: "hb-sr-only", text: ", " + serviceName(a) + ", " + tr("status_" + a.status) })
            ])]);
          })));
        }
        tr_.appendChild(cell);
      });
      body.appendChild(tr_);
    });
    els.grid.appendChild(el("table", { class: "hb-week" }, [
      el("caption", { class: "hb-sr-only", text: tr("day_week_team_label") }),
      el("thead", {}, [head]),
      body
    ]));
  }

  function countText(n) {
    if (n === 0) return tr("day_count_none");
    return n === 1 ? tr("day_count_one") : tr("day_count", { count: n });
  }

  function drawOther() {
    var gone = rows.filter(function (a) {
      if (SHOWN.indexOf(a.status) !== -1) return false;
      if (ctx.me.role === "staff") return a.staff_id === ctx.me.id;
      return !(view === "week" && weekWho !== "team") || a.staff_id === weekWho;
    });
    if (!gone.length) return;
    els.other.appendChild(el("h3", { text: tr("other_title") }));
    els.other.appendChild(el("ul", { class: "hb-other-list" }, gone.map(function (a) {
      var label = clientLabel(a);
      var who = ctx.staff.get(a.staff_id);
      var when = (view === "week" ? shortDay(dateOf(a)) + " " : "") + span(a).label;
      return el("li", {}, [el("button", {
        type: "button", class: "hb-link", "data-appt": a.id,
        text: when + " · " + label.text + " · " + serviceName(a) + " · " + (who ? who.display_name : "") + " · " + tr("status_" + a.status),
        onclick: function () { select(a.id); }
      })]);
    })));
  }

  function block(a, startMin, on) {
    var sp = span(a, on);
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
    if (view !== "day" || now.date !== day || now.minutes < els.range.start || now.minutes > els.range.end) {
      els.nowLine.hidden = true;
      return;
    }
    els.nowLine.hidden = false;
    els.nowLine.style.top = "calc(var(--hb-head) + " + (now.minutes - els.range.start) * PX_PER_MIN + "px)";
  }

  // --- the side panel: one appointment's details and actions, moving, booking -----------------------

  function markSelected() {
    els.main.querySelectorAll("[data-appt]").forEach(function (b) {
      var on = selectedId !== null && String(selectedId) === b.getAttribute("data-appt");
      b.classList.toggle("hb-selected", on);
      if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function select(id) {
    selectedId = id;
    panel = "details";
    note = null;
    markSelected();
    drawDetails();
    focusHeading(document.getElementById("hb-details-title"));
  }

  /* The side panel shows "book" (a new appointment) or "move" (the selected one). */
  function openPanel(kind) {
    panel = kind;
    if (kind === "book") {
      selectedId = null;
      markSelected();
    }
    els.details.hidden = false;
    els.details.onkeydown = function (event) { if (event.key === "Escape") closePanel(true); };
    if (kind === "book") {
      drawBooking(els.details, { date: day, staffId: view === "week" && weekWho !== "team" ? weekWho : null }, booked);
    } else {
      var a = rows.filter(function (r) { return r.id === selectedId; })[0];
      if (!a) { closePanel(true); return; }
      drawMove(els.details, a, moved);
    }
    focusHeading(document.getElementById("hb-details-title"));
  }

  /* Close the side panel; focus goes back to what opened it. */
  function closePanel(refocus) {
    var id = selectedId, was = panel;
    selectedId = null;
    panel = null;
    note = null;
    forgetBooking();
    if (!els.details) return;
    els.details.hidden = true;
    clear(els.details);
    markSelected();
    if (!refocus) return;
    var back = was === "book" ? els.day.querySelector('[data-action="book"]') : els.main.querySelector('[data-appt="' + id + '"]');
    if (back) back.focus();
  }

  /* After booking (from 12-book.js): show the new appointment's day and its details. */
  async function booked(appointment, text) {
    if (!appointment) { closePanel(true); return; }
    await showAppointment(appointment, text);
  }

  /* After moving (from 12-book.js): null + {reload: true} when it changed meanwhile. */
  async function moved(appointment, text, opts) {
    if (!appointment) {
      if (opts && opts.reload) {
        await reload();
        if (rows.some(function (r) { return r.id === selectedId; })) {
          note = { id: selectedId, text: text, error: true };
          panel = "details";
          drawDetails();
          focusHeading(document.getElementById("hb-details-title"));
        } else {
          closePanel(false);
          showError(els.dayError, text);
        }
        return;
      }
      panel = "details";
      drawDetails();
      var button = els.details.querySelector('[data-action="move"]');
      if (button) button.focus();
      return;
    }
    await showAppointment(appointment, text);
  }

  async function showAppointment(appointment, text) {
    var on = dateOf(appointment);
    if (shownDates().indexOf(on) === -1) {
      day = on;
      panel = null;
      selectedId = null;
      renderDayFrame();
    }
    await reload();
    selectedId = appointment.id;
    panel = "details";
    note = { id: appointment.id, text: text, error: false };
    if (!rows.some(function (r) { return r.id === appointment.id; })) rows.push(appointment);
    markSelected();
    drawDetails();
    say(text);
    focusHeading(document.getElementById("hb-details-title"));
  }

  function started(a) {
    return new Date(a.start).getTime() <= Date.now();
  }

  function actionsFor(a) {
    if (!may("write")) return [];
    var out = [];
    if (a.status === "pending") out.push("confirm");
    if (a.status === "confirmed" && started(a)) out.push("complete", "no_show");
    if (a.status === "pending" || a.status === "confirmed") out.push("move", "cancel");
    return out;
  }

  function drawDetails() {
    var a = rows.filter(function (r) { return r.id === selectedId; })[0];
    var box = els.details;
    var hadFocus = box.contains(document.activeElement) ? document.activeElement.getAttribute("data-action") : null;
    clear(box);
    if (!a) {
      box.hidden = true;
      panel = null;
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
      [tr("time"), longDate(dateOf(a)) + ", " + sp.label],
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
        class: action === "cancel" ? "hb-danger" : action === "move" ? "hb-secondary" : "hb-primary",
        "data-action": action,
        text: tr(action === "move" ? "day_move" : "act_" + action),
        onclick: function () {
          if (action === "cancel") askCancel(a, actions, errors);
          else if (action === "move") openPanel("move");
          else act(a, action, errors);
        }
      }));
    });
    box.appendChild(actions);
    box.appendChild(errors);
    if (note && note.id === a.id && note.error) showError(errors, note.text);
    box.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "close", text: tr("close"), onclick: function () { closePanel(true); } }));
    box.onkeydown = function (event) { if (event.key === "Escape") closePanel(true); };
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
      load({ quiet: true }).catch(function () {});
    } catch (error) {
      if (error instanceof SessionEnded) return;
      note = { id: a.id, text: reasonText(error), error: true };
      drawDetails();
      focusHeading(document.getElementById("hb-details-title"));
      load({ quiet: true }).catch(function () {});
    }
  }
