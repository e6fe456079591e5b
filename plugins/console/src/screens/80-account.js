/* My account: one's own password, second factor (TOTP) and "sign out
 * everywhere". Part of the console's one function scope (see console.js).
 * renderTotpSetup() also serves the core's screen for a salon that requires a
 * second factor of an owner or manager who has none yet. */

  registerScreen({
    id: "account",
    label: "account_nav",
    allowed: function () { return !!(ctx && ctx.me && ctx.me.id !== null && ctx.me.id !== undefined); },
    render: async function (box) {
      var me = (await api("GET", "/auth/me")).data;
      box.appendChild(el("h1", { text: tr("account_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("account_intro", { name: ctx.me.display_name, email: session.email }) }));
      box.appendChild(accountPassword());
      var factor = el("section", { class: "hb-account-section", "aria-labelledby": "hb-account-totp" });
      box.appendChild(factor);
      drawFactor(factor, me.totp_enabled);
      box.appendChild(accountNotifications(me.notify_bookings));
      box.appendChild(accountEverywhere());
    }
  });

  function accountSection(id, title) {
    var section = el("section", { class: "hb-account-section", "aria-labelledby": id });
    section.appendChild(el("h2", { id: id, text: title }));
    return section;
  }

  function accountPassword() {
    var section = accountSection("hb-account-password", tr("account_password_title"));
    var current = field(tr("account_password_current"), { name: "current-password", type: "password", autocomplete: "current-password", required: true });
    var fresh = field(tr("pw_new"), { name: "new-password", type: "password", autocomplete: "new-password", required: true }, tr("pw_rules"));
    var again = field(tr("pw_repeat"), { name: "repeat-password", type: "password", autocomplete: "new-password", required: true });
    var errors = alertBox();
    var done = el("p", { class: "hb-ok", role: "status" });
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("pw_button") });
    var form = el("form", { class: "hb-form", novalidate: true }, [current.node, fresh.node, again.node, errors, done, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      done.textContent = "";
      [current, fresh, again].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
      var missing = [current, fresh].filter(function (f) { return !f.input.value; });
      if (missing.length) {
        missing.forEach(function (f) { f.input.setAttribute("aria-invalid", "true"); });
        showError(errors, tr("err_missing"), missing.map(function (f) { return f.node.querySelector("label").textContent; }));
        missing[0].input.focus();
        return;
      }
      if (fresh.input.value !== again.input.value) {
        again.input.setAttribute("aria-invalid", "true");
        showError(errors, tr("pw_mismatch"));
        again.input.focus();
        return;
      }
      button.disabled = true;
      try {
        // Not api(): a wrong current password answers 401 without ending the session.
        var r = await send("POST", "/auth/password", { current_password: current.input.value, new_password: fresh.input.value }, session.access);
        adopt(r.data); // the service revoked every other session of this person
        [current, fresh, again].forEach(function (f) { f.input.value = ""; });
        done.textContent = tr("account_password_changed");
      } catch (error) {
        if (error.reason === "bad_credentials") {
          current.input.setAttribute("aria-invalid", "true");
          showError(errors, tr("account_password_wrong"));
          current.input.focus();
        } else if (error.status === 422) {
          fresh.input.setAttribute("aria-invalid", "true");
          showError(errors, tr("pw_rejected"), fieldErrors(error.problem).map(function (x) { return x.replace(/^[^:]*: /, ""); }));
          fresh.input.focus();
        } else if (error.status === 401) {
          endSession("session_ended");
        } else {
          showError(errors, reasonText(error));
        }
      } finally {
        button.disabled = false;
      }
    });
    section.appendChild(form);
    return section;
  }

  function drawFactor(section, enabled) {
    clear(section);
    section.appendChild(el("h2", { id: "hb-account-totp", tabindex: "-1", text: tr("account_totp_title") }));
    if (enabled) {
      section.appendChild(el("p", { class: "hb-ok", text: tr("account_totp_on") }));
      section.appendChild(totpDisableForm(section));
      return;
    }
    section.appendChild(el("p", { text: tr(ctx.tenant.require_totp ? "account_totp_required" : "account_totp_off") }));
    renderTotpSetup(section, function () { drawFactor(section, true); focusHeading(document.getElementById("hb-account-totp")); });
  }

  /* Set up the second factor: the service makes a secret (shown once, as text
   * and as an otpauth:// link for an authenticator on this device), the person
   * proves it with a first code; the service then answers a new token pair
   * (every older token of theirs stops working). */
  function renderTotpSetup(box, onDone) {
    var start = el("button", { type: "button", class: "hb-primary", text: tr("account_totp_start") });
    var errors = alertBox();
    var area = el("div", { class: "hb-account-totp" }, [start, errors]);
    box.appendChild(area);
    start.addEventListener("click", async function () {
      showError(errors, "");
      start.disabled = true;
      var secret;
      try {
        secret = (await api("POST", "/auth/totp/setup")).data;
      } catch (error) {
        start.disabled = false;
        if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
        return;
      }
      clear(area);
      var grouped = secret.secret.replace(/(.{4})/g, "$1 ").trim();
      area.appendChild(el("ol", { class: "hb-account-steps" }, [
        el("li", { text: tr("account_totp_step_app") }),
        el("li", {}, [
          tr("account_totp_step_secret"), " ",
          el("code", { class: "hb-secret", text: grouped }),
          " ", el("a", { href: secret.otpauth_uri, text: tr("account_totp_open_app") })
        ]),
        el("li", { text: tr("account_totp_step_code") })
      ]));
      var code = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true });
      var again = alertBox();
      var confirm = el("button", { type: "submit", class: "hb-primary", text: tr("account_totp_enable") });
      var form = el("form", { class: "hb-form", novalidate: true }, [code.node, again, confirm]);
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        showError(again, "");
        if (!/^[0-9]{6}$/.test(code.input.value.trim())) {
          code.input.setAttribute("aria-invalid", "true");
          showError(again, tr("account_totp_six_digits"));
          code.input.focus();
          return;
        }
        confirm.disabled = true;
        try {
          var r = await api("POST", "/auth/totp/enable", { code: code.input.value.trim() });
          adopt(r.data);
          say(tr("account_totp_now_on"));
          onDone();
        } catch (error) {
          confirm.disabled = false;
          if (error instanceof SessionEnded) return;
          code.input.setAttribute("aria-invalid", "true");
          showError(again, error.status === 401 || error.status === 422 ? tr("account_totp_wrong_code") : reasonText(error));
          code.input.focus();
        }
      });
      area.appendChild(form);
      code.input.focus();
    });
  }

  function totpDisableForm(section) {
    var password = field(tr("password"), { name: "password", type: "password", autocomplete: "current-password", required: true });
    var code = field(tr("totp"), { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", required: true });
    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-danger", text: tr("account_totp_disable") });
    var hint = ctx.tenant.require_totp ? el("p", { class: "hb-hint", text: tr("account_totp_disable_required") }) : null;
    var form = el("form", { class: "hb-form", novalidate: true }, [hint, password.node, code.node, errors, button]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      if (!password.input.value || !/^[0-9]{6}$/.test(code.input.value.trim())) {
        showError(errors, tr("err_missing"), [tr("password"), tr("totp")]);
        (password.input.value ? code.input : password.input).focus();
        return;
      }
      button.disabled = true;
      try {
        await send("POST", "/auth/totp/disable", { password: password.input.value, code: code.input.value.trim() }, session.access);
        password.input.value = "";
        say(tr("account_totp_now_off"));
        drawFactor(section, false);
        focusHeading(document.getElementById("hb-account-totp"));
      } catch (error) {
        button.disabled = false;
        password.input.value = "";
        code.input.value = "";
        if (error.status === 401 && error.reason !== "bad_credentials" && error.reason !== "bad_totp") {
          endSession("session_ended");
          return;
        }
        showError(errors, error.status === 401 ? tr("account_totp_disable_wrong") : reasonText(error));
        password.input.focus();
      }
    });
    return form;
  }

  /* The booking e-mails to this person (new online bookings, confirmations,
   * cancellations, moves: ids, time and service, never client data). */
  function accountNotifications(on) {
    var section = accountSection("hb-account-mails", tr("account_mails_title"));
    var id = newId("f");
    var box = el("input", { type: "checkbox", id: id, "aria-describedby": id + "-hint", checked: !!on });
    var done = el("p", { class: "hb-ok", role: "status" });
    var errors = alertBox();
    box.addEventListener("change", async function () {
      done.textContent = "";
      showError(errors, "");
      box.disabled = true;
      try {
        var r = await api("PATCH", "/auth/me", { notify_bookings: box.checked });
        box.checked = !!r.data.notify_bookings;
        done.textContent = tr(box.checked ? "account_mails_on" : "account_mails_off");
      } catch (error) {
        box.checked = !box.checked;
        if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
      } finally {
        box.disabled = false;
      }
    });
    section.appendChild(el("div", { class: "hb-check" }, [box, el("label", { for: id, text: tr("account_mails_label") })]));
    section.appendChild(el("p", { id: id + "-hint", class: "hb-hint", text: tr("account_mails_hint") }));
    section.appendChild(done);
    section.appendChild(errors);
    return section;
  }

  function accountEverywhere() {
    var section = accountSection("hb-account-everywhere", tr("account_everywhere_title"));
    section.appendChild(el("p", { text: tr("account_everywhere_text") }));
    var actions = el("div", { class: "hb-actions" });
    var errors = alertBox();
    function ask() {
      clear(actions);
      var q = el("p", { class: "hb-confirm", id: newId("q"), text: tr("account_everywhere_really") });
      actions.appendChild(q);
      var yes = el("button", { type: "button", class: "hb-danger", "aria-describedby": q.id, text: tr("account_everywhere_yes"), onclick: async function () {
        yes.disabled = true;
        try {
          await api("POST", "/auth/logout-everywhere");
          forget();
          lockedAs = null;
          showSignIn({ message: tr("account_everywhere_done") });
        } catch (error) {
          yes.disabled = false;
          if (!(error instanceof SessionEnded)) showError(errors, reasonText(error));
        }
      } });
      actions.appendChild(yes);
      actions.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("act_keep"), onclick: offer }));
      yes.focus();
    }
    function offer() {
      clear(actions);
      actions.appendChild(el("button", { type: "button", class: "hb-danger", text: tr("account_everywhere_button"), onclick: ask }));
    }
    offer();
    section.appendChild(actions);
    section.appendChild(errors);
    return section;
  }
