"use strict";
// The playground's page: one person at a time (switch with one click), their channels and
// DMs, a composer, modals and App Home; the workspace's changes arrive as server-sent
// events and the page reads its state again. Everything a person does goes to
// /playground/api/…, which sends it to Firebell as Slack would.

const $ = (sel, root = document) => root.querySelector(sel);
const { el } = BlockKit;
const EMOJI = BlockKit.EMOJI;
const PAGE = { user: localStorage.getItem("playground-user"), channel: localStorage.getItem("playground-channel"), home: false, thread: null, state: null, modalKey: null, modalInputs: new Map() };

async function post(path, body) {
  const resp = await fetch("/playground/api/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await resp.json().catch(() => ({}));
  if (!resp.ok) toast(answer.error || `refused (${resp.status})`);
  return answer;
}

function toast(message) {
  const box = $(".toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

function act(path, body) {
  return post(path, { user: PAGE.user, ...body });
}

// -- reading the state ------------------------------------------------------
let reading = null;
let again = false;
async function refresh() {
  if (reading) { again = true; return reading; }
  reading = (async () => {
    do {
      again = false;
      const asked = { user: PAGE.user || "", channel: PAGE.channel || "" };
      const resp = await fetch("/playground/api/state?" + new URLSearchParams(asked));
      const state = resp.ok ? await resp.json() : null;
      // A click on another person or channel while this was on its way: this answer is
      // for the old one, and drawing it would take the page back there. Ask again.
      if (asked.user !== (PAGE.user || "") || asked.channel !== (PAGE.channel || "")) again = true;
      else if (state) draw(state);
    } while (again);
  })();
  try { await reading; } finally { reading = null; }
}

function context(state, extra) {
  return {
    users: new Map(state.users.map((u) => [u.id, u])),
    channels: new Map(state.channels.map((c) => [c.id, c])),
    inputs: new Map(),
    errors: {},
    confirm: askConfirm,
    ...extra,
  };
}

function draw(state) {
  PAGE.state = state;
  PAGE.channel = state.channel.id;
  localStorage.setItem("playground-channel", PAGE.channel);
  drawPeople(state);
  drawClock(state.clock);
  drawSidebar(state);
  if (PAGE.home) drawHome(state); else drawChannel(state);
  drawThread(state);
  drawModal(state);
}

function drawPeople(state) {
  const nav = $(".people");
  nav.replaceChildren();
  for (const user of state.users.filter((u) => !u.bot)) {
    const button = el("button", "person", user.real_name);
    button.type = "button";
    button.setAttribute("aria-pressed", String(user.id === state.me));
    button.addEventListener("click", () => switchTo(user.id));
    nav.append(button);
  }
}

function drawClock(clock) {
  if (!clock) return;
  const now = new Date(clock.now);
  $(".clock-now").textContent = now.toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" }) + (clock.running ? "" : " (paused)");
  const toggle = $(".clock-toggle");
  toggle.textContent = clock.running ? "Pause" : "Run";
  toggle.dataset.clock = clock.running ? "pause" : "run";
  const next = $(".clock-next");
  next.disabled = !clock.next;
  next.title = clock.next ? `${clock.next.what} at ${new Date(clock.next.at).toLocaleTimeString()}` : "no SLA clock is running";
}

function drawSidebar(state) {
  const channels = $(".channels");
  const dms = $(".dms");
  channels.replaceChildren();
  dms.replaceChildren();
  for (const channel of state.channels) {
    const item = el("li");
    const button = el("button", "nav-channel", (channel.im ? "" : channel.private ? "🔒 " : "# ") + channel.name);
    button.type = "button";
    button.dataset.channel = channel.id;
    if (channel.member) button.classList.add("member");
    if (!PAGE.home && channel.id === state.channel.id) button.setAttribute("aria-current", "page");
    button.addEventListener("click", () => { PAGE.home = false; PAGE.thread = null; PAGE.channel = channel.id; refresh(); });
    item.append(button);
    (channel.im ? dms : channels).append(item);
  }
  $(".nav-home").setAttribute("aria-current", PAGE.home ? "page" : "false");
}

function atBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
}

function drawChannel(state) {
  const channel = state.channel;
  $(".channel-name").textContent = (channel.im ? "" : channel.private ? "🔒 " : "#") + channel.name;
  $(".channel-pins").textContent = channel.pins.length ? `📌 ${channel.pins.length} pinned` : "";
  const box = $(".messages");
  // Every event redraws the page, most of them about other channels: messages drawn
  // again unchanged would replace a button between a mouse press and its release,
  // and the click would be lost. So they are redrawn only when what they show changed.
  const shown = JSON.stringify([PAGE.user, channel, state.users, state.channels, state.messages]);
  if (shown !== box.dataset.shown) {
    const stay = atBottom(box);
    box.replaceChildren(...state.messages.map((m) => drawMessage(state, m, true)));
    box.dataset.shown = shown;
    if (stay) box.scrollTop = box.scrollHeight;
  }
  const joinable = !channel.member && !channel.im && !channel.private;
  $(".join-bar").hidden = !joinable;
  $(".join-bar span").textContent = joinable ? `You are not in #${channel.name}.` : "";
  $(".composer").hidden = joinable;
  $(".composer-text").placeholder = `Message ${channel.im ? channel.name : "#" + channel.name} — or /incident help`;
}

function drawHome(state) {
  $(".channel-name").textContent = "Firebell · Home";
  $(".channel-pins").textContent = "";
  $(".join-bar").hidden = true;
  $(".composer").hidden = true;
  const box = $(".messages");
  const where = { kind: "view", view_id: "home" };
  const ctx = context(state, {});
  ctx.act = (action) => act("action", { where, action, values: answers(ctx.inputs) });
  box.replaceChildren(state.home ? BlockKit.render(state.home.blocks, ctx) : el("p", "empty", "Firebell has not published a Home tab for you yet."));
}

function drawMessage(state, m, withThread) {
  const item = el("article", "msg" + (m.ephemeral ? " ephemeral" : "") + (m.bot ? " from-bot" : ""));
  item.dataset.ts = m.ts;
  const meta = el("div", "msg-meta");
  meta.append(el("b", "msg-author", m.author), el("time", "msg-time", new Date(parseFloat(m.ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
  if (m.pinned) meta.append(el("span", "msg-pinned", "📌 pinned"));
  if (m.edited) meta.append(el("span", "msg-edited", "(edited)"));
  if (m.ephemeral) meta.append(el("span", "msg-only-you", "Only visible to you"));
  item.append(meta);
  const where = m.ephemeral ? { kind: "message", ephemeral: true, channel: state.channel.id, ts: m.ts } : { kind: "message", channel: state.channel.id, ts: m.ts };
  const ctx = context(state, {});
  ctx.act = (action) => act("action", { where, action });
  item.append(m.blocks ? BlockKit.render(m.blocks, ctx) : BlockKit.mrkdwn(m.text, ctx));
  for (const file of m.files) item.append(el("div", "msg-file", `📎 ${file.title} (${file.name})`));
  if (m.reactions.length) {
    const row = el("div", "msg-reactions");
    for (const r of m.reactions) {
      const chip = el("button", "reaction" + (r.mine ? " mine" : ""), `${EMOJI[r.name] || ":" + r.name + ":"} ${r.count}`);
      chip.type = "button";
      chip.addEventListener("click", () => act("react", { channel: state.channel.id, ts: m.ts, name: r.name }));
      row.append(chip);
    }
    item.append(row);
  }
  if (!m.ephemeral) item.append(tools(state, m, withThread));
  if (withThread && m.replies.length) {
    const link = el("button", "msg-replies", `${m.replies.length} ${m.replies.length === 1 ? "reply" : "replies"}`);
    link.type = "button";
    link.addEventListener("click", () => { PAGE.thread = m.ts; drawThread(state); });
    item.append(link);
  }
  return item;
}

function tools(state, m, withThread) {
  const bar = el("div", "msg-tools");
  const button = (label, name, run) => {
    const b = el("button", "tool", label);
    b.type = "button";
    b.setAttribute("aria-label", name);
    b.title = name;
    b.addEventListener("click", run);
    bar.append(b);
  };
  button("📌", "React with 📌 (pin to the timeline)", () => act("react", { channel: state.channel.id, ts: m.ts, name: "pushpin" }));
  button("👀", "React with 👀", () => act("react", { channel: state.channel.id, ts: m.ts, name: "eyes" }));
  if (withThread) button("💬", "Reply in thread", () => { PAGE.thread = m.ts; drawThread(state); $(".thread-text").focus(); });
  button("⚡", "File an issue", () => act("shortcut", { channel: state.channel.id, ts: m.ts }));
  button("{ }", "Inspect", () => inspect(m));
  return bar;
}

function drawThread(state) {
  const pane = $(".thread");
  const parent = PAGE.thread && state.messages.find((m) => m.ts === PAGE.thread);
  pane.hidden = !parent || PAGE.home;
  if (!parent) return;
  $(".thread-messages").replaceChildren(drawMessage(state, parent, false), ...parent.replies.map((r) => drawMessage(state, r, false)));
}

async function inspect(m) {
  $(".inspect-json").textContent = JSON.stringify({ ts: m.ts, text: m.text, blocks: m.blocks, metadata: m.metadata }, null, 2);
  const key = m.metadata && m.metadata.event_payload && m.metadata.event_payload.key;
  $(".inspect-outbox").textContent = key ? "…" : "none: this message was not sent by Firebell's outbox";
  $(".inspect-overlay").hidden = false;
  if (key) {
    const resp = await fetch("/playground/api/outbox/" + encodeURIComponent(key));
    $(".inspect-outbox").textContent = JSON.stringify(await resp.json(), null, 2);
  }
}

// -- modals -------------------------------------------------------------------
function answers(inputs) {
  const out = {};
  for (const [blockId, read] of inputs) out[blockId] = read.get();
  return out;
}

function drawModal(state) {
  const overlay = $(".modal-overlay");
  const modal = state.modal;
  if (!modal) {
    overlay.hidden = true;
    PAGE.modalKey = null;
    return;
  }
  const key = JSON.stringify([modal.id, modal.view, modal.errors]);
  if (key === PAGE.modalKey) return;
  // The same view drawn again (errors, an update): what was typed stays, as in Slack.
  const kept = PAGE.modalKey && JSON.parse(PAGE.modalKey)[0] === modal.id ? answers(PAGE.modalInputs) : {};
  PAGE.modalKey = key;
  const ctx = context(state, { errors: modal.errors || {} });
  ctx.act = (action) => act("action", { where: { kind: "view", view_id: modal.id }, action, values: answers(ctx.inputs) });
  $(".modal-title").textContent = (modal.view.title && modal.view.title.text) || "";
  $(".modal-body").replaceChildren(BlockKit.render(modal.view.blocks, ctx));
  for (const [blockId, value] of Object.entries(kept)) if (ctx.inputs.has(blockId)) ctx.inputs.get(blockId).set(value);
  PAGE.modalInputs = ctx.inputs;
  const general = (modal.errors || {})[""];
  $(".modal-error").hidden = !general;
  $(".modal-error").textContent = general || "";
  $(".modal-submit").hidden = !modal.view.submit;
  $(".modal-submit").textContent = (modal.view.submit && modal.view.submit.text) || "Submit";
  $(".modal-close").textContent = (modal.view.close && modal.view.close.text) || "Close";
  overlay.hidden = false;
}

function askConfirm(confirm) {
  const overlay = $(".confirm-overlay");
  $(".confirm-title").textContent = (confirm.title && confirm.title.text) || "Are you sure?";
  $(".confirm-text").replaceChildren(BlockKit.mrkdwn((confirm.text && confirm.text.text) || "", {}));
  $(".confirm-ok").textContent = (confirm.confirm && confirm.confirm.text) || "Yes";
  $(".confirm-deny").textContent = (confirm.deny && confirm.deny.text) || "Cancel";
  overlay.hidden = false;
  return new Promise((resolve) => {
    const done = (answer) => { overlay.hidden = true; resolve(answer); };
    $(".confirm-ok").onclick = () => done(true);
    $(".confirm-deny").onclick = () => done(false);
  });
}

// -- what a person does -----------------------------------------------------------
function switchTo(userId) {
  PAGE.user = userId;
  PAGE.thread = null;
  PAGE.modalKey = null;
  localStorage.setItem("playground-user", userId);
  refresh();
}

async function send(text, threadTs) {
  text = text.trim();
  if (!text) return;
  const channel = PAGE.channel;
  if (text.startsWith("/")) {
    const [command, ...rest] = text.split(/\s+/);
    if (command !== "/incident") { toast(`${command} is no command here: try /incident help`); return; }
    await act("command", { channel, text: text.slice(command.length).trim() });
    return;
  }
  await act("message", { channel, text, thread_ts: threadTs || null });
}

function wire() {
  $(".composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $(".composer-text");
    const text = box.value;
    box.value = "";
    await send(text);
  });
  $(".thread-composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $(".thread-text");
    const text = box.value;
    box.value = "";
    await send(text, PAGE.thread);
  });
  for (const [box, form] of [[".composer-text", ".composer"], [".thread-text", ".thread-composer"]]) {
    $(box).addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $(form).requestSubmit(); }
    });
  }
  $(".thread-close").addEventListener("click", () => { PAGE.thread = null; $(".thread").hidden = true; });
  $(".join").addEventListener("click", () => act("join", { channel: PAGE.channel }));
  $(".nav-home").addEventListener("click", async () => { PAGE.home = true; PAGE.thread = null; await act("home", {}); refresh(); });
  $(".modal").addEventListener("submit", async (event) => {
    event.preventDefault();
    const modal = PAGE.state && PAGE.state.modal;
    if (modal) await act("submit", { view_id: modal.id, values: answers(PAGE.modalInputs) });
  });
  $(".modal-close").addEventListener("click", () => {
    const modal = PAGE.state && PAGE.state.modal;
    if (modal) act("close", { view_id: modal.id });
  });
  $(".inspect-close").addEventListener("click", () => { $(".inspect-overlay").hidden = true; });
  for (const button of document.querySelectorAll("[data-clock]")) {
    button.addEventListener("click", async () => {
      const answer = await post("clock", { action: button.dataset.clock });
      if (answer.now) drawClock(answer);
    });
  }
  for (const button of document.querySelectorAll("[data-alert]")) {
    button.addEventListener("click", async () => {
      const answer = await post("alert", { status: button.dataset.alert });
      if (answer.answer) toast(`Firebell answered ${answer.status}: ${JSON.stringify(answer.answer)}`);
    });
  }
  $(".deploy").addEventListener("click", async () => {
    const fixes = $(".deploy-fixes").value.match(/INC-\d+/gi) || [];
    const answer = await post("deploy", { fixes: fixes.map((f) => f.toUpperCase()) });
    if (answer.answer) toast(`Firebell answered ${answer.status}: ${JSON.stringify(answer.answer)}`);
  });
}

async function start() {
  wire();
  const people = (await (await fetch("/playground/api/people")).json()).people;
  // No one chosen yet (or a person of an earlier run): the first person, Dana.
  if (!people.some((p) => p.id === PAGE.user)) PAGE.user = people[0].id;
  await refresh();
  const events = new EventSource("/playground/api/events");
  events.onmessage = () => refresh();
  // The clock moves while it runs: its face is read again every second.
  setInterval(async () => {
    const resp = await fetch("/playground/api/clock");
    if (resp.ok) drawClock(await resp.json());
  }, 1000);
}

document.addEventListener("DOMContentLoaded", start);
