/* Client data: the vault panel (unlock, lock) shown beside the day and on
 * other screens (renderVault/drawVault), and the "keys" screen: one's own key
 * (enrol, replace), and for the owner the business key (set up), who may read
 * (grant, revoke) and the key change (rotation). Part of the console's one
 * function scope (see console.js); every name declared here starts with
 * "keys", except the panel's two functions that other screens call.
 *
 * All the cryptography is HushbookVault's (src/vault.js): keys are made,
 * wrapped and sealed in this browser; the service receives public keys,
 * wrapped keys and sealed grants only. The passphrase is read from its field,
 * the field is emptied, and it goes to vault.enrol/unlock only. After every
 * change the vault state is read again (GET /v1/vault) and handed to
 * vault.adopt, which takes a new key only if the service has it — so a failed
 * request never leaves a wrong key held here. */

  var keysBox = null; // the keys screen's box while it is shown
  var keysMembers = null; // GET /v1/vault/members (owner), as last read
  var keysNote = null; // {text, error}: what the last action said, shown once
  var keysReplacing = false; // the "forgot my passphrase" form is open

  onForget(function () {
    keysBox = null;
    keysMembers = null;
    keysNote = null;
    keysReplacing = false;
  });

  onVaultChange(function () {
    if (keysShown()) keysDraw();
  });

  registerScreen({
    id: "keys",
    label: "keys_nav",
    allowed: function () { return can("vault:own"); },
    render: async function (box) {
      keysBox = box;
      keysNote = null;
      keysReplacing = false;
      box.appendChild(el("h1", { text: tr("keys_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("loading") }));
      await keysReload();
      if (box === keysBox) keysDraw();
    },
    leave: function () {
      keysBox = null;
      keysMembers = null;
    }
  });

  function keysShown() {
    return !!(keysBox && keysBox.isConnected);
  }

  function keysOwner() {
    return can("vault:manage");
  }

  /* scrypt cost of a new key: production log_n 17 (the SDK's PRODUCTION_LOG_N).
   * Test-only hook: a browser test may lower it to the floor, 16, by defining
   * globalThis.HushbookConsoleTest = {vaultLogN: 16} before the page loads
   * (Playwright's add_init_script). Deliberately not a URL parameter: a link
   * could then talk someone into a cheaper key, while a script in the page can
   * read the passphrase anyway, so this hook gives it nothing new. Any other
   * value is ignored. */
  function keysLogN() {
    var H = globalThis.HushbookVault;
    var hook = globalThis.HushbookConsoleTest;
    return hook && hook.vaultLogN === H.MIN_LOG_N ? H.MIN_LOG_N : H.DEFAULT_LOG_N;
  }

  /* The vault state and (owner, business key set up) the team's keys, read
   * again; the vault adopts what changed (a new key, a grant that arrived, a
   * grant taken away). Tells the other screens when what the vault can do changed. */
  async function keysReload() {
    ctx.vaultState = (await api("GET", "/vault")).data;
    keysMembers = keysOwner() && ctx.vaultState && ctx.vaultState.public_key ? (await api("GET", "/vault/members")).data : null;
    if (!vault) return;
    var before = vault.unlocked + "/" + vault.canRead;
    await vault.adopt(ctx.vaultState);
    if (before !== vault.unlocked + "/" + vault.canRead) await vaultChanged();
  }

  /* Plain words for a refusal of the vault API. */
  function keysErrorText(error) {
    var S = globalThis.HushbookSealing;
    if (S && error instanceof S.SealError) return tr("keys_rotate_unreadable", { detail: error.message });
    if (!(error instanceof ApiError)) return tr("keys_failed");
    switch (error.reason) {
      case "vault_exists": return tr("keys_reason_vault_exists");
      case "member_key_missing": return tr("keys_reason_member_key_missing");
      case "stale_key_version": return tr("keys_reason_stale_key_version");
      case "clients_changed": return tr("keys_reason_clients_changed");
      case "accountant_never": return tr("keys_reason_accountant_never");
      default: return reasonText(error);
    }
  }

  /* Runs an action with every button of the screen disabled; afterwards the
   * state is read again (also after a failure: adopt drops a pending key the
   * service did not take), the screen redrawn with the note, and focus put on
   * the note's section. */
  async function keysRun(section, action) {
    if (!keysShown()) return;
    keysBox.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var text, error = false;
    try {
      text = await action();
    } catch (failure) {
      if (failure instanceof SessionEnded || !session) return;
      text = keysErrorText(failure);
      error = true;
    }
    try {
      await keysReload();
    } catch (failure) {
      if (failure instanceof SessionEnded || !session) return;
    }
    if (!keysShown()) return;
    keysNote = { text: text, error: error, section: section };
    keysDraw();
    if (!error) say(text); // an error is in a role="alert" region already
    var target = keysBox.querySelector('[data-keys-section="' + section + '"] h2') || keysBox.querySelector("h1");
    focusHeading(target);
  }

  // --- drawing -------------------------------------------------------------------------

  function keysDraw() {
    var box = keysBox;
    clear(box);
    box.appendChild(el("h1", { text: tr("keys_title") }));
    box.appendChild(el("p", { class: "hb-keys-intro", text: tr("keys_intro") }));
    if (!vault) {
      box.appendChild(el("p", { role: "alert", class: "hb-alert", text: tr("err_no_vault") }));
      return;
    }
    var st = ctx.vaultState || {};
    var enrolled = !!st.member;
    var owner = keysOwner();
    var intro = box.lastChild;
    if (!enrolled) {
      box.appendChild(keysEnrolSection());
    } else {
      var teamHere = owner && st.public_key;
      // The unlock panel: in the team section for the owner (giving access
      // and changing the key need the vault unlocked), else at the top.
      if (!teamHere) box.appendChild(renderVault());
      if (owner && !st.public_key) box.appendChild(keysSetupSection());
      if (teamHere) {
        box.appendChild(keysTeamSection());
        box.appendChild(keysRotateSection());
      }
      box.appendChild(keysMineSection());
    }
    if (keysNote) { // its section is not drawn (e.g. enrolling failed): under the intro
      intro.after(keysNoteNode());
      keysNote = null;
    }
  }

  function keysNoteNode() {
    return keysNote.error
      ? el("div", { class: "hb-alert", role: "alert" }, [el("p", { text: keysNote.text })])
      : el("p", { class: "hb-notice hb-keys-note", text: keysNote.text });
  }

  function keysSection(name, title) {
    var id = newId("keys");
    var section = el("section", { class: "hb-keys-card", "data-keys-section": name, "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, text: title }));
    if (keysNote && keysNote.section === name) {
      section.appendChild(keysNoteNode());
      keysNote = null;
    }
    return section;
  }

  /* Not enrolled yet: the section with the enrol form. */
  function keysEnrolSection() {
    var section = keysSection("enrol", tr("keys_enrol_title"));
    section.appendChild(el("p", { text: tr("keys_enrol_text") }));
    keysEnrolForm(section, false);
    return section;
  }

  /* Choose a passphrase twice, then make the key here (scrypt with a progress
   * bar) and store it wrapped. ``replacing``: the member forgot the old one. */
  function keysEnrolForm(container, replacing) {
    var owner = keysOwner();
    container.appendChild(el("p", { class: "hb-keys-warning", text: tr(owner ? "keys_enrol_warning_owner" : "keys_enrol_warning") }));
    var first = field(tr("keys_pass"), { name: "new-vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true }, tr("keys_pass_hint"));
    var again = field(tr("keys_pass_repeat"), { name: "repeat-vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    var errors = alertBox();
    var progress = el("progress", { max: "100", value: "0", "aria-label": tr("keys_enrolling"), hidden: true });
    var label = replacing ? tr("keys_replace_button") : tr("keys_enrol_button");
    var button = el("button", { type: "submit", class: "hb-primary", text: label });
    var form = el("form", { class: "hb-form hb-keys-form", novalidate: true }, [first.node, again.node, errors, progress, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      first.input.removeAttribute("aria-invalid");
      again.input.removeAttribute("aria-invalid");
      var secret = first.input.value, repeated = again.input.value;
      first.input.value = ""; // the fields never keep it
      again.input.value = "";
      var missing = !secret;
      var problem = missing ? tr("err_missing") : Array.from(secret).length < 12 ? tr("keys_pass_short") : secret !== repeated ? tr("keys_pass_mismatch") : "";
      repeated = null;
      if (problem) {
        secret = null;
        first.input.setAttribute("aria-invalid", "true");
        showError(errors, problem, missing ? [tr("keys_pass")] : null);
        first.input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = tr("keys_enrolling");
      progress.hidden = false;
      var next = owner && !(ctx.vaultState && ctx.vaultState.public_key) ? "setup" : "mine";
      await keysRun(next, async function () {
        ctx.vaultState = (await api("GET", "/vault")).data;
        var body;
        try {
          body = await vault.enrol(ctx.vaultState, secret, {
            logN: keysLogN(),
            onProgress: function (p) { progress.value = String(Math.round(100 * (typeof p === "number" ? p : 0))); }
          });
        } finally {
          secret = null;
        }
        await api("PUT", "/vault/member", body);
        keysReplacing = false;
        return owner ? tr("keys_enrolled_owner") : tr("keys_enrolled");
      });
      secret = null;
    });
    container.appendChild(form);
  }

  /* Own key: enrolled; access or not; the way out when the passphrase is lost. */
  function keysMineSection() {
    var st = ctx.vaultState || {};
    var section = keysSection("mine", tr("keys_mine_title"));
    section.appendChild(el("p", { text: tr("keys_mine_ok") }));
    section.appendChild(el("p", { text: st.grant ? tr("keys_mine_access") : keysOwner() && !st.public_key ? tr("keys_mine_setup") : tr("keys_mine_no_access") }));
    if (keysReplacing) {
      section.appendChild(el("h3", { text: tr("keys_forgot_title") }));
      section.appendChild(el("p", { text: tr(keysOwner() ? "keys_forgot_text_owner" : "keys_forgot_text") }));
      keysEnrolForm(section, true);
      section.appendChild(el("button", { type: "button", class: "hb-secondary hb-keys-cancel", text: tr("keys_forgot_cancel"), onclick: function () {
        keysReplacing = false;
        keysDraw();
        var again = keysBox.querySelector('[data-action="forgot"]');
        if (again) again.focus();
      } }));
    } else {
      section.appendChild(el("button", { type: "button", class: "hb-link", "data-action": "forgot", text: tr("keys_forgot_button"), onclick: function () {
        keysReplacing = true;
        keysDraw();
        var input = keysBox.querySelector('input[name="new-vault-passphrase"]');
        if (input) input.focus();
      } }));
    }
    return section;
  }

  /* Owner, no business key yet: make it here. */
  function keysSetupSection() {
    var section = keysSection("setup", tr("keys_setup_title"));
    section.appendChild(el("p", { text: tr("keys_setup_text") }));
    if (!vault.unlocked) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("keys_setup_unlock_first") }));
      return section;
    }
    section.appendChild(el("button", { type: "button", class: "hb-primary", text: tr("keys_setup_button"), onclick: function (event) {
      event.currentTarget.textContent = tr("keys_setting_up");
      keysRun("team", async function () {
        var body = await vault.setupBody();
        await api("POST", "/vault/setup", body);
        return tr("keys_setup_done");
      });
    } }));
    return section;
  }

  /* Owner: the team, each person's key and access; give and take access. */
  function keysTeamSection() {
    var section = keysSection("team", tr("keys_team_title"));
    section.appendChild(el("p", { text: tr("keys_team_text") }));
    if (!vault.canRead) section.appendChild(el("p", { class: "hb-hint", text: tr("keys_team_unlock") }));
    section.appendChild(renderVault());
    var list = el("ul", { class: "hb-keys-team" });
    (keysMembers || []).forEach(function (m) { list.appendChild(keysMemberItem(m)); });
    section.appendChild(list);
    return section;
  }

  function keysMemberItem(m) {
    var me = m.staff_id === ctx.vaultState.staff_id;
    var name = m.display_name || "#" + m.staff_id;
    var item = el("li", { class: "hb-keys-member" + (m.granted ? " hb-keys-granted" : ""), "data-staff": m.staff_id });
    item.appendChild(el("h3", { text: me ? name + " " + tr("keys_you") : name }));
    item.appendChild(el("dl", { class: "hb-facts hb-keys-facts" }, [
      el("dt", { text: tr("keys_role") }), el("dd", { text: tr("role_" + (m.role || "unknown")) }),
      el("dt", { text: tr("keys_own_key") }), el("dd", { text: m.public_key ? tr("keys_yes") : tr("keys_no") }),
      el("dt", { text: tr("keys_access") }), el("dd", { text: m.granted ? tr("keys_yes") : tr("keys_no") })
    ]));
    var actions = el("div", { class: "hb-actions" });
    item.appendChild(actions);
    if (me) return item;
    if (m.role === "accountant") {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_member_accountant") }));
    } else if (!m.public_key) {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_member_no_key", { name: name }) }));
    } else if (!m.granted && vault.canRead) {
      actions.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "grant", text: tr("keys_grant"), "aria-label": tr("keys_grant_to", { name: name }), onclick: function () {
        keysRun("team", async function () {
          var body = await vault.grantFor(m);
          await api("PUT", "/vault/grants/" + m.staff_id, body);
          return tr("keys_granted", { name: name });
        });
      } }));
    }
    if (m.granted) {
      actions.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "revoke", text: tr("keys_revoke"), "aria-label": tr("keys_revoke_from", { name: name }), onclick: function () {
        keysAskRevoke(m, name, actions);
      } }));
    }
    return item;
  }

  /* An earlier action's note is history once the next question is asked. */
  function keysDropNotes() {
    keysBox.querySelectorAll(".hb-keys-note").forEach(function (n) { n.remove(); });
  }

  function keysAskRevoke(m, name, actions) {
    keysDropNotes();
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("keys_revoke_really", { name: name }) });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "revoke-yes", "aria-describedby": q.id, text: tr("keys_revoke_yes"), onclick: function () {
      keysRun("team", async function () {
        await api("DELETE", "/vault/grants/" + m.staff_id);
        return tr("keys_revoked", { name: name });
      });
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "revoke-no", "aria-describedby": q.id, text: tr("keys_keep"), onclick: function () {
      keysDraw();
      var again = keysBox.querySelector('[data-staff="' + m.staff_id + '"] [data-action="revoke"]');
      if (again) again.focus();
    } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    no.focus(); // the safe answer first: Enter twice does not take access away
  }

  /* Owner: a new business key; every profile opened and sealed again here. */
  function keysRotateSection() {
    var section = keysSection("rotate", tr("keys_rotate_title"));
    section.appendChild(el("p", { text: tr("keys_rotate_text") }));
    var actions = el("div", { class: "hb-actions" });
    section.appendChild(actions);
    if (!vault.canRead) {
      actions.appendChild(el("p", { class: "hb-hint", text: tr("keys_team_unlock") }));
      return section;
    }
    actions.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "rotate", text: tr("keys_rotate_button"), onclick: function () {
      keysAskRotate(section, actions);
    } }));
    return section;
  }

  function keysAskRotate(section, actions) {
    keysDropNotes();
    clear(actions);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("keys_rotate_really") });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "rotate-yes", "aria-describedby": q.id, text: tr("keys_rotate_yes"), onclick: function () {
      var status = el("p", { class: "hb-keys-progress-text", text: tr("keys_rotate_reading") });
      var bar = el("progress", { max: "1", value: "0", "aria-label": tr("keys_rotate_progress_label") });
      actions.appendChild(status);
      actions.appendChild(bar);
      keysRun("rotate", async function () {
        // The current state first: rotating from a stale version is refused.
        ctx.vaultState = (await api("GET", "/vault")).data;
        await vault.adopt(ctx.vaultState);
        var results = await Promise.all([allPages("/clients"), api("GET", "/vault/members")]);
        var body = await vault.rotateBody(results[0], results[1].data, {
          onProgress: function (done, total) {
            bar.max = String(Math.max(1, total));
            bar.value = String(done);
            status.textContent = tr("keys_rotate_progress", { done: done, total: total });
          }
        });
        status.textContent = tr("keys_rotate_saving");
        await api("POST", "/vault/rotate", body);
        return tr("keys_rotate_done", { count: body.profiles.length });
      });
    } });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "rotate-no", "aria-describedby": q.id, text: tr("keys_rotate_no"), onclick: function () {
      keysDraw();
      var again = keysBox.querySelector('[data-action="rotate"]');
      if (again) again.focus();
    } });
    actions.appendChild(q);
    actions.appendChild(yes);
    actions.appendChild(no);
    no.focus();
  }

  // --- the panel beside the day (and on other screens) -----------------------------------------

  function renderVault() {
    var box = el("section", { class: "hb-vault", "aria-labelledby": "hb-vault-title" });
    els.vault = box;
    drawVault();
    return box;
  }

  function drawVault(message) {
    var box = els.vault;
    clear(box);
    box.appendChild(el("h2", { id: "hb-vault-title", text: tr("vault_title") }));
    var member = ctx.vaultState && ctx.vaultState.member;
    if (vault.unlocked) {
      box.appendChild(el("p", { class: "hb-ok", text: vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant") }));
      var buttons = el("div", { class: "hb-actions" });
      box.appendChild(buttons);
      buttons.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("vault_lock"), onclick: function () {
        vault.lock();
        drawVault();
        vaultChanged();
        say(tr("vault_locked_now"));
        els.vault.querySelector("input").focus();
      } }));
      if (!vault.canRead) buttons.appendChild(el("button", { type: "button", class: "hb-secondary", "data-action": "check-access", text: tr("keys_panel_check"), onclick: keysCheckAccess }));
      return;
    }
    if (!member) {
      box.appendChild(el("p", { text: tr("keys_panel_not_enrolled") }));
      if (allowedScreens().some(function (s) { return s.id === "keys"; })) {
        box.appendChild(el("button", { type: "button", class: "hb-primary", "data-action": "go-keys", text: tr("keys_panel_enrol"), onclick: function () { go("keys"); } }));
      }
      return;
    }
    box.appendChild(el("p", { class: "hb-hint", text: tr("vault_locked_text") }));
    var pass = field(tr("passphrase"), { name: "vault-passphrase", type: "password", autocomplete: "off", spellcheck: "false", required: true });
    var errors = alertBox();
    var progress = el("progress", { max: "100", value: "0", "aria-label": tr("unlocking"), hidden: true });
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("unlock") });
    var form = el("form", { class: "hb-form hb-inline", novalidate: true }, [pass.node, button, progress, errors]);
    if (message) showError(errors, message);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      var secret = pass.input.value;
      pass.input.value = ""; // the field never keeps it
      if (!secret) {
        showError(errors, tr("err_missing"), [tr("passphrase")]);
        pass.input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = tr("unlocking");
      progress.hidden = false;
      try {
        // The state is read afresh: a grant may have arrived since sign-in.
        ctx.vaultState = (await api("GET", "/vault")).data;
        await vault.unlock(ctx.vaultState, secret, {
          onProgress: function (p) { progress.value = String(Math.round(100 * (typeof p === "number" ? p : 0))); }
        });
        secret = null;
        drawVault();
        await vaultChanged();
        say(vault.canRead ? tr("vault_unlocked") : tr("vault_no_grant"));
        var lockButton = els.vault.querySelector("button");
        if (lockButton) lockButton.focus();
      } catch (error) {
        secret = null;
        if (error instanceof SessionEnded) return;
        button.disabled = false;
        button.textContent = tr("unlock");
        progress.hidden = true;
        var S = globalThis.HushbookSealing;
        var wrong = S && error instanceof S.SealError;
        showError(errors, wrong ? tr("vault_wrong") : error instanceof ApiError ? tr("err_generic", { message: error.message }) : tr("vault_failed"));
        pass.input.setAttribute("aria-invalid", "true");
        pass.input.focus();
      }
    });
    box.appendChild(form);
  }

  /* Unlocked without a grant: look again whether the owner has given access
   * meanwhile (the grant is opened with the member key held: no passphrase). */
  async function keysCheckAccess(event) {
    event.currentTarget.disabled = true;
    try {
      ctx.vaultState = (await api("GET", "/vault")).data;
      await vault.adopt(ctx.vaultState);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      drawVault();
      say(reasonText(error));
      return;
    }
    var panel = els.vault;
    drawVault();
    if (vault.canRead) await vaultChanged();
    say(vault.canRead ? tr("vault_unlocked") : tr("keys_panel_still_no"));
    var again = (els.vault && els.vault.isConnected ? els.vault : panel).querySelector("button");
    if (again) again.focus();
  }
