/* The slackops sandbox page: what the chosen person sees in Slack, and their hands.
   State comes from GET /api/state (long polling: it answers when something changed);
   every act goes to POST /api/act, which plays it to the app as Slack would. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const ui = {who: params.get("as") || localStorage.getItem("sandbox.who") || "", pane: null, thread: null,
    state: null, modalKey: "", polling: 0};

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  const ctx = (extra) => ({people: ui.state.people, channels: ui.state.channels, bot: ui.state.bot,
    tz: ui.state.me.tz, locale: ui.state.me.locale, ...extra});
  const nameOf = (id) => {
    if (id === ui.state.bot) return "slackops";
    const p = ui.state.people.find((x) => x.id === id);
    return p ? p.name : id;
  };
  const timeOf = (ts) => new Intl.DateTimeFormat(ui.state.me.locale || "en-US", {timeZone: ui.state.me.tz, hour: "numeric",
    minute: "2-digit", second: "2-digit"}).format(new Date(Number(String(ts).split(".")[0]) * 1000));

  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
  }

  async function act(body) {
    const r = await fetch("/api/act", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({as: ui.who, ...body})});
    const data = await r.json().catch(() => ({ok: false, error: `HTTP ${r.status}`}));
    if (!data.ok) toast(data.error || "that did not work");
    refresh();
    return data;
  }

  // -- state ---------------------------------------------------------------------
  async function refresh() {
    const r = await fetch(`/api/state?as=${encodeURIComponent(ui.who)}`);
    if (r.ok) apply(await r.json());
  }
  async function poll() {
    const mine = ++ui.polling;
    while (mine === ui.polling) {
      try {
        const since = ui.state ? ui.state.version : -1;
        const r = await fetch(`/api/state?as=${encodeURIComponent(ui.who)}&since=${since}`);
        if (mine !== ui.polling) return;
        if (r.ok) apply(await r.json());
        else await new Promise((res) => setTimeout(res, 1000));
      } catch (e) {
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  }

  function apply(state) {
    if (!state || state.me.id !== ui.who) return;
    ui.state = state;
    if (!ui.pane || !paneExists(ui.pane)) ui.pane = defaultPane();
    renderSidebar();
    renderMain();
    renderThread();
    renderModal();
  }
  function paneExists(p) {
    return p.kind !== "channel" || ui.state.channels.some((c) => c.id === p.id);
  }
  function defaultPane() {
    const c = ui.state.channels[0];
    return c ? {kind: "channel", id: c.id} : {kind: "dm"};
  }

  // -- sidebar -------------------------------------------------------------------
  function fillSwitcher(people) {
    const who = $("who");
    who.textContent = "";
    const groups = [["contact", "Customer contacts"], ["customer", "Customers, not contacts"], ["agent", "Agents"],
      ["manager", "Managers"]];
    for (const [kind, label] of groups) {
      const g = document.createElement("optgroup");
      g.label = label;
      people.filter((p) => p.kind === kind).forEach((p) => g.append(new Option(p.label, p.id)));
      who.append(g);
    }
    who.value = ui.who;
  }
  function renderSidebar() {
    const s = ui.state;
    $("me").textContent = `${s.me.name} · ${s.me.kind === "contact" ? "customer contact" : s.me.kind}` +
      `${s.me.account ? " · " + s.me.account : ""}${s.me.elsewhere ? " · workspace " + s.me.team : ""} · ${s.me.tz}`;
    const list = $("channels");
    list.textContent = "";
    for (const c of s.channels) {
      const li = el("li");
      const b = el("button", "nav" + (ui.pane.kind === "channel" && ui.pane.id === c.id ? " active" : ""));
      b.type = "button";
      b.dataset.channel = c.id;
      b.append(el("span", "hash", c.kind === "shared" ? "⇄ " : "# "), el("span", "", c.name));
      if (c.kind === "priority") b.append(el("small", "", ` P${c.rank}`));
      b.addEventListener("click", () => go({kind: "channel", id: c.id}));
      li.append(b);
      list.append(li);
    }
    const apps = $("apps");
    apps.textContent = "";
    for (const [kind, label] of [["dm", "slackops · Messages"], ["home", "slackops · Home"]]) {
      const li = el("li");
      const b = el("button", "nav" + (ui.pane.kind === kind ? " active" : ""), label);
      b.type = "button";
      b.dataset.pane = kind;
      if (kind === "dm" && s.dm.length) b.append(el("small", "", ` ${s.dm.length}`));
      b.addEventListener("click", () => go({kind}));
      li.append(b);
      apps.append(li);
    }
    // the app's status pages, as the links customers are given in Slack
    const links = $("status-links");
    links.textContent = "";
    for (const st of s.status || []) {
      const li = el("li");
      const a = el("a", "nav", `Status · ${st.account}`);
      a.href = st.url;
      a.target = "_blank";
      a.rel = "noopener";
      li.append(a);
      links.append(li);
    }
    $("status-head").hidden = !(s.status || []).length;
  }
  function go(pane) {
    if (!ui.state || ui.state.me.id !== ui.who) return;
    ui.pane = pane;
    ui.thread = null;
    if (pane.kind === "home") act({kind: "home"});
    apply(ui.state);
    $("log").focus();
  }

  // -- messages ------------------------------------------------------------------
  function messageNode(m, where) {
    const n = el("article", "msg" + (m.user === ui.state.bot ? " bot" : ""));
    n.dataset.ts = m.ts;
    const head = el("div", "msg-head");
    head.append(el("b", "who", nameOf(m.user)));
    if (m.user === ui.state.bot) head.append(el("span", "badge", "APP"));
    head.append(el("span", "when", timeOf(m.ts)));
    if (m.edited) head.append(el("span", "edited", "(edited)"));
    n.append(head);
    const body = el("div", "msg-body");
    if (m.blocks && m.blocks.length) {
      body.append(BK.render(m.blocks, ctx({onAction: (a) => act({kind: "action", action: a,
        where: {channel: m.channel, ts: m.ts}})})));
    } else body.innerHTML = BK.mrkdwn(m.text, ctx());
    n.append(body);
    if (m.reactions && m.reactions.length) {
      const rs = el("div", "reactions");
      m.reactions.forEach((r) => rs.append(el("span", "reaction", `${BK.emoji(":" + r.name + ":")} ${r.count}`)));
      n.append(rs);
    }
    if (where === "channel") {
      const replies = ui.state.messages[m.channel].filter((x) => x.thread_ts === m.ts && x.ts !== m.ts);
      const tools = el("div", "msg-tools");
      const reply = el("button", "tool reply", replies.length ? `${replies.length} repl${replies.length > 1 ? "ies" : "y"}` : "Reply in thread");
      reply.type = "button";
      reply.addEventListener("click", () => { ui.thread = {channel: m.channel, ts: m.ts}; renderThread(); $("thread-compose").focus(); });
      const react = el("button", "tool react", "🎫 React with :ticket:");
      react.type = "button";
      react.addEventListener("click", () => act({kind: "react", channel: m.channel, ts: m.ts, name: "ticket"}));
      const shortcut = el("button", "tool shortcut", "⋮ Open support request");
      shortcut.type = "button";
      shortcut.title = "Message shortcut";
      shortcut.addEventListener("click", () => act({kind: "shortcut", channel: m.channel, ts: m.ts}));
      tools.append(reply, react, shortcut);
      n.append(tools);
    }
    return n;
  }
  function ephemeralNode(e) {
    const n = el("article", "msg bot ephemeral");
    n.dataset.ts = e.message_ts;
    const head = el("div", "msg-head");
    head.append(el("b", "who", "slackops"), el("span", "badge", "APP"), el("span", "when", timeOf(e.message_ts)),
      el("span", "only", "Only visible to you"));
    const dismiss = el("button", "tool", "Dismiss");
    dismiss.type = "button";
    dismiss.addEventListener("click", () => act({kind: "dismiss", ts: e.message_ts}));
    head.append(dismiss);
    n.append(head);
    const body = el("div", "msg-body");
    if (e.blocks && e.blocks.length) {
      body.append(BK.render(e.blocks, ctx({onAction: (a) => act({kind: "action", action: a,
        where: {ephemeral_ts: e.message_ts}})})));
    } else body.innerHTML = BK.mrkdwn(e.text, ctx());
    n.append(body);
    return n;
  }
  function fillLog(log, nodes) {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.textContent = "";
    nodes.forEach((x) => log.append(x));
    if (atBottom || !log.dataset.filled) log.scrollTop = log.scrollHeight;
    log.dataset.filled = "1";
  }
  const byTs = (a, b) => Number(a[0]) - Number(b[0]);

  function renderMain() {
    const s = ui.state, p = ui.pane, log = $("log"), title = $("title");
    title.textContent = "";
    $("composer").hidden = p.kind === "home";
    if (p.kind === "home") {
      title.append(el("b", "", "slackops"), el("span", "sub", " · Home"));
      const nodes = [];
      if (s.home) {
        const home = BK.render(s.home.blocks, ctx({onAction: (a) => act({kind: "action", action: a,
          where: {view_id: s.home.id}, values: BK.values(home)})}));
        home.classList.add("home");
        nodes.push(home);
      } else nodes.push(el("p", "empty", "The app has not published a Home tab for you yet."));
      log.dataset.filled = "";
      fillLog(log, nodes);
      return;
    }
    let items;
    if (p.kind === "dm") {
      title.append(el("b", "", "slackops"), el("span", "sub", " · direct messages with the app"));
      items = s.dm.map((m) => [m.ts, messageNode(m, "dm")]);
      $("compose").placeholder = "Message slackops, or /support …";
    } else {
      const c = s.channels.find((x) => x.id === p.id);
      title.append(el("b", "", (c.kind === "shared" ? "⇄ " : "#") + c.name));
      title.append(el("span", "sub", c.kind === "shared" ? ` · Slack Connect with ${c.account} · policy ${c.policy.split("/").pop()}` :
        c.kind === "priority" ? ` · priority channel, rank ${c.rank}` : " · a channel the app posts to"));
      const msgs = (s.messages[p.id] || []).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
      items = msgs.map((m) => [m.ts, messageNode(m, "channel")]);
      s.ephemerals.filter((e) => e.channel === p.id && !e.thread_ts).forEach((e) => items.push([e.message_ts, ephemeralNode(e)]));
      $("compose").placeholder = `Message #${c.name}, or /support …`;
    }
    if (p.kind === "dm") s.ephemerals.filter((e) => e.channel.startsWith("D") || e.channel === s.me.id)
      .forEach((e) => items.push([e.message_ts, ephemeralNode(e)]));
    items.sort(byTs);
    if (!items.length) items.push([0, el("p", "empty", "Nothing here yet.")]);
    fillLog(log, items.map((x) => x[1]));
  }

  function renderThread() {
    const aside = $("thread"), t = ui.thread;
    if (!t || !ui.state || !ui.state.messages[t.channel]) { aside.hidden = true; return; }
    const msgs = ui.state.messages[t.channel];
    const root = msgs.find((m) => m.ts === t.ts);
    if (!root) { aside.hidden = true; return; }
    aside.hidden = false;
    $("thread-title").textContent = `Thread in #${(ui.state.channels.find((c) => c.id === t.channel) || {}).name || t.channel}`;
    const items = [[root.ts, messageNode(root, "thread")]];
    msgs.filter((m) => m.thread_ts === t.ts && m.ts !== t.ts).forEach((m) => items.push([m.ts, messageNode(m, "thread")]));
    ui.state.ephemerals.filter((e) => e.channel === t.channel && e.thread_ts === t.ts)
      .forEach((e) => items.push([e.message_ts, ephemeralNode(e)]));
    items.sort(byTs);
    fillLog($("thread-log"), items.map((x) => x[1]));
  }

  // -- modals --------------------------------------------------------------------
  function renderModal() {
    const root = $("modal-root"), stack = ui.state.modals;
    const top = stack[stack.length - 1];
    const key = top ? `${top.id}:${top.hash}:${stack.length}` : "";
    if (key === ui.modalKey) return;
    ui.modalKey = key;
    root.textContent = "";
    if (!top) return;
    const back = el("div", "modal-back");
    const m = el("div", "modal");
    m.setAttribute("role", "dialog");
    m.setAttribute("aria-modal", "true");
    m.dataset.callbackId = top.callback_id || "";
    const head = el("header");
    const h = el("h2", "", (top.title && top.title.text) || "");
    h.id = "modal-title";
    m.setAttribute("aria-labelledby", "modal-title");
    const x = el("button", "close", "✕");
    x.type = "button";
    x.setAttribute("aria-label", "Close");
    x.addEventListener("click", () => act({kind: "close", view_id: top.id}));
    head.append(h, x);
    const form = el("form", "modal-body");
    form.noValidate = true;
    form.append(BK.render(top.blocks, ctx({surface: "modal", onAction: (a) => act({kind: "action", action: a,
      where: {view_id: top.id}, values: BK.values(form)})})));
    const general = el("div", "bk-error general");
    general.dataset.errorFor = "";
    form.append(general);
    const foot = el("footer");
    const cancel = el("button", "bk-btn", (top.close && top.close.text) || "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", () => act({kind: "close", view_id: top.id}));
    foot.append(cancel);
    if (top.submit) {
      const submit = el("button", "bk-btn bk-primary", top.submit.text);
      submit.type = "submit";
      foot.append(submit);
    }
    form.append(foot);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      form.querySelectorAll(".bk-error").forEach((e) => { e.textContent = ""; });
      const empty = BK.missing(form);
      empty.forEach((block) => {
        const slot = form.querySelector(`.bk-error[data-error-for="${CSS.escape(block)}"]`);
        if (slot) slot.textContent = "Please complete this required field.";
      });
      if (empty.length) return;
      const r = await act({kind: "submit", view_id: top.id, values: BK.values(form)});
      if (r.errors) {
        for (const [block, text] of Object.entries(r.errors)) {
          const slot = form.querySelector(`.bk-error[data-error-for="${CSS.escape(block)}"]`) || general;
          slot.textContent = text;
        }
      }
    });
    m.append(head, form);
    back.append(m);
    back.addEventListener("keydown", (ev) => { if (ev.key === "Escape") act({kind: "close", view_id: top.id}); });
    root.append(back);
    const first = form.querySelector("input, textarea, select, button");
    if (first) first.focus();
  }

  // -- composing -----------------------------------------------------------------
  function channelForCompose() {
    if (ui.pane.kind === "dm") return ui.state.me.id;
    return ui.pane.id;
  }
  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("compose"), text = input.value.trim();
    if (!text) return;
    input.value = "";
    await act({kind: "message", channel: channelForCompose(), text});
  });
  $("thread-composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("thread-compose"), text = input.value.trim();
    if (!text || !ui.thread) return;
    input.value = "";
    await act({kind: "message", channel: ui.thread.channel, thread_ts: ui.thread.ts, text});
  });
  $("thread-close").addEventListener("click", () => { ui.thread = null; renderThread(); });
  $("who").addEventListener("change", () => switchTo($("who").value));

  async function switchTo(who) {
    ui.who = who;
    localStorage.setItem("sandbox.who", who);
    const u = new URL(location.href);
    u.searchParams.set("as", who);
    history.replaceState(null, "", u);
    ui.pane = null;  // the state shown stays until the new person's arrives (apply checks whose it is)
    ui.thread = null;
    ui.modalKey = "~";
    await refresh();
    if (ui.pane && ui.pane.kind === "home") act({kind: "home"});
    poll();
  }

  (async () => {
    const r = await fetch("/api/people");
    const people = (await r.json()).people;
    if (!people.some((p) => p.id === ui.who)) ui.who = people[0].id;
    fillSwitcher(people);
    switchTo(ui.who);
  })();
})();
