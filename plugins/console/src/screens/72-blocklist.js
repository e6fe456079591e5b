/* Blocked contacts (tenant:write, which the service asks for reading the list
 * too): e-mail addresses and phone numbers that may not book online. The
 * service keeps only a keyed hash of each (it hashes what is typed here and
 * forgets the value), so the list shows what the API gives — the kind, why
 * and since when — never who. Part of the console's one function scope (see
 * console.js; helpers "records…" in 70-integrations.js). */

  var BLOCKLIST_PHONE = /^\+?[0-9 ()/.-]{5,30}$/; // the service's rule (resources/clients.py)

  var blocklistBox = null;

  onForget(function () { blocklistBox = null; });

  registerScreen({
    id: "blocklist",
    label: "blocklist_nav",
    allowed: function () { return can("tenant:write"); },
    render: async function (box) {
      blocklistBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("blocklist_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("blocklist_intro") }));
      box.appendChild(blocklistForm());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-blocked", "aria-labelledby": "hb-blocked-title" }));
      await blocklistDraw();
    },
    leave: function () { blocklistBox = null; }
  });

  function blocklistKind(kind) {
    return recordsText("blocklist_kind_" + kind, kind);
  }

  async function blocklistDraw(message) {
    var box = blocklistBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-blocked");
    var rows;
    try {
      rows = (await api("GET", "/blocked-contacts")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || blocklistBox !== box) return;
      recordsFailed(section, "hb-blocked-title", tr("blocklist_title"), error);
      return;
    }
    if (blocklistBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-blocked-title", tabindex: "-1", text: tr("blocklist_list_title", { count: rows.length }) }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    if (!rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("blocklist_none") }));
      return;
    }
    section.appendChild(el("p", { class: "hb-hint", text: tr("blocklist_list_hint") }));
    section.appendChild(el("ul", { class: "hb-rec-cards" }, rows.slice().reverse().map(blocklistCard)));
  }

  function blocklistCard(row) {
    var headId = newId("blocked");
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    var since = recordsWhen(row.created_at);
    function offer() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", "data-action": "unblock", "aria-describedby": headId,
        text: tr("blocklist_unblock"),
        onclick: function () {
          recordsAsk(actions, tr("blocklist_unblock_really", { kind: blocklistKind(row.kind), since: since }), tr("blocklist_unblock_yes"),
            function () { blocklistRemove(row, actions, errors); },
            function () { offer(); actions.querySelector("button").focus(); });
        }
      }));
    }
    offer();
    return el("li", { class: "hb-rec-card", "data-blocked": row.id }, [
      el("h3", { id: headId, text: tr("blocklist_card_title", { kind: blocklistKind(row.kind), id: row.id }) }),
      el("dl", { class: "hb-facts" }, [
        el("dt", { text: tr("blocklist_since") }), el("dd", { text: since }),
        el("dt", { text: tr("blocklist_reason") }), el("dd", { text: recordsText("blocklist_reason_" + row.reason, row.reason) })
      ]),
      actions,
      errors
    ]);
  }

  async function blocklistRemove(row, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      await api("DELETE", "/blocked-contacts/" + row.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (error.status !== 404) { // gone already: as good as done
        actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        showError(errors, recordsError(error));
        return;
      }
    }
    var done = tr("blocklist_unblocked", { kind: blocklistKind(row.kind) });
    await blocklistDraw(done);
    say(done);
    focusHeading(document.getElementById("hb-blocked-title"));
  }

  function blocklistForm() {
    var section = el("section", { class: "hb-rec-section", "aria-labelledby": "hb-block-title" });
    section.appendChild(el("h2", { id: "hb-block-title", text: tr("blocklist_add_title") }));
    var email = field(tr("blocklist_email"), { name: "block-email", type: "email", autocomplete: "off", spellcheck: "false", maxlength: "254" });
    var phone = field(tr("blocklist_phone"), { name: "block-phone", type: "tel", autocomplete: "off", maxlength: "30" }, tr("blocklist_phone_hint"));
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("blocklist_add") });
    var form = el("form", { class: "hb-form hb-rec-form", novalidate: true }, [
      el("p", { class: "hb-hint", text: tr("blocklist_add_hint") }), email.node, phone.node, errors, button
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      [email, phone].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var body = {};
      var problems = [];
      var e = email.input.value.trim(), p = phone.input.value.trim();
      if (e) {
        if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) body.email = e;
        else problems.push([email, tr("blocklist_err_email")]);
      }
      if (p) {
        if (BLOCKLIST_PHONE.test(p) && /[0-9]/.test(p)) body.phone = p;
        else problems.push([phone, tr("blocklist_err_phone")]);
      }
      if (!e && !p) problems.push([email, tr("blocklist_err_empty")]);
      if (problems.length) {
        problems.forEach(function (x) { x[0].input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_check"), problems.map(function (x) { return x[1]; }));
        problems[0][0].input.focus();
        return;
      }
      button.disabled = true;
      try {
        var r = await api("POST", "/blocked-contacts", body);
        email.input.value = "";
        phone.input.value = "";
        body = null;
        var kinds = (r.data || []).map(function (row) { return blocklistKind(row.kind); }).join(", ");
        var done = tr("blocklist_added", { kinds: kinds });
        await blocklistDraw(done);
        say(done);
      } catch (error) {
        if (error instanceof SessionEnded) return;
        if (error.status === 422) {
          var json = (error.problem && error.problem.errors && error.problem.errors.json) || {};
          var named = [];
          [["email", email, "blocklist_email"], ["phone", phone, "blocklist_phone"]].forEach(function (x) {
            if (!json[x[0]]) return;
            x[1].input.setAttribute("aria-invalid", "true");
            named.push(tr(x[2]) + ": " + [].concat(json[x[0]]).join(" "));
          });
          showError(errors, tr("err_check"), named.length ? named : [error.message]);
        } else {
          showError(errors, recordsError(error));
        }
      } finally {
        button.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }
