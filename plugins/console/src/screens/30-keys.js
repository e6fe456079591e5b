/* Client data: the vault panel (unlock, lock) shown beside the day. Part of the
 * console's one function scope (see console.js). */

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
      box.appendChild(el("button", { type: "button", class: "hb-secondary", text: tr("vault_lock"), onclick: function () {
        vault.lock();
        drawVault();
        vaultChanged();
        say(tr("vault_locked_now"));
        els.vault.querySelector("input").focus();
      } }));
      return;
    }
    if (!member) {
      box.appendChild(el("p", { text: tr("vault_not_enrolled") }));
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
