// The web inbox: the control API's messages grouped by phone, kept live by its event stream.
// Everything the emulator stores is shown with textContent, never as HTML.
"use strict";

const params = new URLSearchParams(location.search);
const token = params.get("token");
const api = (path) => path + (token ? (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : "");
const $ = (id) => document.getElementById(id);

const state = { messages: new Map(), replies: new Map(), selectedPhone: null, selectedMessage: null, clock: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const answer = await fetch(api(path), init);
  const data = await answer.json().catch(() => ({}));
  if (answer.status === 401 || answer.status === 403) refuse(answer.status, data);
  if (!answer.ok) throw new Error((data.error && data.error.message) || answer.statusText);
  return data;
}

class Refused extends Error {}

// The control API refused us (a control token is needed, or this host name is not allowed):
// say so, with what to do, instead of "connecting…" for ever.
function refuse(status, data) {
  const message = (data.error && data.error.message) || "the emulator refused the inbox";
  const advice = status === 401
    ? (token ? "The token in this address is not the emulator's control token." : "This emulator was started with a control token. Open the inbox address it printed at start-up (it carries ?token=…), or add ?token=<your token> to this address.")
    : "Open the inbox through an address the emulator answers to (127.0.0.1 or localhost), or start it with --allowed-host.";
  $("live").textContent = status === 401 ? "token required" : "refused";
  $("live").classList.remove("on");
  document.querySelector("main").replaceChildren(el("section", { class: "refused", "data-testid": "refused" },
    el("h2", {}, status === 401 ? "Token required" : "Not allowed"), el("p", {}, advice), el("p", { class: "detail" }, message)));
  throw new Refused(message);
}

const digits = (phone) => (phone || "").replace(/\D/g, "");
const time = (iso) => iso ? new Date(iso).toLocaleString() : "";

function filters() {
  return { provider: $("filter-provider").value, account: $("filter-account").value.trim(),
           text: $("filter-text").value, status: $("filter-status").value };
}

function visible(message) {
  const f = filters();
  return (!f.provider || message.provider === f.provider) && (!f.account || message.account === f.account)
    && (!f.text || message.text.includes(f.text)) && (!f.status || message.status === f.status);
}

function conversations() {
  const byPhone = new Map();
  const add = (phone, entry) => {
    const key = digits(phone) || phone;
    if (!byPhone.has(key)) byPhone.set(key, { phone, entries: [] });
    byPhone.get(key).entries.push(entry);
  };
  for (const message of state.messages.values()) if (visible(message)) add(message.recipient, { kind: "out", at: message.created, item: message });
  const f = filters();
  for (const reply of state.replies.values()) {
    if ((f.provider && reply.provider !== f.provider) || (f.account && reply.account !== f.account)) continue;
    if (f.text && !reply.text.includes(f.text)) continue;
    add(reply.phone, { kind: "in", at: reply.received, item: reply });
  }
  for (const conversation of byPhone.values()) conversation.entries.sort((a, b) => a.at.localeCompare(b.at));
  return [...byPhone.entries()].sort((a, b) => lastAt(b[1]).localeCompare(lastAt(a[1])));
}
const lastAt = (c) => c.entries[c.entries.length - 1].at;

function render() {
  const list = conversations();
  $("counts").textContent = `${state.messages.size} messages, ${state.replies.size} replies`;
  const nav = $("phones");
  nav.replaceChildren();
  for (const [key, conversation] of list) {
    const last = conversation.entries[conversation.entries.length - 1].item;
    const button = el("button", { type: "button", class: "phone" + (key === state.selectedPhone ? " active" : ""), "data-phone": key, "data-testid": "phone" },
      el("strong", {}, conversation.phone), el("span", { class: "preview" }, last.text),
      el("span", { class: "count" }, `${conversation.entries.length} message(s)`));
    button.addEventListener("click", () => { state.selectedPhone = key; render(); });
    nav.append(button);
  }
  if (!state.selectedPhone && list.length) state.selectedPhone = list[0][0];
  renderConversation(list.find(([key]) => key === state.selectedPhone));
}

function renderConversation(found) {
  const pane = $("conversation");
  pane.replaceChildren();
  if (!found) { pane.append(el("p", { class: "empty" }, "Messages sent through the emulator appear here as they arrive.")); return; }
  const [, conversation] = found;
  pane.append(el("h2", {}, conversation.phone));
  for (const entry of conversation.entries) {
    const item = entry.item;
    if (entry.kind === "in") {
      pane.append(el("div", { class: "bubble in", "data-testid": "reply" }, item.text,
        el("span", { class: "meta" }, `${item.type} reply · ${time(item.received)} · ${item.account}`)));
      continue;
    }
    const bubble = el("div", { class: "bubble out" + (item.id === state.selectedMessage ? " selected" : ""), "data-testid": "message", "data-id": item.id },
      item.text, el("span", { class: "meta" },
        el("span", { class: "status " + item.status, "data-testid": "status" }, item.status),
        ` · ${item.sender || "(no sender)"} · ${item.provider}/${item.account} · ${item.parts} part(s) · ${time(item.created)}`));
    bubble.addEventListener("click", () => { state.selectedMessage = item.id; render(); showTimeline(item.id); });
    pane.append(bubble);
  }
}

async function showTimeline(id) {
  const pane = $("timeline");
  let detail;
  try { detail = await call("GET", `/_emulator/messages/${encodeURIComponent(id)}`); }
  catch (error) { pane.replaceChildren(el("p", { class: "empty" }, error.message)); return; }
  if (state.selectedMessage !== id) return;
  const history = el("ol", { "data-testid": "history" }, ...detail.history.map((h) =>
    el("li", {}, el("span", { class: "status " + h.status }, h.status), ` ${time(h.time)}`, h.reason ? ` (${h.reason})` : "")));
  const callbacks = detail.callbacks.length ? el("ol", { "data-testid": "callbacks" }, ...detail.callbacks.map((job) =>
    el("li", {}, el("strong", {}, `${job.kind} · ${job.state}`), el("br"), el("code", {}, job.url),
      el("ol", {}, ...job.attempts.map((a) => el("li", { class: "attempt " + (a.outcome === "ok" ? "ok" : "failed"), "data-testid": "attempt" },
        `#${a.number} ${a.status ?? a.outcome} in ${a.latency_ms} ms`, a.error ? ` — ${a.error}` : "", a.body ? ` — answer: ${a.body}` : "")))))
  ) : el("p", { class: "empty" }, "No callback.");
  pane.replaceChildren(
    el("h2", {}, `Message ${detail.id}`),
    el("p", {}, `${detail.provider} · ${detail.account} · to ${detail.recipient} · ref ${detail.ref ?? "—"}`),
    el("h3", {}, "Status changes"), history,
    el("h3", {}, "Callbacks"), callbacks,
    el("h3", {}, "Request"), el("pre", {}, JSON.stringify(detail.request, null, 2)));
}

function renderClock() {
  if (!state.clock) return;
  $("clock-mode").textContent = state.clock.mode;
  $("clock-now").textContent = time(state.clock.now);
  $("toggle-clock").textContent = state.clock.mode === "manual" ? "Switch to real time" : "Switch to manual";
}

async function load() {
  const [messages, replies, clock] = await Promise.all([
    call("GET", "/_emulator/messages?limit=10000"), call("GET", "/_emulator/replies?limit=10000"),
    call("GET", "/_emulator/clock")]);
  state.messages = new Map(messages.items.map((m) => [m.id, m]));
  state.replies = new Map(replies.items.map((r) => [r.id, r]));
  state.clock = clock;
  renderClock();
  render();
}

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); if (state.selectedMessage) showTimeline(state.selectedMessage); });
}

function listen() {
  const source = new EventSource(api("/_emulator/events"));
  source.onopen = () => { $("live").textContent = "live"; $("live").classList.add("on"); };
  source.onerror = () => { $("live").textContent = "reconnecting…"; $("live").classList.remove("on"); };
  const onMessage = (event) => { const data = JSON.parse(event.data); state.messages.set(data.message.id, data.message); scheduleRender(); };
  source.addEventListener("message.created", onMessage);
  source.addEventListener("message.status", onMessage);
  source.addEventListener("reply.received", (event) => { const data = JSON.parse(event.data); state.replies.set(data.reply.id, data.reply); scheduleRender(); });
  source.addEventListener("callback.attempt", () => { if (state.selectedMessage) scheduleRender(); });
  source.addEventListener("clock.changed", (event) => { state.clock = JSON.parse(event.data); renderClock(); });
  source.addEventListener("state.reset", () => load());
  source.addEventListener("messages.pruned", () => load());
}

$("advance-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  state.clock = await call("POST", "/_emulator/clock/advance", { seconds: Number($("advance-seconds").value) });
  renderClock();
});
$("toggle-clock").addEventListener("click", async () => {
  state.clock = await call("POST", "/_emulator/clock", { mode: state.clock && state.clock.mode === "manual" ? "real" : "manual" });
  renderClock();
});
$("reset").addEventListener("click", async () => {
  if (!confirm("Forget every message, reply and callback?")) return;
  await call("POST", "/_emulator/reset", {});
  state.selectedPhone = state.selectedMessage = null;
  $("timeline").replaceChildren(el("p", { class: "empty" }, "Pick a message to see its timeline."));
  await load();
});
$("open-reply").addEventListener("click", () => {
  const form = $("reply-form");
  const selected = state.messages.get(state.selectedMessage);
  if (selected) { form.account.value = selected.account; form.phone.value = selected.recipient; }
  $("reply-dialog").showModal();
});
$("reply-cancel").addEventListener("click", () => $("reply-dialog").close());
$("reply-form").addEventListener("submit", async (event) => {
  const form = event.target;
  const body = { provider: "serwersms", account: form.account.value, phone: form.phone.value, text: form.text.value, type: form.type.value };
  if (form.to_number.value) body.to_number = form.to_number.value;
  try {
    const reply = await call("POST", "/_emulator/replies", body);
    state.replies.set(reply.id, reply);
    state.selectedPhone = digits(reply.phone) || reply.phone;
    render();
  } catch (error) { alert(error.message); }
});
for (const id of ["filter-provider", "filter-account", "filter-text", "filter-status"]) $(id).addEventListener("input", () => render());

load().then(listen, (error) => { if (!(error instanceof Refused)) throw error; });
