/* The team: who works here (invite, role, bookable, deactivate, reactivate),
 * and each person's weekly working hours with breaks, one-off hours and time
 * off. Part of the console's one function scope (see console.js); every name
 * declared here starts with "team" so that it cannot clash with another
 * screen's.
 *
 * Owner and manager manage (staff:write, schedules:write); reception and
 * accounting read the team and its hours; the staff role sees its own hours
 * only. A manager cannot give the owner or manager role, nor change an owner's
 * or manager's account (the service refuses; the console does not offer it).
 *
 * One-time passwords (after an invitation or a reactivation) are shown once in
 * a marked box and dropped from memory when the box is closed or the screen
 * left; they are never stored. Weekly hours are edited as time ranges per day;
 * a break is the gap between two ranges, and what is saved is the ranges
 * (shifts) only — rules of kind "break" written elsewhere are shown as gaps. */

  var TEAM_ROLES = ["owner", "manager", "reception", "staff", "accountant"];
  var TEAM_PRIVILEGED = ["owner", "manager"];
  var TEAM_KINDS = ["vacation", "sick", "training", "other"];

  var teamOnce = null; // {name, email, password}: handed to the next draw, which drops it

  onForget(function () { teamOnce = null; });

  registerScreen({
    id: "team",
    label: "team_nav",
    allowed: function () { return can("staff:read"); },
    render: async function (box, arg) {
      arg = arg || {};
      if (ctx.me.role === "staff") return teamPerson(box, ctx.me.id, arg);
      if (arg.staff) return teamPerson(box, arg.staff, arg);
      return teamList(box, arg);
    },
  });

  // --- small helpers --------------------------------------------------------------------

  function teamMayManage(member) {
    if (!can("staff:write") || !member) return false;
    return ctx.me.role === "owner" || TEAM_PRIVILEGED.indexOf(member.role) === -1;
  }

  function teamGrantable() {
    return ctx.me.role === "owner" ? TEAM_ROLES : TEAM_ROLES.filter(function (r) { return TEAM_PRIVILEGED.indexOf(r) === -1; });
  }

  function teamRoleName(role) {
    return tr("role_" + (TEAM_ROLES.indexOf(role) === -1 ? "unknown" : role));
  }

  function teamKeysScreen() {
    return allowedScreens().some(function (s) { return s.id === "keys"; });
  }

  /* Plain words for a refusal of the staff API. ``privileged``: the change
   * touched the owner or manager role (a 403 then means "only an owner"). */
  /* "Delete" for one listed row (a single day, a time off): DELETE ``path``,
   * then ``gone()`` redraws the list, and the news is told. */
  function teamDeleteButton(text, path, errors, teller, gone) {
    return el("button", {
      type: "button", class: "hb-link", text: tr("team_delete"), "aria-label": tr("team_delete_what", { what: text }),
      onclick: async function () {
        showError(errors, "");
        try {
          await api("DELETE", path);
          gone();
          teller.tell(tr("team_deleted", { what: text }));
        } catch (error) {
          if (error instanceof SessionEnded) return;
          showError(errors, teamErrorText(error));
        }
      }
    });
  }

  function teamErrorText(error, privileged) {
    if (error.reason && t["team_reason_" + error.reason]) return tr("team_reason_" + error.reason);
    if (error.status === 403 && !error.reason && privileged) return tr("team_err_owner_only");
    if (error.status === 412 || error.status === 428) return tr("team_err_changed");
    if (error.status === 409 || error.status === 422) {
      var list = teamFieldErrors(error.problem);
      if (list.length) return tr("err_check") + " " + list.join("; ");
    }
    return reasonText(error);
  }

  function teamFieldErrors(problem) {
    var out = [];
    var errors = (problem && problem.errors && problem.errors.json) || {};
    Object.keys(errors).forEach(function (name) {
      var messages = Array.isArray(errors[name]) ? errors[name] : [JSON.stringify(errors[name])];
      var label = t["team_field_" + name] || t["field_" + name] || name;
      messages.forEach(function (m) { out.push(label + ": " + m); });
    });
    return out;
  }

  /* What the last action did, visible under the heading (said aloud by say()). */
  function teamNotes(box, arg) {
    if (arg.note) box.appendChild(el("p", { class: "hb-ok hb-team-note", text: arg.note }));
    if (arg.error) box.appendChild(el("p", { class: "hb-alert", role: "alert", text: arg.error }));
  }

  /* A visible line saying what an action in a section did (and said aloud). */
  function teamTeller() {
    var line = el("p", { class: "hb-ok hb-team-note", hidden: true });
    return {
      node: line,
      tell: function (text) {
        line.textContent = text;
        line.hidden = false;
        say(text);
      }
    };
  }

  function teamSection(title, cls) {
    var id = newId("sec");
    var section = el("section", { class: "hb-team-card " + (cls || ""), "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, tabindex: "-1", text: title }));
    return section;
  }

  function teamCheckbox(label, checked, hint) {
    var id = newId("cb");
    var input = el("input", { id: id, type: "checkbox", checked: !!checked, "aria-describedby": hint ? id + "-hint" : null });
    return {
      input: input,
      node: el("div", { class: "hb-field hb-team-check" }, [
        el("span", { class: "hb-team-check-row" }, [input, el("label", { for: id, text: label })]),
        hint ? el("p", { id: id + "-hint", class: "hb-hint", text: hint }) : null
      ])
    };
  }

  function teamSelect(label, options, value, hint) {
    var id = newId("sel");
    var select = el("select", { id: id, "aria-describedby": hint ? id + "-hint" : null }, options.map(function (o) {
      return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
    }));
    return {
      input: select,
      node: el("div", { class: "hb-field" }, [
        el("label", { for: id, text: label }),
        hint ? el("p", { id: id + "-hint", class: "hb-hint", text: hint }) : null,
        select
      ])
    };
  }

  function teamMark(inputs) {
    inputs.forEach(function (i) { i.setAttribute("aria-invalid", "true"); });
  }

  function teamUnmark(form) {
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
  }

  function teamWeekday(i) {
    // 0 = Monday, as the API counts; 1 January 2024 was a Monday.
    return new Intl.DateTimeFormat(t.locale || "en-GB", { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + i)));
  }

  function teamShortDate(iso) {
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
    }).format(new Date(iso + "T00:00:00Z"));
  }

  function teamMinutes(hm) {
    var m = /^(\d{2}):(\d{2})/.exec(hm || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }

  function teamHm(minutes) {
    return String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  function teamRangeText(r) {
    return r.start + "–" + r.end;
  }

  function teamOpenKeysButton() {
    if (!teamKeysScreen()) return null;
    return el("button", { type: "button", class: "hb-secondary", text: tr("team_open_keys"), onclick: function () { go("keys"); } });
  }

  // --- the one-time password, shown once ---------------------------------------------------

  function teamOnceBox() {
    var once = teamOnce;
    teamOnce = null; // shown now, never again
    if (!once) return null;
    var id = newId("otp");
    var code = el("code", { text: once.password });
    var copied = el("p", { class: "hb-hint", role: "status" });
    var box = el("section", { class: "hb-team-once", "aria-labelledby": id, "data-once": "" }, [
      el("h2", { id: id, tabindex: "-1", text: tr("team_once_title", { name: once.name }) }),
      el("p", { class: "hb-team-once-warn", text: tr("team_once_warn") }),
      el("p", { class: "hb-team-otp" }, [el("span", { class: "hb-sr-only", text: tr("team_once_label") + " " }), code]),
      el("div", { class: "hb-actions" }, [
        el("button", {
          type: "button", class: "hb-primary", text: tr("team_copy"),
          onclick: async function () {
            try {
              await navigator.clipboard.writeText(once.password);
              copied.textContent = tr("team_copied");
            } catch (error) {
              copied.textContent = tr("team_copy_failed");
            }
          }
        }),
        el("button", {
          type: "button", class: "hb-secondary", text: tr("team_once_done"),
          onclick: function () {
            once.password = "";
            box.remove();
            say(tr("team_once_hidden"));
            var h = document.querySelector('[data-screen="team"] h1');
            focusHeading(h);
          }
        })
      ]),
      copied,
      el("p", { text: tr("team_once_how", { email: once.email, salon: session.tenant, url: location.origin + location.pathname + "?salon=" + encodeURIComponent(session.tenant) }) })
    ]);
    return box;
  }

  /* Draws the team (or one person) with ``once`` shown at the top, once. */
  async function teamShowOnce(once, staffId) {
    teamOnce = once;
    await go("team", staffId ? { staff: staffId } : undefined);
    teamOnce = null;
    var h = document.querySelector("[data-once] h2");
    if (h) focusHeading(h);
  }

  // --- the team list --------------------------------------------------------------------------

  async function teamList(box, arg) {
    box.appendChild(el("h1", { text: tr("team_title") }));
    var once = teamOnceBox();
    await reloadContext();
    var access = await teamVaultAccess();
    teamNotes(box, arg);
    if (once) box.appendChild(once);
    if (!can("staff:write")) box.appendChild(el("p", { class: "hb-hint", text: tr("team_readonly") }));

    var members = Array.from(ctx.staff.values()).sort(function (a, b) {
      return (b.active - a.active) || (TEAM_ROLES.indexOf(a.role) - TEAM_ROLES.indexOf(b.role)) || a.display_name.localeCompare(b.display_name);
    });
    var listSection = teamSection(tr("team_members", { count: members.length }), "hb-team-members");
    var list = el("ul", { class: "hb-team-list" });
    members.forEach(function (m) { list.appendChild(teamRow(m, access)); });
    listSection.appendChild(list);

    if (can("staff:write")) box.appendChild(teamInviteToggle());
    box.appendChild(listSection);
  }

  /* Owner only (vault:manage): who has a vault key and read access. */
  async function teamVaultAccess() {
    if (!can("vault:manage")) return null;
    try {
      var rows = (await api("GET", "/vault/members")).data || [];
      var out = new Map();
      rows.forEach(function (r) { out.set(r.staff_id, r); });
      return out;
    } catch (error) {
      if (error instanceof SessionEnded) throw error;
      return null;
    }
  }

  /* What the team member still needs before reading client data, in words
   * (null when nothing is known or nothing is missing). */
  function teamAccessText(member, access) {
    if (!member.active) return null;
    if (member.role === "accountant") return { text: tr("team_access_never"), short: tr("team_access_never_short") };
    if (!access) return null;
    var row = access.get(member.id);
    if (!row) return null;
    if (!row.public_key) return { text: tr("team_access_no_key"), short: tr("team_access_no_key_short"), todo: true };
    if (!row.granted) return { text: tr("team_access_no_grant"), short: tr("team_access_no_grant_short"), todo: true };
    return { text: tr("team_access_ok"), short: tr("team_access_ok") };
  }

  function teamRow(m, access) {
    var headId = newId("m");
    var facts = [
      [tr("team_role"), teamRoleName(m.role)],
      [tr("team_bookable"), m.bookable ? tr("team_yes") : tr("team_no")],
      [tr("team_status"), m.active ? (m.must_change_password ? tr("team_active_new_short") : tr("team_active")) : tr("team_inactive_short")]
    ];
    var acc = teamAccessText(m, access);
    if (acc) facts.push([tr("team_access"), acc.short]);
    var item = el("li", { class: "hb-team-member" + (m.active ? "" : " hb-team-off"), "data-staff": m.id }, [
      el("h3", { id: headId, text: m.display_name + (m.id === ctx.me.id ? " (" + tr("team_you") + ")" : "") }),
      el("p", { class: "hb-hint hb-team-email", text: m.email }),
      el("dl", { class: "hb-facts hb-team-facts" }, facts.reduce(function (out, f) {
        out.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return out;
      }, [])),
      el("div", { class: "hb-actions" }, [
        el("button", {
          type: "button", class: "hb-secondary", "aria-describedby": headId,
          text: can("staff:write") ? tr("team_open_manage") : tr("team_open"),
          onclick: function () { go("team", { staff: m.id }); }
        }),
        acc && acc.todo ? teamOpenKeysButton() : null
      ])
    ]);
    return item;
  }

  // --- inviting -----------------------------------------------------------------------------------

  function teamInviteToggle() {
    var wrap = el("div", { class: "hb-team-invite" });
    var open = el("button", { type: "button", class: "hb-primary", "aria-expanded": "false", text: tr("team_invite") });
    open.addEventListener("click", function () {
      if (wrap.querySelector("form")) return;
      open.setAttribute("aria-expanded", "true");
      open.hidden = true;
      var section = teamInviteForm(function () {
        section.remove();
        open.hidden = false;
        open.setAttribute("aria-expanded", "false");
        open.focus();
      });
      wrap.appendChild(section);
      section.querySelector("input").focus();
    });
    wrap.appendChild(open);
    return wrap;
  }

  function teamInviteForm(close) {
    var section = teamSection(tr("team_invite_title"), "hb-team-invite-form");
    var name = field(tr("team_display_name"), { name: "display-name", autocomplete: "off", required: true, maxlength: "100" }, tr("team_display_name_hint"));
    var email = field(tr("email"), { name: "invite-email", type: "email", autocomplete: "off", required: true, maxlength: "254" });
    var pub = field(tr("team_public_name"), { name: "invite-public-name", autocomplete: "off", maxlength: "100" }, tr("team_public_name_hint"));
    var roles = teamGrantable().map(function (r) { return [r, teamRoleName(r)]; });
    var role = teamSelect(tr("team_role"), roles, "staff", ctx.me.role === "owner" ? null : tr("team_role_owner_only"));
    var info = el("p", { class: "hb-hint", "aria-live": "polite" });
    var bookable = teamCheckbox(tr("team_bookable_label"), true, tr("team_bookable_hint"));
    function describe() { info.textContent = tr("team_roleinfo_" + role.input.value); }
    role.input.addEventListener("change", describe);
    describe();
    role.node.appendChild(info);
    var errors = alertBox();
    var send = el("button", { type: "submit", class: "hb-primary", text: tr("team_invite_send") });
    var cancel = el("button", { type: "button", class: "hb-secondary", text: tr("team_cancel"), onclick: close });
    var form = el("form", { class: "hb-form", novalidate: true }, [
      name.node, email.node, pub.node, role.node, bookable.node, errors, el("div", { class: "hb-actions" }, [send, cancel])
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      var missing = [];
      if (!name.input.value.trim()) missing.push(name);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.input.value.trim())) missing.push(email);
      if (missing.length) {
        teamMark(missing.map(function (f) { return f.input; }));
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      send.disabled = true;
      var body = { display_name: name.input.value.trim(), email: email.input.value.trim(), role: role.input.value, bookable: bookable.input.checked };
      if (pub.input.value.trim()) body.public_name = pub.input.value.trim();
      try {
        var r = await api("POST", "/staff", body);
        var once = { name: r.data.display_name, email: r.data.email, password: r.data.one_time_password };
        await reloadContext();
        say(tr("team_invited", { name: r.data.display_name }));
        await teamShowOnce(once);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        send.disabled = false;
        if (error.reason === "email_taken") teamMark([email.input]);
        showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(body.role) !== -1));
        (error.reason === "email_taken" ? email.input : send).focus();
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- one person -----------------------------------------------------------------------------------

  async function teamPerson(box, staffId, arg) {
    var own = staffId === ctx.me.id;
    var results = await Promise.all([
      api("GET", "/staff/" + staffId),
      api("GET", "/staff/" + staffId + "/working-hours"),
      api("GET", "/staff/" + staffId + "/exceptions?from=" + today()),
      api("GET", "/staff/" + staffId + "/time-off")
    ]);
    var member = results[0].data;
    var etag = results[0].headers.get("ETag");
    var h1 = el("h1", { text: ctx.me.role === "staff" ? tr("team_my_hours") : member.display_name });
    box.appendChild(h1);
    if (ctx.me.role !== "staff") {
      box.appendChild(el("p", {}, [el("button", { type: "button", class: "hb-link", text: tr("team_back"), onclick: function () { go("team"); } })]));
    } else if (!can("schedules:write")) {
      box.appendChild(el("p", { class: "hb-hint", text: tr("team_own_readonly") }));
    }
    teamNotes(box, arg);
    var once = teamOnceBox();
    if (once) box.appendChild(once);

    var layout = el("div", { class: "hb-team-person" });
    var side = el("div", { class: "hb-team-side" });
    var main = el("div", { class: "hb-team-main" });
    if (ctx.me.role !== "staff") side.appendChild(teamAccount(member, etag, own));
    var access = await teamAccessSection(member, own);
    if (access) side.appendChild(access);
    main.appendChild(teamWeek(member, results[1].data.rules || []));
    main.appendChild(teamExceptions(member, results[2].data || []));
    main.appendChild(teamTimeOff(member, results[3].data || []));
    layout.appendChild(side);
    layout.appendChild(main);
    box.appendChild(layout);
  }

  function teamAccount(member, etag, own) {
    var section = teamSection(tr("team_account"), "hb-team-account");
    var status = member.active ? (member.must_change_password ? tr("team_active_new") : tr("team_active")) : tr("team_inactive");
    section.appendChild(el("dl", { class: "hb-facts" }, [
      el("dt", { text: tr("email") }), el("dd", { text: member.email }),
      el("dt", { text: tr("team_role") }), el("dd", { text: teamRoleName(member.role) }),
      el("dt", { text: tr("team_status") }), el("dd", { "data-status": member.active ? "active" : "inactive", text: status })
    ]));
    if (!can("staff:write")) return section;
    if (!teamMayManage(member)) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_owner_manages") }));
      return section;
    }
    if (member.active) section.appendChild(teamEditForm(member, etag, own));
    var actions = el("div", { class: "hb-actions hb-team-life" });
    var errors = alertBox();
    if (own) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_not_yourself") }));
    } else if (member.active) {
      actions.appendChild(el("button", { type: "button", class: "hb-danger", "data-action": "deactivate", text: tr("team_deactivate"), onclick: function () { teamAskDeactivate(member, actions, errors); } }));
    } else {
      section.appendChild(el("p", { class: "hb-hint", text: tr("team_reactivate_hint") }));
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "reactivate", text: tr("team_reactivate"), onclick: function () { teamReactivate(member, errors); } }));
    }
    section.appendChild(actions);
    section.appendChild(errors);
    return section;
  }

  function teamEditForm(member, etag, own) {
    var name = field(tr("team_display_name"), { name: "display-name", autocomplete: "off", required: true, maxlength: "100", value: member.display_name }, tr("team_display_name_hint"));
    var pub = field(tr("team_public_name"), { name: "public-name", autocomplete: "off", maxlength: "100", value: member.public_name || "" }, tr("team_public_name_hint"));
    var roles = teamGrantable().slice();
    if (roles.indexOf(member.role) === -1) roles.unshift(member.role);
    var role = teamSelect(tr("team_role"), roles.map(function (r) { return [r, teamRoleName(r)]; }), member.role,
      own ? tr("team_own_role") : tr("team_role_change_hint"));
    if (own) role.input.disabled = true;
    var info = el("p", { class: "hb-hint", "aria-live": "polite" });
    function describe() { info.textContent = tr("team_roleinfo_" + role.input.value); }
    role.input.addEventListener("change", describe);
    describe();
    role.node.appendChild(info);
    var bookable = teamCheckbox(tr("team_bookable_label"), member.bookable, tr("team_bookable_hint"));
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("team_save") });
    var form = el("form", { class: "hb-form", novalidate: true }, [name.node, pub.node, role.node, bookable.node, errors, save]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      if (!name.input.value.trim()) {
        teamMark([name.input]);
        showError(errors, tr("err_missing"), [tr("team_display_name")]);
        name.input.focus();
        return;
      }
      var changes = {};
      if (name.input.value.trim() !== member.display_name) changes.display_name = name.input.value.trim();
      var publicName = pub.input.value.trim() || null;
      if (publicName !== (member.public_name || null)) changes.public_name = publicName;
      if (!own && role.input.value !== member.role) changes.role = role.input.value;
      if (bookable.input.checked !== member.bookable) changes.bookable = bookable.input.checked;
      if (!Object.keys(changes).length) {
        showError(errors, tr("team_nothing_changed"));
        return;
      }
      save.disabled = true;
      try {
        await api("PATCH", "/staff/" + member.id, changes, { "If-Match": etag });
        await reloadContext();
        if (own) renderTop();
        var note = changes.role ? tr("team_saved_role", { name: member.display_name }) : tr("team_saved");
        say(note);
        await go("team", { staff: member.id, note: note });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        var privileged = TEAM_PRIVILEGED.indexOf(member.role) !== -1 || TEAM_PRIVILEGED.indexOf(changes.role) !== -1;
        showError(errors, teamErrorText(error, privileged));
        if (error.status === 412) {
          // Someone else saved in between: show their version, and say so.
          await go("team", { staff: member.id, error: tr("team_err_changed") });
          return;
        }
        save.focus();
      }
    });
    return form;
  }

  function teamAskDeactivate(member, actions, errors) {
    clear(actions);
    showError(errors, "");
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("team_deactivate_really", { name: member.display_name }) });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "deactivate-yes", "aria-describedby": q.id, text: tr("team_deactivate_yes"), onclick: async function () {
      yes.disabled = true;
      no.disabled = true;
      try {
        await api("POST", "/staff/" + member.id + "/deactivate");
        await reloadContext();
        var note = tr("team_deactivated", { name: member.display_name });
        say(note);
        await go("team", { staff: member.id, note: note });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        yes.disabled = false;
        no.disabled = false;
        showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(member.role) !== -1));
        no.focus();
      }
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "deactivate-no", text: tr("team_keep_active"), onclick: function () { go("team", { staff: member.id }); } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    yes.focus();
  }

  async function teamReactivate(member, errors) {
    showError(errors, "");
    try {
      var r = await api("POST", "/staff/" + member.id + "/reactivate");
      var once = { name: r.data.display_name, email: r.data.email, password: r.data.one_time_password };
      await reloadContext();
      say(tr("team_reactivated", { name: member.display_name }));
      await teamShowOnce(once, member.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      showError(errors, teamErrorText(error, TEAM_PRIVILEGED.indexOf(member.role) !== -1));
    }
  }

  /* Client data: the owner sees each member's vault key and access; everyone
   * sees their own. A member without a key (or access) is pointed to the keys
   * screen. */
  async function teamAccessSection(member, own) {
    if (!member.active) return null;
    var text = null, todo = false;
    if (member.role === "accountant") {
      text = tr("team_access_never");
    } else if (own && ctx.vaultState) {
      if (!ctx.vaultState.member) { text = tr("team_access_own_no_key"); todo = true; }
      else if (!ctx.vaultState.grant) { text = tr("team_access_own_no_grant"); todo = !!can("vault:manage"); }
      else text = tr("team_access_ok");
    } else if (can("vault:manage")) {
      var access = await teamVaultAccess();
      var found = teamAccessText(member, access);
      if (found) { text = found.text; todo = !!found.todo; }
    }
    if (!text) return null;
    var section = teamSection(tr("team_access"), "hb-team-access");
    section.appendChild(el("p", { "data-access": todo ? "todo" : "ok", text: text }));
    if (todo) {
      var button = teamOpenKeysButton();
      if (button) section.appendChild(button);
      else section.appendChild(el("p", { class: "hb-hint", text: tr("team_keys_later") }));
    }
    return section;
  }

  // --- weekly hours ------------------------------------------------------------------------------------

  /* The API's rules as time ranges per weekday: shifts minus breaks. */
  function teamRangesFromRules(rules) {
    var week = [[], [], [], [], [], [], []];
    var breaks = [[], [], [], [], [], [], []];
    rules.forEach(function (r) {
      var range = { start: teamMinutes(r.start), end: teamMinutes(r.end) };
      (r.kind === "break" ? breaks : week)[r.weekday].push(range);
    });
    return week.map(function (ranges, day) {
      breaks[day].forEach(function (b) {
        ranges = ranges.reduce(function (out, r) {
          if (b.end <= r.start || b.start >= r.end) { out.push(r); return out; }
          if (b.start > r.start) out.push({ start: r.start, end: b.start });
          if (b.end < r.end) out.push({ start: b.end, end: r.end });
          return out;
        }, []);
      });
      return ranges.sort(function (a, b) { return a.start - b.start; })
        .map(function (r) { return { start: teamHm(r.start), end: teamHm(r.end) }; });
    });
  }

  function teamDayText(ranges) {
    if (!ranges.length) return tr("team_day_off");
    var text = ranges.map(teamRangeText).join(", ");
    var gaps = [];
    for (var i = 1; i < ranges.length; i++) {
      if (ranges[i].start > ranges[i - 1].end) gaps.push(ranges[i - 1].end + "–" + ranges[i].start);
    }
    return gaps.length ? text + " (" + tr("team_breaks", { times: gaps.join(", ") }) + ")" : text;
  }

  function teamWeek(member, rules) {
    var section = teamSection(tr("team_week"), "hb-team-week");
    var week = teamRangesFromRules(rules);
    if (!can("schedules:write")) {
      section.appendChild(el("dl", { class: "hb-facts hb-team-week-view" }, week.reduce(function (out, ranges, day) {
        out.push(el("dt", { text: teamWeekday(day) }), el("dd", { "data-weekday": day, text: teamDayText(ranges) }));
        return out;
      }, [])));
      return section;
    }
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_week_hint") }));
    var days = [];
    var grid = el("div", { class: "hb-team-days" });
    var errors = alertBox();
    var save = el("button", { type: "submit", class: "hb-primary", text: tr("team_week_save") });
    var form = el("form", { class: "hb-form", novalidate: true }, [grid, errors, save]);

    function read(day) {
      week[day] = days[day].rows.map(function (row) { return { start: row.start.value, end: row.end.value }; });
    }

    function drawDay(day, focus) {
      var fs = days[day].node;
      clear(fs);
      var dayName = teamWeekday(day);
      fs.appendChild(el("legend", { text: dayName }));
      var rows = [];
      var list = el("ul", { class: "hb-team-ranges" });
      week[day].forEach(function (range, i) {
        var n = i + 1;
        var startId = newId("t"), endId = newId("t");
        var start = el("input", { id: startId, type: "time", value: range.start, "data-weekday": day, "data-range": i, "data-edge": "start" });
        var end = el("input", { id: endId, type: "time", value: range.end, "data-weekday": day, "data-range": i, "data-edge": "end" });
        rows.push({ start: start, end: end });
        list.appendChild(el("li", { class: "hb-team-range" }, [
          el("span", { class: "hb-field" }, [el("label", { for: startId }, [el("span", { class: "hb-sr-only", text: tr("team_range_of", { day: dayName, n: n }) + " " }), tr("team_from")]), start]),
          el("span", { class: "hb-field" }, [el("label", { for: endId }, [el("span", { class: "hb-sr-only", text: tr("team_range_of", { day: dayName, n: n }) + " " }), tr("team_until")]), end]),
          el("button", {
            type: "button", class: "hb-secondary hb-team-remove", "aria-label": tr("team_range_remove", { day: dayName, n: n }), text: tr("team_remove"),
            onclick: function () { read(day); week[day].splice(i, 1); drawDay(day, "add"); say(tr("team_range_removed", { day: dayName })); }
          })
        ]));
      });
      days[day].rows = rows;
      if (week[day].length) fs.appendChild(list);
      else fs.appendChild(el("p", { class: "hb-hint", text: tr("team_day_off") }));
      var buttons = el("div", { class: "hb-actions" });
      var add = el("button", {
        type: "button", class: "hb-secondary", "data-add": day, "aria-label": tr("team_range_add_for", { day: dayName }), text: tr("team_range_add"),
        onclick: function () {
          read(day);
          var last = week[day][week[day].length - 1];
          var from = last ? Math.min(teamMinutes(last.end) + 60, 23 * 60) : 9 * 60;
          week[day].push({ start: teamHm(from), end: teamHm(Math.min(from + 4 * 60, 23 * 60 + 59)) });
          drawDay(day, "new");
        }
      });
      buttons.appendChild(add);
      if (day > 0) {
        buttons.appendChild(el("button", {
          type: "button", class: "hb-secondary", "data-copy": day, text: tr("team_same_as", { day: teamWeekday(day - 1) }),
          "aria-label": tr("team_same_as_for", { day: dayName, other: teamWeekday(day - 1) }),
          onclick: function () {
            read(day - 1);
            week[day] = week[day - 1].map(function (r) { return { start: r.start, end: r.end }; });
            drawDay(day, "copy");
            say(tr("team_copied_day", { day: dayName, other: teamWeekday(day - 1) }));
          }
        }));
      }
      fs.appendChild(buttons);
      if (focus === "new" && rows.length) rows[rows.length - 1].start.focus();
      else if (focus === "add") add.focus();
      else if (focus === "copy") buttons.lastChild.focus();
    }

    for (var day = 0; day < 7; day++) {
      days.push({ node: el("fieldset", { class: "hb-team-day", "data-weekday": day }), rows: [] });
      grid.appendChild(days[day].node);
      drawDay(day);
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(errors, "");
      for (var d = 0; d < 7; d++) read(d);
      var problems = [], bad = [], rules = [];
      week.forEach(function (ranges, d) {
        var name = teamWeekday(d);
        var good = [];
        ranges.forEach(function (r, i) {
          var row = days[d].rows[i];
          if (!r.start || !r.end) {
            problems.push(tr("team_err_range_empty", { day: name, n: i + 1 }));
            bad.push(!r.start ? row.start : row.end);
          } else if (teamMinutes(r.end) <= teamMinutes(r.start)) {
            problems.push(tr("team_err_range_order", { day: name, range: teamRangeText(r) }));
            bad.push(row.end);
          } else {
            good.push({ r: r, row: row });
          }
        });
        good.sort(function (a, b) { return teamMinutes(a.r.start) - teamMinutes(b.r.start); });
        for (var i = 1; i < good.length; i++) {
          if (teamMinutes(good[i].r.start) < teamMinutes(good[i - 1].r.end)) {
            problems.push(tr("team_err_range_overlap", { day: name, a: teamRangeText(good[i - 1].r), b: teamRangeText(good[i].r) }));
            bad.push(good[i].row.start);
          }
        }
        good.forEach(function (g) { rules.push({ weekday: d, kind: "shift", start: g.r.start, end: g.r.end }); });
      });
      if (problems.length) {
        teamMark(bad);
        showError(errors, tr("team_err_week"), problems);
        bad[0].focus();
        return;
      }
      save.disabled = true;
      try {
        var r = await api("PUT", "/staff/" + member.id + "/working-hours", { rules: rules });
        week = teamRangesFromRules(r.data.rules || []);
        for (var dd = 0; dd < 7; dd++) drawDay(dd);
        save.disabled = false;
        var done = el("p", { class: "hb-ok", text: tr("team_week_saved") });
        say(tr("team_week_saved"));
        showError(errors, "");
        var old = form.querySelector(".hb-team-saved");
        if (old) old.remove();
        done.classList.add("hb-team-saved");
        form.insertBefore(done, save);
        save.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        save.disabled = false;
        showError(errors, teamErrorText(error));
        save.focus();
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- one-off hours (exceptions) -------------------------------------------------------------------------

  function teamExceptions(member, rows) {
    var section = teamSection(tr("team_exceptions"), "hb-team-exceptions");
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_exceptions_hint") }));
    var list = el("ul", { class: "hb-team-entries" });
    var errors = alertBox();
    var teller = teamTeller();
    var write = can("schedules:write");

    function draw(focusAdd) {
      clear(list);
      if (!rows.length) list.appendChild(el("li", { class: "hb-hint", text: tr("team_exceptions_none") }));
      rows.forEach(function (x) {
        var text = teamShortDate(x.date) + ": " + (x.start ? x.start + "–" + x.end : tr("team_exception_off"));
        list.appendChild(el("li", { "data-exception": x.id }, [
          el("span", { text: text }),
          write ? teamDeleteButton(text, "/staff/" + member.id + "/exceptions/" + x.id, errors, teller, function () {
            rows = rows.filter(function (o) { return o.id !== x.id; });
            draw(true);
          }) : null
        ]));
      });
      if (focusAdd && addDate) addDate.input.focus();
    }

    var addDate = null;
    section.appendChild(list);
    section.appendChild(teller.node);
    section.appendChild(errors);
    draw(false);
    if (!write) return section;

    addDate = field(tr("team_date"), { type: "date", name: "exception-date", min: today(), required: true });
    var off = teamCheckbox(tr("team_exception_is_off"), true);
    var from = field(tr("team_from"), { type: "time", name: "exception-from" });
    var until = field(tr("team_until"), { type: "time", name: "exception-until" });
    var times = el("div", { class: "hb-team-times", hidden: true }, [from.node, until.node]);
    off.input.addEventListener("change", function () { times.hidden = off.input.checked; });
    var formErrors = alertBox();
    var add = el("button", { type: "submit", class: "hb-primary", text: tr("team_exception_add") });
    var form = el("form", { class: "hb-form hb-team-add", novalidate: true, "aria-label": tr("team_exception_add") }, [addDate.node, off.node, times, formErrors, add]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(formErrors, "");
      var body = { date: addDate.input.value, start: null, end: null };
      var bad = [];
      var problems = [];
      if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date)) { bad.push(addDate.input); problems.push(tr("team_date")); }
      if (!off.input.checked) {
        body.start = from.input.value;
        body.end = until.input.value;
        if (!body.start) { bad.push(from.input); problems.push(tr("team_from")); }
        if (!body.end) { bad.push(until.input); problems.push(tr("team_until")); }
      }
      if (bad.length) {
        teamMark(bad);
        showError(formErrors, tr("err_missing"), problems);
        bad[0].focus();
        return;
      }
      if (body.start && teamMinutes(body.end) <= teamMinutes(body.start)) {
        teamMark([until.input]);
        showError(formErrors, tr("team_err_end_after_start"));
        until.input.focus();
        return;
      }
      add.disabled = true;
      try {
        var r = await api("POST", "/staff/" + member.id + "/exceptions", body);
        rows = rows.concat([r.data]).sort(function (a, b) { return (a.date + (a.start || "")).localeCompare(b.date + (b.start || "")); });
        draw(false);
        addDate.input.value = "";
        teller.tell(tr("team_exception_added"));
        addDate.input.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        showError(formErrors, error.status === 409 ? tr("team_err_exception_taken") : teamErrorText(error));
        addDate.input.focus();
      } finally {
        add.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

  // --- time off ------------------------------------------------------------------------------------------------

  function teamKindText(kind) {
    var names = {
      vacation: tr("team_kind_vacation"), sick: tr("team_kind_sick"), training: tr("team_kind_training"),
      other: tr("team_kind_other"), away: tr("team_kind_away")
    };
    return names[kind] || kind;
  }

  function teamTimeOffText(x) {
    var s = zoneParts(new Date(x.start_at), ctx.tz), e = zoneParts(new Date(x.end_at), ctx.tz);
    if (s.hm === "00:00" && e.hm === "00:00") {
      var last = shiftDay(e.date, -1);
      return last === s.date ? teamShortDate(s.date) : teamShortDate(s.date) + " – " + teamShortDate(last);
    }
    if (s.date === e.date) return teamShortDate(s.date) + ", " + s.hm + "–" + e.hm;
    return teamShortDate(s.date) + " " + s.hm + " – " + teamShortDate(e.date) + " " + e.hm;
  }

  function teamTimeOff(member, all) {
    var section = teamSection(tr("team_time_off"), "hb-team-time-off");
    var now = Date.now();
    var rows = all.filter(function (x) { return new Date(x.end_at).getTime() > now; });
    section.appendChild(el("p", { class: "hb-hint", text: tr("team_time_off_hint") }));
    var list = el("ul", { class: "hb-team-entries" });
    var errors = alertBox();
    var teller = teamTeller();
    var write = can("schedules:write");
    var fromDate = null;

    function draw(focusAdd) {
      clear(list);
      if (!rows.length) list.appendChild(el("li", { class: "hb-hint", text: tr("team_time_off_none") }));
      rows.forEach(function (x) {
        var text = teamTimeOffText(x) + " · " + teamKindText(x.kind);
        list.appendChild(el("li", { "data-time-off": x.id }, [
          el("span", { text: text }),
          write ? teamDeleteButton(text, "/staff/" + member.id + "/time-off/" + x.id, errors, teller, function () {
            rows = rows.filter(function (o) { return o.id !== x.id; });
            draw(true);
          }) : null
        ]));
      });
      if (focusAdd && fromDate) fromDate.input.focus();
    }

    section.appendChild(list);
    section.appendChild(teller.node);
    section.appendChild(errors);
    draw(false);
    if (!write) return section;

    fromDate = field(tr("team_off_from"), { type: "date", name: "off-from", required: true });
    var fromTime = field(tr("team_off_from_time"), { type: "time", name: "off-from-time" }, tr("team_off_time_hint"));
    var toDate = field(tr("team_off_to"), { type: "date", name: "off-to", required: true });
    var toTime = field(tr("team_off_to_time"), { type: "time", name: "off-to-time" }, tr("team_off_time_hint"));
    var kind = teamSelect(tr("team_off_kind"), TEAM_KINDS.map(function (k) { return [k, teamKindText(k)]; }), "vacation", tr("team_off_kind_hint"));
    fromDate.input.addEventListener("change", function () {
      if (!toDate.input.value || toDate.input.value < fromDate.input.value) toDate.input.value = fromDate.input.value;
    });
    var formErrors = alertBox();
    var add = el("button", { type: "submit", class: "hb-primary", text: tr("team_off_add") });
    var form = el("form", { class: "hb-form hb-team-add", novalidate: true, "aria-label": tr("team_off_add") }, [
      el("div", { class: "hb-team-times" }, [fromDate.node, fromTime.node]),
      el("div", { class: "hb-team-times" }, [toDate.node, toTime.node]),
      kind.node, formErrors, add
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      teamUnmark(form);
      showError(formErrors, "");
      var iso = /^\d{4}-\d{2}-\d{2}$/;
      var bad = [], problems = [];
      if (!iso.test(fromDate.input.value)) { bad.push(fromDate.input); problems.push(tr("team_off_from")); }
      if (!iso.test(toDate.input.value)) { bad.push(toDate.input); problems.push(tr("team_off_to")); }
      if (bad.length) {
        teamMark(bad);
        showError(formErrors, tr("err_missing"), problems);
        bad[0].focus();
        return;
      }
      // Without times: whole days, from the first day's start to the end of the last day.
      var start = fromDate.input.value + "T" + (fromTime.input.value || "00:00") + ":00";
      var end = toTime.input.value ? toDate.input.value + "T" + toTime.input.value + ":00" : shiftDay(toDate.input.value, 1) + "T00:00:00";
      if (end <= start) {
        teamMark([toDate.input, toTime.input]);
        showError(formErrors, tr("team_err_end_after_start"));
        toDate.input.focus();
        return;
      }
      add.disabled = true;
      try {
        var r = await api("POST", "/staff/" + member.id + "/time-off", { start_at: start, end_at: end, kind: kind.input.value });
        rows = rows.concat([r.data]).sort(function (a, b) { return new Date(a.start_at) - new Date(b.start_at); });
        draw(false);
        [fromDate, fromTime, toDate, toTime].forEach(function (f) { f.input.value = ""; });
        teller.tell(tr("team_off_added"));
        fromDate.input.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return;
        showError(formErrors, teamErrorText(error));
        fromDate.input.focus();
      } finally {
        add.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }
