/* The message log (appointments:read): the ledger of confirmation requests,
 * confirmations, reminders, changes and the question to the team member —
 * per appointment and channel, its state and when. The ledger holds no
 * addresses and no texts, so neither does this screen. Latest due first
 * (GET /v1/messages?order=desc), a page at a time, filtered by state and kind.
 * Part of the console's one function scope (see console.js; helpers
 * "records…" in 70-integrations.js). */

  var MESSAGES_PAGE_SIZE = 25;
  // The service's MESSAGE_STATES and MESSAGE_KINDS (models.py).
  var MESSAGES_STATES = ["pending", "queued", "sending", "sent", "failed", "skipped", "revoked"];
  var MESSAGES_KINDS = ["confirm_request", "confirmed", "reminder_1", "reminder_2", "reminder_3", "rescheduled", "cancelled", "mark_outcome",
    "team_booked", "team_confirmed", "team_cancelled", "team_rescheduled"];

  var messagesState = null; // {box, page, state, kind}

  onForget(function () { messagesState = null; });

  registerScreen({
    id: "messages",
    label: "messages_nav",
    allowed: function () { return can("appointments:read"); },
    render: async function (box) {
      messagesState = { box: box, page: 1, state: "", kind: "" };
      box.classList.add("hb-records");
      box.appendChild(el("h1", { text: tr("messages_title") }));
      box.appendChild(el("p", { class: "hb-hint", text: tr("messages_intro") }));
      box.appendChild(messagesFilter());
      box.appendChild(el("section", { class: "hb-rec-section hb-rec-messages", "aria-labelledby": "hb-messages-title" }));
      await messagesDraw();
    },
    leave: function () { messagesState = null; }
  });

  function messagesFilter() {
    var status = recordsSelect(tr("messages_filter_state"), "message-state", [["", tr("messages_filter_all")]].concat(
      MESSAGES_STATES.map(function (s) { return [s, tr("messages_state_" + s)]; })), "");
    var kind = recordsSelect(tr("messages_filter_kind"), "message-kind", [["", tr("messages_filter_all")]].concat(
      MESSAGES_KINDS.map(function (k) { return [k, tr("messages_kind_" + k)]; })), "");
    var form = el("form", { class: "hb-rec-filter", role: "search", "aria-label": tr("messages_filter_label") }, [
      status.node, kind.node, el("button", { type: "submit", class: "hb-secondary", text: tr("records_show") })
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      messagesState.state = status.input.value;
      messagesState.kind = kind.input.value;
      messagesState.page = 1;
      await messagesDraw();
      say(document.getElementById("hb-messages-title").textContent);
    });
    return form;
  }

  async function messagesDraw(focus) {
    var state = messagesState;
    var section = state.box.querySelector(".hb-rec-messages");
    var path = "/messages?order=desc" + (state.state ? "&state=" + state.state : "") + (state.kind ? "&kind=" + state.kind : "");
    var list;
    try {
      list = await recordsPage(path, state.page, MESSAGES_PAGE_SIZE);
      if (list.pages && state.page > list.pages) { // fewer pages than before
        state.page = list.pages;
        list = await recordsPage(path, state.page, MESSAGES_PAGE_SIZE);
      }
    } catch (error) {
      if (error instanceof SessionEnded || messagesState !== state) return;
      recordsFailed(section, "hb-messages-title", tr("messages_title"), error);
      return;
    }
    if (messagesState !== state) return;
    clear(section);
    var filtered = state.state || state.kind;
    var title = el("h2", { id: "hb-messages-title", tabindex: "-1", text: tr(filtered ? "messages_list_filtered" : "messages_list_title", { count: list.total }) });
    section.appendChild(title);
    section.appendChild(el("div", { class: "hb-rec-updated" }, [
      el("p", { text: tr("messages_as_of", { time: zoneParts(new Date(), ctx.tz).hm }) }),
      el("button", { type: "button", class: "hb-secondary", "data-action": "refresh", text: tr("messages_refresh"), onclick: async function () {
        await messagesDraw(true);
        say(tr("messages_refreshed"));
      } })
    ]));
    if (!list.rows.length) {
      section.appendChild(el("p", { class: "hb-rec-empty", text: tr(filtered ? "messages_none_filtered" : "messages_none") }));
      return;
    }
    var rows = list.rows.map(function (m) {
      return [
        recordsWhen(m.due_at),
        m.sent_at ? recordsWhen(m.sent_at) : "—",
        recordsText("messages_kind_" + m.kind, m.kind),
        recordsText("messages_channel_" + m.channel, m.channel),
        messagesStatus(m),
        tr("messages_appointment", { id: m.appointment_id }),
        String(m.attempts)
      ];
    });
    section.appendChild(recordsTable(tr("messages_table"), [
      tr("messages_col_due"), tr("messages_col_sent"), tr("messages_col_kind"), tr("messages_col_channel"),
      tr("messages_col_state"), tr("messages_col_appointment"), tr("messages_col_attempts")
    ], rows, function (i) {
      var m = list.rows[i];
      return { "data-message": m.id, "data-kind": m.kind, "data-state": m.state, class: "hb-rec-state-" + m.state };
    }));
    var pager = recordsPager(list, tr("messages_pages"), async function (page) {
      state.page = page;
      await messagesDraw(true);
    });
    if (pager) section.appendChild(pager);
    if (focus) focusHeading(title);
  }

  /* The state in words, with the reason code of a failure (or of the last
   * temporary failure of a message that will be tried again). */
  function messagesStatus(m) {
    var text = recordsText("messages_state_" + m.state, m.state);
    if (!m.last_error) return text;
    return text + " — " + messagesReason(m.last_error);
  }

  function messagesReason(code) {
    var known = recordsText("messages_error_" + code, null);
    if (known !== null) return known;
    var numbered = /^(smtp_refused|recipient_refused|sms)_(\d{3})$/.exec(code);
    if (numbered) return tr("messages_error_" + numbered[1] + "_n", { code: numbered[2] });
    return code;
  }
