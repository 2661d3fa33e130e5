"use strict";
// Block Kit, drawn as Slack's client draws it, for what Firebell sends. Every block and
// element type has one entry in BLOCKS or ELEMENTS (tests/unit/test_playground_blockkit.py
// reads these keys); anything else is shown as its JSON, so nothing is silently hidden.
// Text reaches the page only through textContent: what a user typed never becomes markup.

const BlockKit = (() => {
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };
  // The emoji Firebell writes as :name: (grep -o ':[a-z_]*:' bot/); others stay as typed.
  const EMOJI = {
    white_check_mark: "✅", white_large_square: "⬜", white_circle: "⚪", red_circle: "🔴",
    large_orange_circle: "🟠", rotating_light: "🚨", link: "🔗", mega: "📣", rocket: "🚀",
    pushpin: "📌", mag: "🔍", lock: "🔒", fast_forward: "⏩", alarm_clock: "⏰", eyes: "👀",
    fire: "🔥", warning: "⚠️", x: "❌", hourglass: "⌛", "+1": "👍",
  };
  const decode = (s) =>
    s.replace(/&(amp|lt|gt);/g, (m) => ENTITIES[m]).replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
  const INLINE = /<([^<>\n]+)>|`([^`\n]+)`|\*([^*\n]+)\*|(?:^|(?<=\W))_([^_\n]+)_(?=\W|$)|~([^~\n]+)~/g;

  function link(target, label, ctx) {
    // <@U…>, <#C…|name>, <!here>, <!date^…|fallback>, <https://…|label>
    const [ref, text] = target.split("|", 2);
    if (ref.startsWith("@")) {
      const user = ctx.users && ctx.users.get(ref.slice(1));
      return el("span", "bk-mention", "@" + (user ? user.name : text || ref.slice(1)));
    }
    if (ref.startsWith("#")) {
      const channel = ctx.channels && ctx.channels.get(ref.slice(1));
      return el("span", "bk-mention", "#" + (channel ? channel.name : text || ref.slice(1)));
    }
    if (ref.startsWith("!")) {
      return el("span", "bk-mention", text ? decode(text) : "@" + ref.slice(1).split("^")[0]);
    }
    if (/^(https?:|mailto:)/.test(ref)) {
      const a = el("a", "bk-link", decode(text || ref));
      a.href = ref;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return document.createTextNode(decode("<" + target + ">"));
  }

  function inline(text, ctx, into) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      into.append(decode(text.slice(last, m.index)));
      if (m[1] !== undefined) into.append(link(m[1], null, ctx));
      else if (m[2] !== undefined) into.append(el("code", null, decode(m[2])));
      else {
        const tag = m[3] !== undefined ? "b" : m[4] !== undefined ? "i" : "s";
        const inner = el(tag);
        inline(m[3] ?? m[4] ?? m[5], ctx, inner);
        into.append(inner);
      }
      last = m.index + m[0].length;
    }
    into.append(decode(text.slice(last)));
  }

  // Slack's mrkdwn: bold, italic, strike, code, ``` blocks, > quotes, links and mentions.
  function mrkdwn(text, ctx) {
    const out = el("div", "bk-mrkdwn");
    String(text || "").split("```").forEach((part, i) => {
      if (i % 2 === 1) {
        out.append(el("pre", "bk-pre", decode(part.replace(/^\n/, ""))));
        return;
      }
      part.split("\n").forEach((line, n, lines) => {
        const quoted = line.startsWith("&gt; ") || line.startsWith("> ");
        const holder = quoted ? el("span", "bk-quote") : out;
        inline(quoted ? line.replace(/^(&gt;|>) /, "") : line, ctx, holder);
        if (quoted) out.append(holder);
        if (n < lines.length - 1 && !quoted) out.append(el("br"));
      });
    });
    return out;
  }

  function text(obj, ctx) {
    if (!obj) return el("span");
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    return el("span", "bk-plain", obj.text);
  }
  const plain = (obj) => (obj && obj.text) || "";

  function unknown(obj, what) {
    const box = el("div", "bk-unknown");
    box.append(el("div", "bk-unknown-label", `not drawn by the playground (${what} ${obj && obj.type}):`));
    box.append(el("pre", null, JSON.stringify(obj, null, 2)));
    return box;
  }

  function options(element) {
    const flat = [...(element.options || [])];
    for (const group of element.option_groups || []) flat.push(...(group.options || []));
    return flat;
  }

  // An element in an input block is read on submit (ctx.inputs); elsewhere it acts at once.
  function interactive(element, ctx, block, readValue, action) {
    if (block && block.type === "input") {
      ctx.inputs.set(block.block_id, readValue);
      return;
    }
    return (extra) => ctx.act({ type: element.type, action_id: element.action_id, block_id: (block && block.block_id) || "", ...extra });
  }

  function select(element, ctx, block, choices, key) {
    const node = el("select", "bk-select");
    node.setAttribute("aria-label", plain(block && block.label) || plain(element.placeholder) || element.action_id);
    node.append(new Option(plain(element.placeholder) || "Choose…", ""));
    for (const [value, label] of choices) node.append(new Option(label, value));
    const initial = element[key.initial];
    if (initial) node.value = typeof initial === "string" ? initial : initial.value;
    const read = { get: () => node.value || null, set: (v) => { node.value = v || ""; } };
    const act = interactive(element, ctx, block, read);
    if (act) node.addEventListener("change", () => node.value && act(key.answer(node.value)));
    return node;
  }

  function people(ctx) {
    return [...(ctx.users ? ctx.users.values() : [])].filter((u) => !u.bot).map((u) => [u.id, u.real_name]);
  }
  function rooms(ctx) {
    return [...(ctx.channels ? ctx.channels.values() : [])].filter((c) => !c.im).map((c) => [c.id, "#" + c.name]);
  }

  const ELEMENTS = {
    plain_text: (e) => text(e),
    mrkdwn: (e, ctx) => text(e, ctx),
    image: (e) => {
      const img = el("img", "bk-image-small");
      img.src = e.image_url;
      img.alt = e.alt_text || "";
      return img;
    },
    button: (e, ctx, block) => {
      const node = el("button", "bk-button" + (e.style ? " bk-" + e.style : ""), plain(e.text));
      node.type = "button";
      const act = interactive(e, ctx, block, { get: () => null, set: () => {} });
      node.addEventListener("click", async () => {
        if (e.url) window.open(e.url, "_blank", "noopener,noreferrer");
        if (e.confirm && !(await ctx.confirm(e.confirm))) return;
        if (act) act({ value: e.value || "", text: e.text });
      });
      return node;
    },
    static_select: (e, ctx, block) => {
      const byValue = new Map(options(e).map((o) => [o.value, o]));
      return select(e, ctx, block, options(e).map((o) => [o.value, plain(o.text)]), {
        initial: "initial_option",
        answer: (v) => ({ selected_option: { text: byValue.get(v).text, value: v } }),
      });
    },
    users_select: (e, ctx, block) =>
      select(e, ctx, block, people(ctx), { initial: "initial_user", answer: (v) => ({ selected_user: v }) }),
    conversations_select: (e, ctx, block) =>
      select(e, ctx, block, rooms(ctx), {
        initial: "initial_conversation",
        answer: (v) => ({ selected_conversation: v }),
      }),
    channels_select: (e, ctx, block) =>
      select(e, ctx, block, rooms(ctx), { initial: "initial_channel", answer: (v) => ({ selected_channel: v }) }),
    overflow: (e, ctx, block) => {
      const menu = el("details", "bk-overflow");
      const summary = el("summary", null, "⋯");
      summary.setAttribute("aria-label", "More options");
      menu.append(summary);
      const act = interactive(e, ctx, block, { get: () => null, set: () => {} });
      const list = el("div", "bk-overflow-menu");
      for (const option of options(e)) {
        const item = el("button", "bk-overflow-item", plain(option.text));
        item.type = "button";
        item.addEventListener("click", async () => {
          menu.open = false;
          if (e.confirm && !(await ctx.confirm(e.confirm))) return;
          if (act) act({ selected_option: { text: option.text, value: option.value } });
        });
        list.append(item);
      }
      menu.append(list);
      return menu;
    },
    datepicker: (e, ctx, block) => {
      const node = el("input", "bk-date");
      node.type = "date";
      node.value = e.initial_date || "";
      node.setAttribute("aria-label", plain(block && block.label) || e.action_id);
      const act = interactive(e, ctx, block, { get: () => node.value || null, set: (v) => { node.value = v || ""; } });
      if (act) node.addEventListener("change", () => act({ selected_date: node.value }));
      return node;
    },
    checkboxes: (e, ctx, block) => choices(e, ctx, block, "checkbox"),
    radio_buttons: (e, ctx, block) => choices(e, ctx, block, "radio"),
    multi_static_select: (e, ctx, block) => choices(e, ctx, block, "checkbox"),
    plain_text_input: (e, ctx, block) => {
      const node = el(e.multiline ? "textarea" : "input", "bk-text");
      if (!e.multiline) node.type = "text";
      node.value = e.initial_value || "";
      if (e.placeholder) node.placeholder = plain(e.placeholder);
      if (e.max_length) node.maxLength = e.max_length;
      node.setAttribute("aria-label", plain(block && block.label) || e.action_id);
      interactive(e, ctx, block, { get: () => node.value, set: (v) => { node.value = v ?? ""; } });
      return node;
    },
    number_input: (e, ctx, block) => {
      const node = el("input", "bk-text");
      node.type = "number";
      node.value = e.initial_value || "";
      node.setAttribute("aria-label", plain(block && block.label) || e.action_id);
      interactive(e, ctx, block, { get: () => node.value, set: (v) => { node.value = v ?? ""; } });
      return node;
    },
    file_input: (e, ctx, block) => {
      const box = el("div", "bk-file");
      const node = el("input");
      node.type = "file";
      node.disabled = true;
      box.append(node, el("span", "bk-hint", "files are not uploaded from the playground"));
      interactive(e, ctx, block, { get: () => null, set: () => {} });
      return box;
    },
  };

  function choices(e, ctx, block, kind) {
    const box = el("div", "bk-choices");
    const name = "c" + Math.random().toString(36).slice(2);
    const initial = new Set([...(e.initial_options || []), ...(e.initial_option ? [e.initial_option] : [])].map((o) => o.value));
    const inputs = options(e).map((option) => {
      const label = el("label", "bk-choice");
      const input = el("input");
      input.type = kind;
      input.name = name;
      input.value = option.value;
      input.checked = initial.has(option.value);
      label.append(input, text(option.text, ctx));
      box.append(label);
      return [input, option];
    });
    const picked = () => inputs.filter(([i]) => i.checked);
    const read = {
      get: () => (kind === "radio" ? (picked()[0] || [{}])[0].value || null : picked().map(([i]) => i.value)),
      set: (v) => inputs.forEach(([i]) => { i.checked = Array.isArray(v) ? v.includes(i.value) : i.value === v; }),
    };
    const act = interactive(e, ctx, block, read);
    if (act) {
      box.addEventListener("change", () =>
        act(kind === "radio"
          ? { selected_option: picked().map(([, o]) => o)[0] || null }
          : { selected_options: picked().map(([, o]) => o) }));
    }
    return box;
  }

  function element(e, ctx, block) {
    const draw = e && ELEMENTS[e.type];
    return draw ? draw(e, ctx, block) : unknown(e, "element");
  }

  const BLOCKS = {
    section: (b, ctx) => {
      const node = el("div", "bk-section");
      const body = el("div", "bk-section-body");
      if (b.text) body.append(text(b.text, ctx));
      if (b.fields) {
        const grid = el("div", "bk-fields");
        for (const field of b.fields) grid.append(text(field, ctx));
        body.append(grid);
      }
      node.append(body);
      if (b.accessory) node.append(el("div", "bk-accessory")).append(element(b.accessory, ctx, b));
      return node;
    },
    header: (b) => el("h3", "bk-header", plain(b.text)),
    divider: () => el("hr", "bk-divider"),
    context: (b, ctx) => {
      const node = el("div", "bk-context");
      for (const e of b.elements || []) node.append(element(e, ctx, b));
      return node;
    },
    actions: (b, ctx) => {
      const node = el("div", "bk-actions");
      for (const e of b.elements || []) node.append(element(e, ctx, b));
      return node;
    },
    image: (b) => {
      const figure = el("figure", "bk-image");
      if (b.title) figure.append(el("figcaption", null, plain(b.title)));
      const img = el("img");
      img.src = b.image_url;
      img.alt = b.alt_text || "";
      figure.append(img);
      return figure;
    },
    input: (b, ctx) => {
      const node = el("div", "bk-input");
      const label = el("label", "bk-label", plain(b.label));
      if (b.optional) label.append(el("span", "bk-optional", " (optional)"));
      node.append(label, element(b.element, ctx, b));
      if (b.hint) node.append(el("div", "bk-hint", plain(b.hint)));
      const error = ctx.errors && ctx.errors[b.block_id];
      if (error) {
        node.classList.add("bk-has-error");
        node.append(el("div", "bk-error", error));
      }
      return node;
    },
  };

  function render(blocks, ctx) {
    const out = el("div", "bk-blocks");
    for (const b of blocks || []) {
      const draw = b && BLOCKS[b.type];
      out.append(draw ? draw(b, ctx) : unknown(b, "block"));
    }
    return out;
  }

  return { render, mrkdwn, el, BLOCKS, ELEMENTS, EMOJI };
})();
