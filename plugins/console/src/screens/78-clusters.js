/* Suspicious bookings (appointments:write): clusters of upcoming online
 * bookings by new contacts made from one network (GET /v1/stealth/clusters,
 * docs/stealth.md), each released after a second click (POST
 * /v1/stealth/clusters/release: every booking in it cancelled). The service
 * names a cluster by a keyed hash of the network only, so no address is ever
 * shown. For the owner (audit:read) also the latest online bookings refused
 * because of probes, from the audit trail. Part of the console's one function
 * scope (see console.js; helpers "records…" in 70-integrations.js). */

  var CLUSTERS_REFUSALS_SHOWN = 5;

  var clustersBox = null;

  onForget(function () { clustersBox = null; });

  registerScreen({
    id: "clusters",
    label: "clusters_nav",
    allowed: function () { return can("appointments:write"); },
    render: async function (box) {
      clustersBox = box;
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("clusters_title") }));
      ["clusters_intro", "clusters_why", "clusters_release_what", "clusters_private"].forEach(function (key) {
        box.appendChild(el("p", { class: "hb-hint", text: tr(key) }));
      });
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-clusters", "aria-labelledby": "hb-clusters-title" }));
      var refusals = can("audit:read");
      if (refusals) box.appendChild(el("section", { class: "hb-rec-section hb-rec-refusals", "aria-labelledby": "hb-refusals-title" }));
      await Promise.all([clustersDraw(), refusals ? clustersRefusals() : null]);
    },
    leave: function () { clustersBox = null; }
  });

  async function clustersDraw(message) {
    var box = clustersBox;
    if (!box) return;
    var section = box.querySelector(".hb-rec-clusters");
    var rows;
    try {
      rows = (await api("GET", "/stealth/clusters")).data || [];
    } catch (error) {
      if (error instanceof SessionEnded || clustersBox !== box) return;
      recordsFailed(section, "hb-clusters-title", tr("clusters_title"), error);
      return;
    }
    if (clustersBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-clusters-title", tabindex: "-1", text: tr("clusters_list_title", { count: rows.length }) }));
    // What was just done, visible here; the live region (say) announces it.
    var note = el("p", { class: "hb-ok hb-rec-done" });
    if (message) note.textContent = message;
    section.appendChild(note);
    if (!rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("clusters_none") }));
      return;
    }
    section.appendChild(el("ul", { class: "hb-rec-cards" }, rows.map(clustersCard)));
  }

  function clustersCard(row, index) {
    var headId = newId("cluster");
    var errors = alertBox();
    var actions = el("div", { class: "hb-actions" });
    function offer() {
      clear(actions);
      actions.appendChild(el("button", {
        type: "button", class: "hb-secondary", "data-action": "release", "aria-describedby": headId,
        text: tr("clusters_release"),
        onclick: function () {
          recordsAsk(actions, tr("clusters_release_really", { count: row.bookings, confirmed: row.confirmed }), tr("clusters_release_yes"),
            function () { clustersRelease(row, actions, errors); },
            function () { offer(); actions.querySelector("button").focus(); });
        }
      }));
    }
    offer();
    var facts = [
      el("dt", { text: tr("clusters_bookings") }), el("dd", { text: String(row.bookings) }),
      el("dt", { text: tr("clusters_confirmed") }), el("dd", { text: String(row.confirmed) }),
      el("dt", { text: tr("clusters_first") }), el("dd", { text: recordsWhen(row.first_start) }),
      el("dt", { text: tr("clusters_last") }), el("dd", { text: recordsWhen(row.last_start) })
    ];
    var probed = typeof row.probes === "number" && row.probes > 0;
    if (typeof row.probes === "number") {
      facts.push(el("dt", { text: tr("clusters_probes") }), el("dd", { "data-probes": row.probes, text: String(row.probes) }));
    }
    return el("li", { class: "hb-rec-card", "data-cluster": row.id }, [
      el("h3", { id: headId, text: tr("clusters_card_title", { n: index + 1, count: row.bookings }) }),
      el("dl", { class: "hb-facts" }, facts),
      probed ? el("p", { class: "hb-hint", text: tr("clusters_probes_hint") }) : null,
      clustersMembers(row),
      actions,
      errors
    ]);
  }

  /* The cluster's bookings, read when the person opens the list: the
   * appointments of its days (one list request), each a button to its day in
   * the appointment book. */
  function clustersMembers(row) {
    var list = el("div", { class: "hb-cl-members" });
    var details = el("details", { class: "hb-cl-details" }, [
      el("summary", { text: tr("clusters_show", { count: row.bookings }) }), list
    ]);
    var loaded = false;
    details.addEventListener("toggle", async function () {
      if (!details.open || loaded) return;
      loaded = true;
      list.appendChild(el("p", { role: "status", text: tr("loading") }));
      var first = zoneParts(new Date(row.first_start), ctx.tz).date;
      var last = zoneParts(new Date(row.last_start), ctx.tz).date;
      var found;
      try {
        var wanted = new Set(row.appointment_ids);
        found = (await allPages("/appointments?from=" + first + "T00:00:00&to=" + shiftDay(last, 1) + "T00:00:00"))
          .filter(function (a) { return wanted.has(a.id); });
      } catch (error) {
        if (error instanceof SessionEnded) return;
        loaded = false; // closing and opening again tries again
        clear(list);
        list.appendChild(el("p", { class: "hb-alert", role: "alert", text: recordsError(error) }));
        return;
      }
      clear(list);
      list.appendChild(el("ul", { class: "hb-cl-list" }, found.map(function (a) {
        return el("li", {}, [el("button", {
          type: "button", class: "hb-link", "data-appt": a.id,
          text: tr("clusters_booking", {
            when: recordsWhen(a.start),
            service: (ctx.services.get(a.service_id) || {}).name || "—",
            who: (ctx.staff.get(a.staff_id) || {}).display_name || "—",
            status: tr("status_" + a.status)
          }),
          onclick: function () { go("day", { appointment: a.id }); }
        })]);
      })));
    });
    return details;
  }

  async function clustersRelease(row, actions, errors) {
    showError(errors, "");
    actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var released;
    try {
      released = (await api("POST", "/stealth/clusters/release", { cluster: row.id })).data.released;
    } catch (error) {
      if (error instanceof SessionEnded) return;
      actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      showError(errors, recordsError(error));
      return;
    }
    // 0: the cluster was gone already (released meanwhile, or its bookings expired).
    var done = released ? tr("clusters_released", { count: released }) : tr("clusters_released_none");
    await clustersDraw(done);
    say(done);
    focusHeading(document.getElementById("hb-clusters-title"));
  }

  /* The latest online bookings refused because their contact, address or
   * network had cancelled soon after confirming before (public.booking_refused,
   * reason "probes"): the salon's side of a refusal the prober never hears. */
  async function clustersRefusals() {
    var box = clustersBox;
    var section = box.querySelector(".hb-rec-refusals");
    var list;
    try {
      list = await recordsPage("/audit-events?action=public.booking_refused", 1, CLUSTERS_REFUSALS_SHOWN);
    } catch (error) {
      if (error instanceof SessionEnded || clustersBox !== box) return;
      recordsFailed(section, "hb-refusals-title", tr("clusters_refusals_title", { count: "?" }), error);
      return;
    }
    if (clustersBox !== box) return;
    clear(section);
    section.appendChild(el("h2", { id: "hb-refusals-title", text: tr("clusters_refusals_title", { count: list.total }) }));
    section.appendChild(el("p", { class: "hb-hint", text: tr("clusters_refusals_hint") }));
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr("clusters_refusals_none") }));
      return;
    }
    section.appendChild(el("ul", { class: "hb-cl-list" }, list.rows.map(function (e) {
      return el("li", { "data-seq": e.seq, text: recordsWhen(e.at) });
    })));
    if (list.total > list.rows.length) {
      section.appendChild(el("p", { class: "hb-hint", text: tr("clusters_refusals_more", { shown: list.rows.length }) }));
    }
  }
