/* The audit trail (owner: audit:read): who did what, when, to what — newest
 * first, a page at a time, filtered by kind of event; and whether the hash
 * chain is intact (GET /v1/audit-events/verify recomputes it). Part of the
 * console's one function scope (see console.js; helpers "records…" in
 * 70-integrations.js). */

  var AUDIT_PAGE_SIZE = 25;
  // Every action the service records (docs/api.md#audit-trail), for the filter.
  var AUDIT_ACTIONS = [
    "auth.login", "auth.login_failed", "auth.password_change", "auth.password_change_failed", "auth.refresh_reuse", "auth.logout_everywhere",
    "auth.totp_setup", "auth.totp_enable", "auth.totp_disable", "auth.totp_disable_failed",
    "staff.create", "staff.update", "staff.role_change", "staff.deactivate", "staff.reactivate",
    "tenant.update", "tenant.privacy_notice", "closure.create", "closure.delete",
    "integration_key.create", "integration_key.revoke",
    "blocklist.add", "blocklist.remove",
    "vault.setup", "vault.enrol", "vault.grant", "vault.revoke", "vault.rotate",
    "client.create", "client.read", "client.list", "client.lookup", "client.export", "client.erase", "client.update",
    "public.booking", "public.booking_dropped", "public.booking_refused", "public.confirm", "public.cancel", "public.reschedule",
    "appointment.no_show", "stealth.cluster_released"
  ];

  var auditState = null; // {box, page, action, keys: Map(id -> name), chain}

  onForget(function () { auditState = null; });

  registerScreen({
    id: "audit",
    label: "audit_nav",
    allowed: function () { return can("audit:read"); },
    render: async function (box) {
      var state = auditState = { box: box, page: 1, action: "", keys: new Map(), chain: null };
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("audit_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("audit_intro") }));
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-chain", "aria-labelledby": "hb-chain-title" }));
      box.appendChild(auditFilter());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-events", "aria-labelledby": "hb-events-title" }));
      if (can("integration_keys:manage")) {
        try {
          ((await api("GET", "/integration-keys")).data || []).forEach(function (k) { state.keys.set(k.id, k.name); });
        } catch (error) {
          if (error instanceof SessionEnded) return; // else key names are a nicety: go on with numbers
        }
      }
      if (auditState !== state) return;
      await Promise.all([auditChain(), auditEvents()]);
    },
    leave: function () { auditState = null; }
  });

  function auditLabel(action) {
    return recordsText("audit_action_" + action.replace(".", "_"), action);
  }

  async function auditChain() {
    var state = auditState;
    var section = state.box.querySelector(".hb-rec-chain");
    var chain = null, failure = null;
    try {
      chain = (await api("GET", "/audit-events/verify")).data;
    } catch (error) {
      if (error instanceof SessionEnded) return;
      failure = error;
    }
    if (auditState !== state) return;
    state.chain = chain;
    clear(section);
    section.appendChild(el("h2", { id: "hb-chain-title", text: tr("audit_chain_title") }));
    if (failure) {
      section.appendChild(el("p", { class: "hb-alert", role: "alert", text: tr("audit_chain_unknown", { message: recordsError(failure) }) }));
      return;
    }
    var checked = zoneParts(new Date(), ctx.tz).hm;
    if (chain.intact) {
      section.setAttribute("data-chain", "intact");
      section.appendChild(el("p", { class: "hb-rec-chain-ok", text: tr("audit_chain_intact", { count: chain.events, time: checked }) }));
      section.appendChild(el("p", { class: "hb-hint", text: tr("audit_chain_limits") }));
      return;
    }
    var bad = chain.broken_at || {};
    section.setAttribute("data-chain", "broken");
    section.appendChild(el("div", { class: "hb-alert", role: "alert" }, [
      el("p", { text: tr("audit_chain_broken", { seq: bad.seq, what: auditLabel(bad.action || ""), when: recordsWhen(bad.at), time: checked }) }),
      el("p", { text: tr("audit_chain_broken_next") })
    ]));
    auditMarkBroken();
  }

  function auditFilter() {
    var options = [["", tr("audit_filter_all")]].concat(
      AUDIT_ACTIONS.map(function (a) { return [a, auditLabel(a)]; }).sort(function (x, y) { return x[1].localeCompare(y[1]); })
    );
    var what = recordsSelect(tr("audit_filter_what"), "audit-action", options, "");
    var form = el("form", { class: "hb-rec-filter", role: "search", "aria-label": tr("audit_filter_label") }, [
      what.node,
      el("button", { type: "submit", class: "hb-secondary", text: tr("records_show") })
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      auditState.action = what.input.value;
      auditState.page = 1;
      await auditEvents();
      say(document.getElementById("hb-events-title").textContent);
    });
    return form;
  }

  async function auditEvents(focus) {
    var state = auditState;
    var section = state.box.querySelector(".hb-rec-events");
    var path = "/audit-events" + (state.action ? "?action=" + encodeURIComponent(state.action) : "");
    var list;
    try {
      list = await recordsPage(path, state.page, AUDIT_PAGE_SIZE);
      if (list.pages && state.page > list.pages) { // fewer pages than before
        state.page = list.pages;
        list = await recordsPage(path, state.page, AUDIT_PAGE_SIZE);
      }
    } catch (error) {
      if (error instanceof SessionEnded || auditState !== state) return;
      recordsFailed(section, "hb-events-title", tr("audit_title"), error);
      return;
    }
    if (auditState !== state) return;
    clear(section);
    var title = el("h2", { id: "hb-events-title", tabindex: "-1", text: state.action
      ? tr("audit_events_filtered", { count: list.total, what: auditLabel(state.action) })
      : tr("audit_events_title", { count: list.total }) });
    section.appendChild(title);
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("audit_none") }));
      return;
    }
    var rows = list.rows.map(function (e) {
      return [recordsWhen(e.at), auditWho(e), auditLabel(e.action), auditObject(e), auditDetails(e), String(e.seq)];
    });
    section.appendChild(recordsTable(tr("audit_table"), [
      tr("audit_col_when"), tr("audit_col_who"), tr("audit_col_what"), tr("audit_col_object"), tr("audit_col_details"), tr("audit_col_seq")
    ], rows, function (i) {
      return { "data-seq": list.rows[i].seq, "data-action": list.rows[i].action };
    }));
    var pager = recordsPager(list, tr("audit_pages"), async function (page) {
      state.page = page;
      await auditEvents(true);
    });
    if (pager) section.appendChild(pager);
    auditMarkBroken();
    if (focus) focusHeading(title);
  }

  /* The first event that no longer fits the chain, marked in the table (the
   * check and the page arrive in either order). */
  function auditMarkBroken() {
    var chain = auditState && auditState.chain;
    if (!chain || chain.intact || !chain.broken_at) return;
    var row = auditState.box.querySelector('.hb-rec-events tr[data-seq="' + chain.broken_at.seq + '"]');
    if (!row || row.classList.contains("hb-rec-row-bad")) return;
    row.classList.add("hb-rec-row-bad");
    row.children[2].firstChild.appendChild(el("strong", { class: "hb-rec-bad", text: " " + tr("audit_does_not_fit") }));
  }

  function auditWho(e) {
    if (e.actor_kind === "staff") {
      var s = ctx.staff.get(e.actor_id);
      return s ? s.display_name : tr("audit_who_staff", { id: e.actor_id });
    }
    if (e.actor_kind === "integration") {
      var name = auditState.keys.get(e.actor_id);
      return name ? tr("audit_who_key_named", { name: name }) : tr("audit_who_key", { id: e.actor_id });
    }
    return recordsText("audit_who_" + e.actor_kind, e.actor_kind);
  }

  function auditObject(e) {
    var kind = e.target_kind, id = e.target_id;
    if (!kind) return "—";
    if (id === null || id === undefined) return recordsText("audit_object_" + e.action.replace(".", "_"), "—");
    if (kind === "staff" && ctx.staff.get(id)) return tr("audit_object_staff_named", { name: ctx.staff.get(id).display_name });
    if (kind === "tenant") return tr("audit_object_tenant");
    if (kind === "integration_key" && auditState.keys.get(id)) return tr("audit_object_key_named", { name: auditState.keys.get(id) });
    var label = recordsText("audit_object_" + kind, kind);
    return tr("audit_object_numbered", { what: label, id: id });
  }

  /* The event's details (ids and field names, never personal data) in words;
   * the address it came from last. */
  function auditDetails(e) {
    var d = e.details || {};
    var parts = Object.keys(d).sort().map(function (k) {
      var v = d[k];
      if (k === "role") v = recordsText("role_" + v, v);
      else if (k === "scopes" && Array.isArray(v)) v = v.map(integrationsScope).join(", ");
      else if (k === "kind") v = blocklistKind(v);
      else if (k === "factor") v = recordsText("audit_factor_" + v, v);
      else if (k === "reason") v = recordsText("audit_reason_" + v, v);
      else if (Array.isArray(v)) v = v.join(", ");
      else if (v !== null && typeof v === "object") v = JSON.stringify(v);
      return recordsText("audit_detail_" + k, k) + ": " + v;
    });
    if (e.ip) parts.push(tr("audit_from_ip", { ip: e.ip }));
    return parts.join("; ");
  }
