/* Integration keys (owner: integration_keys:manage): the keys the WordPress
 * plugin, the Shopify app (planned) and the salon's own scripts use. A new
 * key's secret is shown once, in this screen's DOM only (never kept in a
 * variable, never stored); "Done" or leaving the screen removes it.
 *
 * Also the helpers shared by the records screens (70-integrations,
 * 72-blocklist, 74-audit, 76-messages): names start with "records". Part of
 * the console's one function scope (see console.js). */

  // --- shared by the records screens ----------------------------------------------------

  /* A text of this language, or ``fallback`` where there is none (an event
   * kind or reason code newer than the console). */
  function recordsText(key, fallback) {
    return t[key] === undefined ? fallback : tr(key);
  }

  /* An instant (ISO, UTC) as date and time in the salon's zone. */
  function recordsWhen(iso) {
    if (!iso) return "";
    return new Intl.DateTimeFormat(t.locale || "en-GB", {
      timeZone: ctx.tz, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"
    }).format(new Date(iso));
  }

  /* One page of a paginated list: {rows, page, pages, total}. */
  async function recordsPage(path, page, size) {
    var sep = path.indexOf("?") === -1 ? "?" : "&";
    var r = await api("GET", path + sep + "page_size=" + size + "&page=" + page);
    var info = {};
    try { info = JSON.parse(r.headers.get("X-Pagination") || "{}"); } catch (error) { info = {}; }
    return { rows: r.data || [], page: page, pages: info.total_pages || 0, total: info.total || 0 };
  }

  /* "Previous page · Page 2 of 5 · Next page", or nothing for a single page. */
  function recordsPager(state, label, onPage) {
    if (state.pages <= 1) return null;
    return el("nav", { class: "hb-rec-pager", "aria-label": label }, [
      el("button", {
        type: "button", class: "hb-secondary", "data-page": "previous", disabled: state.page <= 1,
        text: tr("records_previous"), onclick: function () { onPage(state.page - 1); }
      }),
      el("span", { text: tr("records_page_of", { page: state.page, pages: state.pages, total: state.total }) }),
      el("button", {
        type: "button", class: "hb-secondary", "data-page": "next", disabled: state.page >= state.pages,
        text: tr("records_next"), onclick: function () { onPage(state.page + 1); }
      })
    ]);
  }

  /* An irreversible action, asked twice: the question and yes/no replace the
   * holder's buttons (the pattern of askCancel in 10-day.js). */
  function recordsAsk(holder, question, yesText, onYes, onNo) {
    clear(holder);
    var q = el("p", { class: "hb-confirm", id: newId("q"), text: question });
    var yes = el("button", { type: "button", class: "hb-danger", "data-action": "yes", "aria-describedby": q.id, text: yesText, onclick: onYes });
    var no = el("button", { type: "button", class: "hb-secondary", "data-action": "no", text: tr("records_keep"), onclick: onNo });
    holder.appendChild(q);
    holder.appendChild(yes);
    holder.appendChild(no);
    yes.focus();
  }

  /* A labelled <select> of [value, text] pairs, like field() for inputs. */
  function recordsSelect(label, name, options, value) {
    var id = newId("sel");
    var select = el("select", { id: id, name: name }, options.map(function (o) {
      return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
    }));
    return { input: select, node: el("div", { class: "hb-field" }, [el("label", { for: id, text: label }), select]) };
  }

  /* A table inside a keyboard-scrollable region. ``head``: column texts;
   * ``rows``: arrays of cells (text or nodes); ``rowAttrs(i)``: attributes of
   * row i. Narrow screens show each row as a block, every cell labelled with
   * its column (70-records.css); the explicit roles keep it a table for
   * screen readers when CSS changes the display of its parts. */
  function recordsTable(caption, head, rows, rowAttrs) {
    var table = el("table", { class: "hb-rec-table", role: "table" }, [
      el("caption", { class: "hb-sr-only", text: caption }),
      el("thead", { role: "rowgroup" }, [el("tr", { role: "row" }, head.map(function (h) {
        return el("th", { scope: "col", role: "columnheader", text: h });
      }))]),
      el("tbody", { role: "rowgroup" }, rows.map(function (cells, i) {
        return el("tr", Object.assign({ role: "row" }, rowAttrs ? rowAttrs(i) : {}), cells.map(function (c, j) {
          return el("td", { role: "cell", "data-label": head[j] }, [el("span", {}, [c])]);
        }));
      }))
    ]);
    return el("div", { class: "hb-rec-scroll", role: "region", "aria-label": caption, tabindex: "0" }, [table]);
  }

  /* A list could not be read: said in its section (the rest of the screen
   * stays usable). */
  function recordsFailed(section, titleId, title, error) {
    clear(section);
    section.appendChild(el("h2", { id: titleId, tabindex: "-1", text: title }));
    section.appendChild(el("p", { class: "hb-alert", role: "alert", text: recordsError(error) }));
  }

  /* An ApiError in plain words (the core's reasonText, whose 404 text speaks
   * of appointments). */
  function recordsError(error) {
    if (error.status === 404) return tr("err_generic", { message: error.message });
    return reasonText(error);
  }

  // --- integration keys -----------------------------------------------------------------

  // The service's grantable scopes (accounts/principals.py GRANTABLE_SCOPES), in the
  // order the form shows them: what plugins need first, then reading, then changing.
  var INTEGRATIONS_SCOPES = [
    "public:forward",
    "tenant:read", "staff:read", "services:read", "schedules:read", "appointments:read",
    "clients:read", "clients:identity",
    "tenant:write", "staff:write", "services:write", "schedules:write", "appointments:write",
    "clients:write"
  ];
  var INTEGRATIONS_PURPOSES = [
    { id: "wordpress", scopes: ["public:forward"], nameKey: "integrations_name_wordpress" },
    { id: "shopify", scopes: ["public:forward"], nameKey: "integrations_name_shopify" },
    { id: "custom", scopes: null, nameKey: null }
  ];

  var integrationsBox = null;

  onForget(function () { integrationsBox = null; });

  registerScreen({
    id: "integrations",
    label: "integrations_nav",
    allowed: function () { return can("integration_keys:manage"); },
    render: async function (box) {
      integrationsBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("integrations_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("integrations_intro") }));
      box.appendChild(el("div", { class: "hb-rec-secret-slot" }));
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-keys", "aria-labelledby": "hb-keys-title" }));
      box.appendChild(integrationsForm());
      await integrationsDrawList();
    },
    leave: function () { integrationsBox = null; }
  });

  function integrationsScope(scope) {
    return recordsText("integrations_scope_" + scope.replace(":", "_"), scope);
  }

  async function integrationsDrawList(message) {
    var box = integrationsBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-keys");
    var keys;
    try {
      keys = (await api("GET", "/integration-keys")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || integrationsBox !== box) return;
      recordsFailed(section, "hb-keys-title", tr("integrations_list_title"), error);
      return;
    }
    if (integrationsBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-keys-title", tabindex: "-1", text: tr("integrations_list_title") }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    var active = keys.filter(function (k) { return !k.revoked_at; }).reverse();
    var revoked = keys.filter(function (k) { return k.revoked_at; }).reverse();
    if (!active.length) section.appendChild(el("p", { class: "hb-rec-empty", text: tr("integrations_none") }));
    else section.appendChild(el("ul", { class: "hb-rec-cards" }, active.map(integrationsCard)));
    if (revoked.length) {
      section.appendChild(el("details", { class: "hb-rec-revoked" }, [
        el("summary", { text: tr("integrations_revoked_title", { count: revoked.length }) }),
        el("ul", { class: "hb-rec-cards" }, revoked.map(integrationsCard))
      ]));
    }
  }

  function integrationsCard(key) {
    var headId = newId("key");
    var facts = [
      [tr("integrations_scopes"), key.scopes.map(integrationsScope).join(", ")],
      [tr("integrations_created"), recordsWhen(key.created_at)],
      [tr("integrations_last_used"), key.last_used_at ? recordsWhen(key.last_used_at) : tr("integrations_never_used")]
    ];
    if (key.revoked_at) facts.push([tr("integrations_status"), tr("integrations_revoked_at", { when: recordsWhen(key.revoked_at) })]);
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function offerRevoke() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-danger", "data-action": "revoke", "aria-describedby": headId,
        text: tr("integrations_revoke"),
        onclick: function () {
          recordsAsk(actions, tr("integrations_revoke_really", { name: key.name }), tr("integrations_revoke_yes"),
            function () { integrationsRevoke(key, actions, errors); },
            function () { offerRevoke(); actions.querySelector("button").focus(); });
        }
      }));
    }
    if (!key.revoked_at) offerRevoke();
    return el("li", { class: "hb-rec-card", "data-key": key.id }, [
      el("h3", { id: headId, text: key.name }),
      el("dl", { class: "hb-facts" }, facts.reduce(function (acc, f) {
        acc.push(el("dt", { text: f[0] }), el("dd", { text: f[1] }));
        return acc;
      }, [])),
      key.revoked_at ? null : actions,
      errors
    ]);
  }

  async function integrationsRevoke(key, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    try {
      await api("DELETE", "/integration-keys/" + key.id);
    } catch (error) {
      if (error instanceof SessionEnded) return;
      if (error.status !== 404) {
        actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        showError(errors, recordsError(error));
        return;
      }
    }
    var done = tr("integrations_revoked_done", { name: key.name });
    await integrationsDrawList(done);
    say(done);
    focusHeading(document.getElementById("hb-keys-title"));
  }

  function integrationsForm() {
    var section = el("section", { class: "hb-rec-section", "aria-labelledby": "hb-newkey-title" });
    section.appendChild(el("h2", { id: "hb-newkey-title", text: tr("integrations_new_title") }));
    var form = el("form", { class: "hb-form hb-rec-form", novalidate: true });

    var purposeName = newId("purpose");
    var purpose = el("fieldset", { class: "hb-rec-choices" }, [el("legend", { text: tr("integrations_purpose") })]);
    var radios = INTEGRATIONS_PURPOSES.map(function (p, i) {
      var id = newId("p");
      var hintId = id + "-hint";
      var radio = el("input", { type: "radio", name: purposeName, id: id, value: p.id, "aria-describedby": hintId, checked: i === 0 });
      purpose.appendChild(el("div", { class: "hb-rec-choice" }, [
        radio,
        el("label", { for: id, text: tr("integrations_purpose_" + p.id) }),
        el("p", { id: hintId, class: "hb-hint", text: tr("integrations_purpose_" + p.id + "_hint") })
      ]));
      return radio;
    });

    var name = field(tr("integrations_name"), { name: "key-name", maxlength: "100", autocomplete: "off", required: true, value: tr("integrations_name_wordpress") }, tr("integrations_name_hint"));

    var scopes = el("fieldset", { class: "hb-rec-choices" }, [el("legend", { text: tr("integrations_scopes_legend") })]);
    scopes.appendChild(el("p", { class: "hb-hint", text: tr("integrations_scopes_hint") }));
    var boxes = INTEGRATIONS_SCOPES.map(function (scope) {
      var id = newId("scope");
      var hintId = id + "-hint";
      var slug = scope.replace(":", "_");
      var box = el("input", { type: "checkbox", id: id, value: scope, "data-scope": scope, "aria-describedby": hintId, checked: scope === "public:forward" });
      scopes.appendChild(el("div", { class: "hb-rec-choice" }, [
        box,
        el("label", { for: id, text: integrationsScope(scope) }),
        el("p", { id: hintId, class: "hb-hint", text: tr("integrations_scope_" + slug + "_hint") })
      ]));
      return box;
    });

    // Choosing WordPress or Shopify sets what the plugin needs (and a name, unless one was typed).
    var suggested = name.input.value;
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        var p = INTEGRATIONS_PURPOSES.filter(function (x) { return x.id === radio.value; })[0];
        if (p.scopes) boxes.forEach(function (b) { b.checked = p.scopes.indexOf(b.value) !== -1; });
        var next = p.nameKey ? tr(p.nameKey) : "";
        if (name.input.value === suggested) name.input.value = next;
        suggested = next;
      });
    });

    var errors = alertBox();
    var button = el("button", { type: "submit", class: "hb-primary", text: tr("integrations_create") });
    [purpose, name.node, scopes, errors, button].forEach(function (n) { form.appendChild(n); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      showError(errors, "");
      name.input.removeAttribute("aria-invalid");
      var chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      var label = name.input.value.trim();
      var missing = [];
      if (!label) { missing.push(tr("integrations_name")); name.input.setAttribute("aria-invalid", "true"); }
      if (!chosen.length) missing.push(tr("integrations_scopes_legend"));
      if (missing.length) {
        showError(errors, tr("err_missing"), missing);
        (label ? boxes[0] : name.input).focus();
        return;
      }
      var purposeId = radios.filter(function (r) { return r.checked; })[0].value;
      button.disabled = true;
      try {
        var r = await api("POST", "/integration-keys", { name: label, scopes: chosen });
        button.disabled = false;
        await integrationsDrawList();
        integrationsShowSecret(r.data, purposeId);
        name.input.value = suggested; // ready for the next one
      } catch (error) {
        button.disabled = false;
        if (error instanceof SessionEnded) return;
        showError(errors, recordsError(error));
      }
    });
    section.appendChild(form);
    return section;
  }

  /* The new key's secret, once: a marked box with a copy button. The secret
   * lives only in the box's read-only field; "Done" removes the box. */
  function integrationsShowSecret(created, purposeId) {
    if (!integrationsBox) return;
    var slot = integrationsBox.querySelector(".hb-rec-secret-slot");
    clear(slot);
    var id = newId("secret");
    var input = el("input", { id: id, class: "hb-rec-secret-value", readonly: true, spellcheck: "false", autocomplete: "off", autocapitalize: "none", "aria-describedby": id + "-warn" });
    input.value = created.key;
    var copied = el("p", { class: "hb-ok", role: "status" });
    var box = el("section", { class: "hb-rec-secret", "aria-labelledby": id + "-title", "data-secret-box": "" }, [
      el("h2", { id: id + "-title", tabindex: "-1", text: tr("integrations_secret_title", { name: created.name }) }),
      el("p", { id: id + "-warn", class: "hb-rec-secret-warn", text: tr("integrations_secret_once") }),
      el("div", { class: "hb-field" }, [el("label", { for: id, text: tr("integrations_secret_label") }), input]),
      el("div", { class: "hb-actions" }, [
        el("button", { type: "button", class: "hb-primary", "data-action": "copy", text: tr("integrations_copy"), onclick: function () { integrationsCopy(input, copied); } }),
        el("button", { type: "button", class: "hb-secondary", "data-action": "done", text: tr("integrations_secret_done"), onclick: function () {
          input.value = "";
          clear(slot);
          focusHeading(document.getElementById("hb-keys-title"));
        } })
      ]),
      copied,
      purposeId === "custom" ? null : el("p", { class: "hb-hint", text: tr("integrations_secret_where_" + purposeId) })
    ]);
    slot.appendChild(box);
    focusHeading(box.querySelector("h2"));
  }

  async function integrationsCopy(input, note) {
    note.textContent = "";
    try {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error("no clipboard");
      await navigator.clipboard.writeText(input.value);
      note.textContent = tr("integrations_copied");
    } catch (error) {
      // No clipboard access (an old browser, a denied permission): select it for Ctrl+C.
      input.focus();
      input.select();
      note.textContent = tr("integrations_copy_failed");
    }
  }
