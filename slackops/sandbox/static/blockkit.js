/* Block Kit, drawn as Slack draws it, for the slackops sandbox: blocks, elements, mrkdwn.
   BK.render(blocks, ctx) returns a DOM node; ctx = {people, channels, tz, surface,
   onAction(action, node)}. BK.values(node) reads view.state.values back from the inputs. */
"use strict";
const BK = (() => {
  const EMOJI = {ticket: "🎫", admission_tickets: "🎟️", warning: "⚠️", rotating_light: "🚨", white_check_mark: "✅",
    fire: "🔥", eyes: "👀", clock3: "🕒", hourglass: "⌛", hourglass_flowing_sand: "⏳", bell: "🔔", mag: "🔍",
    memo: "📝", pushpin: "📌", arrow_up: "⬆️", arrow_down: "⬇️", red_circle: "🔴", large_orange_circle: "🟠",
    large_yellow_circle: "🟡", large_green_circle: "🟢", large_blue_circle: "🔵", speech_balloon: "💬",
    question: "❓", exclamation: "❗", x: "❌", heavy_check_mark: "✔️", information_source: "ℹ️",
    calendar: "📅", busts_in_silhouette: "👥", bust_in_silhouette: "👤", raised_hand: "✋", thumbsup: "👍",
    "+1": "👍", tada: "🎉", sos: "🆘", no_entry: "⛔", stopwatch: "⏱️", alarm_clock: "⏰", bulb: "💡",
    lock: "🔒", link: "🔗", new: "🆕", arrow_double_up: "⏫", hammer_and_wrench: "🛠️", loudspeaker: "📢",
    scales: "⚖️", inbox_tray: "📥", outbox_tray: "📤", email: "📧", telephone_receiver: "📞"};
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const unslack = (s) => String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const emoji = (html) => html.replace(/:([a-z0-9_+-]+):/g, (m, n) => EMOJI[n] || m);
  let uid = 0;

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function personName(ctx, id) {
    const p = (ctx.people || []).find((x) => x.id === id);
    return p ? p.name : (id === ctx.bot ? "slackops" : id);
  }
  function channelName(ctx, id, fallback) {
    const c = (ctx.channels || []).find((x) => x.id === id);
    return c ? c.name : (fallback || id);
  }

  // <!date^1700000000^{date_short} at {time}|fallback>, in the reader's time zone and language
  function formatDate(ctx, seconds, format, link) {
    const d = new Date(Number(seconds) * 1000);
    const tz = ctx.tz || undefined;
    const lang = ctx.locale || "en-US";
    const f = (o) => new Intl.DateTimeFormat(lang, {timeZone: tz, ...o}).format(d);
    // "Today" as Slack writes it in English; other languages keep their own case ("oggi")
    const cap = (x) => (lang.startsWith("en") ? x.charAt(0).toUpperCase() + x.slice(1) : x);
    const dayDiff = () => {
      const key = (x) => new Intl.DateTimeFormat("en-CA", {timeZone: tz}).format(x);
      const today = new Date();
      const days = new Intl.RelativeTimeFormat(lang, {numeric: "auto"});
      for (const n of [0, 1, -1]) {
        if (key(d) === key(new Date(today.getTime() + n * 864e5))) return cap(days.format(n, "day"));
      }
      return null;
    };
    const ago = () => {
      const s = Math.round((d.getTime() - Date.now()) / 1000), a = Math.abs(s);
      const [n, unit] = a < 60 ? [s, "second"] : a < 3600 ? [Math.round(s / 60), "minute"] :
        a < 86400 ? [Math.round(s / 3600), "hour"] : [Math.round(s / 86400), "day"];
      return new Intl.RelativeTimeFormat(lang).format(n, unit);
    };
    const tokens = {
      date_num: () => new Intl.DateTimeFormat("en-CA", {timeZone: tz}).format(d),
      date: () => f({month: "long", day: "numeric", year: "numeric"}),
      date_short: () => f({month: "short", day: "numeric", year: "numeric"}),
      date_long: () => f({weekday: "long", month: "long", day: "numeric", year: "numeric"}),
      date_pretty: () => dayDiff() || f({month: "long", day: "numeric", year: "numeric"}),
      date_short_pretty: () => dayDiff() || f({month: "short", day: "numeric", year: "numeric"}),
      date_long_pretty: () => dayDiff() || f({weekday: "long", month: "long", day: "numeric", year: "numeric"}),
      time: () => f({hour: "numeric", minute: "2-digit"}),
      time_secs: () => f({hour: "numeric", minute: "2-digit", second: "2-digit"}),
      ago,
    };
    const text = format.replace(/\{(\w+)\}/g, (m, k) => (tokens[k] ? tokens[k]() : m));
    const title = f({dateStyle: "full", timeStyle: "long"});
    const inner = `<time datetime="${d.toISOString()}" title="${esc(title)}">${esc(text)}</time>`;
    return link ? `<a href="${esc(link)}" target="_blank" rel="noopener">${inner}</a>` : inner;
  }

  // Slack's mrkdwn: <@U..>, <#C..|name>, <!here>, <!date^..>, <url|label>, *bold*, _italic_, ~strike~, `code`
  function mrkdwn(text, ctx) {
    const tokens = [];
    const hold = (html) => `\u0000${tokens.push(html) - 1}\u0000`;
    let s = String(text || "");
    s = s.replace(/```([\s\S]*?)```/g, (m, code) => hold(`<pre class="bk-pre">${esc(unslack(code))}</pre>`));
    s = s.replace(/`([^`\n]+)`/g, (m, code) => hold(`<code>${esc(unslack(code))}</code>`));
    s = s.replace(/<([^<>\n]+)>/g, (m, inner) => {
      const [target, label] = inner.split("|", 2).length === 2 ? [inner.slice(0, inner.indexOf("|")), inner.slice(inner.indexOf("|") + 1)] : [inner, null];
      if (target.startsWith("@")) {
        const id = target.slice(1);
        return hold(`<span class="bk-mention" data-user="${esc(id)}">@${esc(label ? unslack(label) : personName(ctx, id))}</span>`);
      }
      if (target.startsWith("#")) {
        const id = target.slice(1);
        return hold(`<span class="bk-mention bk-channel">#${esc(channelName(ctx, id, label ? unslack(label) : id))}</span>`);
      }
      if (target.startsWith("!date^")) {
        const parts = target.split("^");
        return hold(formatDate(ctx, parts[1], parts[2] || "{date_short} {time}", parts[3]));
      }
      if (target.startsWith("!subteam^")) return hold(`<span class="bk-mention">@${esc(label ? unslack(label) : target.slice(9))}</span>`);
      if (target.startsWith("!")) return hold(`<span class="bk-mention">@${esc(target.slice(1))}</span>`);
      const url = unslack(target);
      if (/^(https?:|mailto:)/.test(url)) {
        return hold(`<a href="${esc(url)}" target="_blank" rel="noopener">${esc(label ? unslack(label) : url)}</a>`);
      }
      return m;
    });
    let html = esc(unslack(s));
    html = html.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, "$1<b>$2</b>");
    html = html.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, "$1<i>$2</i>");
    html = html.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, "$1<s>$2</s>");
    html = html.replace(/^&gt; ?(.*)$/gm, '<span class="bk-quote">$1</span>');
    html = emoji(html).replace(/\n/g, "<br>");
    return html.replace(/\u0000(\d+)\u0000/g, (m, i) => tokens[Number(i)]);
  }

  function textNode(t, ctx, tag) {
    const n = el(tag || "span", "bk-text");
    if (!t) return n;
    if (t.type === "mrkdwn") n.innerHTML = mrkdwn(t.text, ctx);
    else n.innerHTML = t.emoji === false ? esc(t.text) : emoji(esc(t.text || ""));
    return n;
  }
  const plain = (t) => (t && t.text) || "";

  function optionsOf(e) {
    if (e.option_groups) return e.option_groups.flatMap((g) => g.options || []);
    return e.options || [];
  }

  function fire(ctx, node, action) { if (ctx.onAction) ctx.onAction(action, node); }

  function element(e, ctx, where) {
    const base = {action_id: e.action_id, block_id: where.block_id, type: e.type};
    const interactive = where.interactive;
    let n;
    switch (e.type) {
      case "button": {
        n = el("button", "bk-btn" + (e.style ? " bk-" + e.style : ""));
        n.type = "button";
        n.append(textNode(e.text, ctx));
        if (e.url) n.append(el("span", "bk-ext", " ↗"));
        n.addEventListener("click", () => fire(ctx, n, {...base, value: e.value || "", text: e.text}));
        break;
      }
      case "overflow": {
        n = el("select", "bk-overflow");
        n.setAttribute("aria-label", "More actions");
        n.append(new Option("⋯", "", true, true));
        n.options[0].disabled = true;
        optionsOf(e).forEach((o, i) => n.append(new Option(plain(o.text), String(i))));
        n.addEventListener("change", () => {
          const o = optionsOf(e)[Number(n.value)];
          n.selectedIndex = 0;
          if (o) fire(ctx, n, {...base, selected_option: o});
        });
        break;
      }
      case "static_select": case "external_select": case "multi_static_select":
      case "users_select": case "multi_users_select": case "conversations_select": case "channels_select":
      case "multi_conversations_select": case "multi_channels_select": {
        const multi = e.type.startsWith("multi_");
        n = el("select", "bk-select");
        n.multiple = multi;
        let opts;
        if (e.type.includes("users")) opts = (ctx.people || []).map((p) => ({text: {type: "plain_text", text: p.name}, value: p.id}));
        else if (e.type.includes("conversations") || e.type.includes("channels")) opts = (ctx.channels || []).map((c) => ({text: {type: "plain_text", text: "#" + c.name}, value: c.id}));
        else opts = optionsOf(e);
        if (!multi) n.append(new Option(plain(e.placeholder) || "Select an option", "", true, false));
        if (!multi) n.options[0].disabled = !!interactive;
        const initial = new Set([
          ...(e.initial_option ? [e.initial_option.value] : []), ...(e.initial_options || []).map((o) => o.value),
          ...(e.initial_user ? [e.initial_user] : []), ...(e.initial_users || []),
          ...(e.initial_conversation ? [e.initial_conversation] : []), ...(e.initial_channel ? [e.initial_channel] : []),
          ...(e.initial_conversations || []), ...(e.initial_channels || [])]);
        opts.forEach((o) => {
          const opt = new Option(plain(o.text), o.value, false, initial.has(o.value));
          opt.dataset.option = JSON.stringify(o);
          n.append(opt);
        });
        if (!multi && !initial.size) n.selectedIndex = 0;
        if (interactive) n.addEventListener("change", () => fire(ctx, n, {...base, ...selectState(n, e.type)}));
        break;
      }
      case "radio_buttons": case "checkboxes": {
        n = el("div", "bk-choices");
        n.setAttribute("role", e.type === "radio_buttons" ? "radiogroup" : "group");
        const name = "bk" + ++uid;
        const initial = new Set([...(e.initial_option ? [e.initial_option.value] : []), ...(e.initial_options || []).map((o) => o.value)]);
        optionsOf(e).forEach((o) => {
          const row = el("label", "bk-choice");
          const input = el("input");
          input.type = e.type === "radio_buttons" ? "radio" : "checkbox";
          input.name = name;
          input.value = o.value;
          input.checked = initial.has(o.value);
          input.dataset.option = JSON.stringify(o);
          if (interactive) input.addEventListener("change", () => fire(ctx, n, {...base, ...choiceState(n, e.type)}));
          const body = el("span", "bk-choice-body");
          body.append(textNode(o.text, ctx));
          if (o.description) body.append(el("br"), textNode(o.description, ctx, "small"));
          row.append(input, body);
          n.append(row);
        });
        break;
      }
      case "plain_text_input": case "number_input": case "email_text_input": case "url_text_input": {
        n = e.multiline ? el("textarea", "bk-input") : el("input", "bk-input");
        if (!e.multiline) n.type = {number_input: "number", email_text_input: "email", url_text_input: "url"}[e.type] || "text";
        if (e.multiline) n.rows = 4;
        if (e.initial_value !== undefined) n.value = e.initial_value;
        if (e.placeholder) n.placeholder = plain(e.placeholder);
        if (e.max_length) n.maxLength = e.max_length;
        break;
      }
      case "datepicker": case "timepicker": {
        n = el("input", "bk-input bk-date");
        n.type = e.type === "datepicker" ? "date" : "time";
        if (e.initial_date) n.value = e.initial_date;
        if (e.initial_time) n.value = e.initial_time;
        if (interactive) n.addEventListener("change", () => fire(ctx, n, {...base, ...dateState(n, e.type)}));
        break;
      }
      case "image": {
        n = el("span", "bk-image", "🖼 " + (e.alt_text || "image"));
        break;
      }
      default:
        n = el("span", "bk-unknown", `[${e.type}]`);
    }
    n.dataset.actionId = e.action_id || "";
    n.dataset.blockId = where.block_id || "";
    n.dataset.type = e.type;
    return n;
  }

  function selectState(n, type) {
    const chosen = [...n.selectedOptions].filter((o) => o.value !== "");
    const opt = (o) => JSON.parse(o.dataset.option);
    if (type === "users_select") return {selected_user: chosen[0] ? chosen[0].value : null};
    if (type === "multi_users_select") return {selected_users: chosen.map((o) => o.value)};
    if (type === "conversations_select") return {selected_conversation: chosen[0] ? chosen[0].value : null};
    if (type === "channels_select") return {selected_channel: chosen[0] ? chosen[0].value : null};
    if (type === "multi_conversations_select") return {selected_conversations: chosen.map((o) => o.value)};
    if (type === "multi_channels_select") return {selected_channels: chosen.map((o) => o.value)};
    if (type.startsWith("multi_")) return {selected_options: chosen.map(opt)};
    return {selected_option: chosen[0] ? opt(chosen[0]) : null};
  }
  function choiceState(n, type) {
    const chosen = [...n.querySelectorAll("input:checked")].map((i) => JSON.parse(i.dataset.option));
    return type === "radio_buttons" ? {selected_option: chosen[0] || null} : {selected_options: chosen};
  }
  function dateState(n, type) {
    return type === "datepicker" ? {selected_date: n.value || null} : {selected_time: n.value || null};
  }

  function block(b, ctx) {
    const where = {block_id: b.block_id || ""};
    let n;
    switch (b.type) {
      case "header":
        n = el("div", "bk-header");
        n.append(textNode(b.text, ctx));
        break;
      case "section": {
        n = el("div", "bk-section");
        const main = el("div", "bk-section-main");
        if (b.text) main.append(textNode(b.text, ctx, "div"));
        if (b.fields) {
          const grid = el("div", "bk-fields");
          b.fields.forEach((f) => grid.append(textNode(f, ctx, "div")));
          main.append(grid);
        }
        n.append(main);
        if (b.accessory) {
          const acc = el("div", "bk-accessory");
          acc.append(element(b.accessory, ctx, {...where, interactive: true}));
          n.append(acc);
        }
        break;
      }
      case "context":
        n = el("div", "bk-context");
        (b.elements || []).forEach((e) => n.append(e.type === "image" ? el("span", "bk-image", "🖼") : textNode(e, ctx)));
        break;
      case "actions":
        n = el("div", "bk-actions");
        (b.elements || []).forEach((e) => n.append(element(e, ctx, {...where, interactive: true})));
        break;
      case "divider":
        n = el("hr", "bk-divider");
        break;
      case "input": {
        n = el("div", "bk-input-block");
        if (!b.optional) n.dataset.required = "1";
        const id = "bki" + ++uid;
        const label = el("label", "bk-label");
        label.htmlFor = id;
        label.append(textNode(b.label, ctx));
        if (b.optional) label.append(el("span", "bk-optional", " (optional)"));
        const e = element(b.element || {}, ctx, {...where, interactive: !!b.dispatch_action});
        e.id = id;
        n.append(label, e);
        if (b.hint) { const h = textNode(b.hint, ctx, "div"); h.classList.add("bk-hint"); n.append(h); }
        const err = el("div", "bk-error");
        err.dataset.errorFor = b.block_id || "";
        err.setAttribute("role", "alert");
        n.append(err);
        break;
      }
      case "image":
        n = el("div", "bk-image", "🖼 " + (b.alt_text || plain(b.title) || "image"));
        break;
      case "rich_text":
        n = el("div", "bk-text", JSON.stringify(b.elements || []).replace(/.*?"text":"([^"]*)"/g, "$1").slice(0, 2000));
        break;
      default:
        n = el("div", "bk-unknown", `[${b.type} block]`);
    }
    n.dataset.block = b.type;
    if (b.block_id) n.dataset.blockId = b.block_id;
    return n;
  }

  function render(blocks, ctx) {
    const n = el("div", "bk-blocks");
    (blocks || []).forEach((b) => n.append(block(b, ctx)));
    return n;
  }

  // view.state.values: {block_id: {action_id: {type, value | selected_...}}}
  function values(root) {
    const out = {};
    root.querySelectorAll("[data-action-id][data-type]").forEach((n) => {
      const type = n.dataset.type;
      if (["button", "overflow", "image"].includes(type) || !n.dataset.blockId) return;
      let v;
      if (n.tagName === "SELECT") v = selectState(n, type);
      else if (type === "radio_buttons" || type === "checkboxes") v = choiceState(n, type);
      else if (type === "datepicker" || type === "timepicker") v = dateState(n, type);
      else v = {value: n.value === "" ? null : n.value};
      (out[n.dataset.blockId] = out[n.dataset.blockId] || {})[n.dataset.actionId] = {type, ...v};
    });
    return out;
  }

  // Slack's client refuses to submit a modal with a required input left empty
  function missing(root) {
    const vals = values(root), out = [];
    root.querySelectorAll(".bk-input-block[data-required]").forEach((n) => {
      const v = Object.values(vals[n.dataset.blockId] || {})[0] || {};
      const filled = Object.entries(v).some(([k, x]) => k !== "type" && x !== null && x !== "" &&
        !(Array.isArray(x) && !x.length));
      if (!filled) out.push(n.dataset.blockId);
    });
    return out;
  }

  return {render, values, missing, mrkdwn, textNode, esc, emoji, formatDate};
})();
