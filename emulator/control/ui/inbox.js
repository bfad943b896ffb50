// The web inbox: the control API's messages grouped by phone, kept live by its event stream.
// Everything the emulator stores is shown with textContent, never as HTML.
"use strict";
// Uses page.js: api, $, el.

const state = { messages: new Map(), replies: new Map(), selectedPhone: null, selectedMessage: null, clock: null };

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

const digits = (phone) => (phone || "").replace(/\D/g, "").replace(/^00/, "");
// The emulator's rule for "the same phone number" (emulator/core/phones.py): a national
// number of 9 or more digits (after a trunk 0) matches the end of the international one.
function sameNumber(stored, asked) {
  const have = digits(stored); let want = digits(asked);
  if (!want) return false;
  if (have === want) return true;
  if (want[0] === "0") want = want.slice(1);
  return want.length >= 9 && have.endsWith(want);
}
const pad = (n, size = 2) => String(n).padStart(size, "0");
// The browser's local time, with its zone: "UTC" or "UTC+01:00".
function zone(d) {
  const minutes = -d.getTimezoneOffset();
  if (!minutes) return "UTC";
  const sign = minutes > 0 ? "+" : "-";
  return `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}
function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${zone(d)}`;
}
const PAGE = 100;  // conversations shown at first, and added by "Show more"
let shown = PAGE;

function filters() {
  return { provider: $("filter-provider").value, account: $("filter-account").value.trim(),
           text: $("filter-text").value, status: $("filter-status").value, search: $("filter-search").value.trim() };
}

function searched(f, phone, text) {
  if (!f.search) return true;
  return sameNumber(phone, f.search) || (digits(f.search).length > 2 && digits(phone).includes(digits(f.search)))
    || text.toLowerCase().includes(f.search.toLowerCase());
}

function visible(message, f) {
  return (!f.provider || message.provider === f.provider) && (!f.account || message.account === f.account)
    && (!f.text || message.text.includes(f.text)) && (!f.status || message.status === f.status)
    && searched(f, message.recipient, message.text);
}

function visibleReply(reply, f) {
  // A reply has no delivery status: a status filter shows messages only.
  return !f.status && (!f.provider || reply.provider === f.provider) && (!f.account || reply.account === f.account)
    && (!f.text || reply.text.includes(f.text)) && searched(f, reply.phone, reply.text);
}

function conversations(f) {
  const byPhone = new Map();
  const add = (phone, entry) => {
    const key = digits(phone) || phone;  // stored numbers are international: one spelling each
    if (!byPhone.has(key)) byPhone.set(key, { phone, entries: [] });
    byPhone.get(key).entries.push(entry);
  };
  for (const message of state.messages.values()) if (visible(message, f)) add(message.recipient, { kind: "out", at: message.created, item: message });
  for (const reply of state.replies.values()) if (visibleReply(reply, f)) add(reply.phone, { kind: "in", at: reply.received, item: reply });
  for (const conversation of byPhone.values()) conversation.entries.sort((a, b) => a.at.localeCompare(b.at));
  return [...byPhone.entries()].sort((a, b) => lastAt(b[1]).localeCompare(lastAt(a[1])));
}
const lastAt = (c) => c.entries[c.entries.length - 1].at;

function badge(callbackState) {
  if (callbackState === "failed") return el("span", { class: "badge failed", "data-testid": "badge", title: "a callback failed" }, "callback failed");
  if (callbackState === "pending") return el("span", { class: "badge pending", "data-testid": "badge", title: "a callback waits for a retry" }, "callback pending");
  return null;
}

function worst(entries) {
  const states = new Set(entries.filter((e) => e.kind === "out").map((e) => e.item.callback_state));
  return states.has("failed") ? "failed" : states.has("pending") ? "pending" : null;
}

const NOT_DELIVERED = new Set(["undelivered", "unsent"]);
// How many messages of a conversation did not reach the phone: its own badge, beside the
// callbacks' one.
function undelivered(entries) {
  const count = entries.filter((e) => e.kind === "out" && NOT_DELIVERED.has(e.item.status)).length;
  return count ? el("span", { class: "badge failed", "data-testid": "undelivered", title: "messages that did not reach the phone" }, `${count} not delivered`) : null;
}

const many = (n, noun, plural = noun + "s") => `${n} ${n === 1 ? noun : plural}`;

function render() {
  const f = filters();
  const list = conversations(f);
  const messages = list.reduce((n, [, c]) => n + c.entries.filter((e) => e.kind === "out").length, 0);
  const replies = list.reduce((n, [, c]) => n + c.entries.filter((e) => e.kind === "in").length, 0);
  $("counts").textContent = `${many(messages, "message")}, ${many(replies, "reply", "replies")}, ${many(list.length, "conversation")}`;
  if (!list.some(([key]) => key === state.selectedPhone)) state.selectedPhone = list.length ? list[0][0] : null;
  const nav = $("phones");
  nav.replaceChildren();
  for (const [key, conversation] of list.slice(0, shown)) {
    const last = conversation.entries[conversation.entries.length - 1].item;
    const sent = conversation.entries.filter((e) => e.kind === "out").length;
    const received = conversation.entries.length - sent;
    const button = el("button", { type: "button", class: "phone" + (key === state.selectedPhone ? " active" : ""), "data-phone": key, "data-testid": "phone", "aria-current": key === state.selectedPhone ? "true" : "false" },
      el("strong", {}, conversation.phone), undelivered(conversation.entries), badge(worst(conversation.entries)),
      el("span", { class: "preview" }, last.text),
      el("span", { class: "count", "data-testid": "count" }, many(sent, "message") + (received ? ` · ${many(received, "reply", "replies")}` : "")));
    button.addEventListener("click", () => { state.selectedPhone = key; render(); });
    nav.append(button);
  }
  $("more").hidden = list.length <= shown;
  $("more").textContent = `Show more (${list.length - shown} more)`;
  const found = list.find(([key]) => key === state.selectedPhone);
  renderConversation(found);
  // The timeline belongs to a message of the conversation on screen, or to none.
  const inView = found && found[1].entries.some((e) => e.kind === "out" && e.item.id === state.selectedMessage);
  if (state.selectedMessage && !inView) {
    state.selectedMessage = null;
    $("timeline").replaceChildren(el("p", { class: "empty" }, "Pick a message to see its timeline."));
  }
}

// What a message costs, in a line: "3 parts · UCS-2 because of ’ (12), ą (40) · as GSM-7: 1 part".
function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }
function costLine(cost) {
  const blamed = (list) => {  // each character once, with every place it is at
    const places = new Map();
    for (const c of list) places.set(c.char, [...(places.get(c.char) || []), c.index]);
    return [...places].map(([char, at]) => `${char} (${at.join(", ")})`).join(", ");
  };
  const line = [plural(cost.parts, "part"), cost.encoding === "ucs2"
    ? "UCS-2" + (cost.ucs2_because.length ? ` because of ${blamed(cost.ucs2_because)}` : "")
    : "GSM-7"];
  if (cost.replaced.length) line.push(`replaced: ${blamed(cost.replaced)}`);
  if (cost.extension.length) line.push(`2 septets: ${cost.extension.map((c) => c.char).join(" ")}`);
  if (cost.encoding === "ucs2" || cost.as_gsm7.parts !== cost.parts) line.push(`as GSM-7: ${plural(cost.as_gsm7.parts, "part")}`);
  return line.join(" · ");
}

// The text with the characters to blame marked (by code point, as the API counts them).
function markedText(text, cost) {
  const culprits = new Map([...cost.ucs2_because, ...cost.replaced].map((c) => [c.index, c]));
  const doubled = new Set(cost.extension.map((c) => c.index));
  const out = [];
  let plain = "";
  Array.from(text).forEach((char, index) => {
    const culprit = culprits.get(index);
    if (!culprit && !doubled.has(index)) { plain += char; return; }
    if (plain) { out.push(plain); plain = ""; }
    const hint = culprit ? `${culprit.codepoint}${culprit.suggestion ? " → " + culprit.suggestion : ""}` : "2 septets";
    out.push(el("mark", { class: culprit ? "culprit" : "doubled", title: hint, "data-testid": culprit ? "culprit" : "doubled" }, char));
  });
  if (plain) out.push(plain);
  return out;
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
      ...markedText(item.text, item.cost), badge(item.callback_state),
      el("span", { class: "cost", "data-testid": "cost" }, costLine(item.cost)),
      el("span", { class: "meta" },
        el("span", { class: "status " + item.status, "data-testid": "status" }, item.status),
        ` · ${item.sender || "(no sender)"} · ${item.provider}/${item.account} · ${time(item.created)}`));
    bubble.addEventListener("click", async () => {
      state.selectedMessage = item.id;
      render();
      await showTimeline(item.id);
      // On a phone the timeline is below the conversation: bring it into view.
      if (matchMedia("(max-width: 700px)").matches) $("timeline").scrollIntoView({ block: "start" });
    });
    pane.append(bubble);
  }
}

function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

// The request that created a message, as a curl command (secrets arrive masked as ***).
function asCurl(request) {
  const query = new URLSearchParams(request.query || {}).toString();
  const url = location.origin + request.path + (query ? "?" + query : "");
  const json = (request.content_type || "").includes("json") || !request.content_type;
  const body = json ? JSON.stringify(request.body) : new URLSearchParams(request.body).toString();
  return `curl -s -X ${request.method} ${shellQuote(url)} -H ${shellQuote("Content-Type: " + (json ? "application/json" : "application/x-www-form-urlencoded"))} -d ${shellQuote(body)}`;
}

async function redeliver(job) {
  try { await call("POST", `/_emulator/callbacks/${job.id}/redeliver`, {}); }
  catch (error) { alert(error.message); }
  if (state.selectedMessage) showTimeline(state.selectedMessage);
}

async function showTimeline(id) {
  const pane = $("timeline");
  let detail;
  try { detail = await call("GET", `/_emulator/messages/${encodeURIComponent(id)}`); }
  catch (error) { pane.replaceChildren(el("p", { class: "empty" }, error.message)); return; }
  if (state.selectedMessage !== id) return;
  const history = el("ol", { "data-testid": "history" }, ...detail.history.map((h) =>
    el("li", {}, el("span", { class: "status " + h.status }, h.status), ` ${time(h.time)}`, h.reason ? ` (${h.reason})` : "")));
  const callbacks = detail.callbacks.length ? el("ol", { "data-testid": "callbacks" }, ...detail.callbacks.map((job) => {
    const button = el("button", { type: "button", class: "redeliver", "data-testid": "redeliver" }, "Redeliver");
    button.addEventListener("click", () => redeliver(job));
    return el("li", { "data-testid": "callback", class: "callback " + job.state },
      el("strong", {}, `${job.kind} · ${job.state}`), badge(job.state), " ", button,
      job.next_attempt ? el("span", { class: "muted" }, ` next try ${time(job.next_attempt)}`) : null,
      el("code", { class: "url" }, job.url),
      el("ol", {}, ...job.attempts.map((a) => el("li", { class: "attempt " + (a.outcome === "ok" ? "ok" : "failed"), "data-testid": "attempt" },
        `#${a.number} ${a.status ?? a.outcome} in ${a.latency_ms} ms at ${time(a.time)}`, a.error ? ` — ${a.error}` : "", a.body ? ` — answer: ${a.body}` : ""))));
  })) : el("p", { class: "empty" }, "No callback.");
  const curl = detail.request ? asCurl(detail.request) : "";
  const copy = el("button", { type: "button", "data-testid": "copy-curl" }, "Copy as curl");
  copy.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(curl); copy.textContent = "Copied"; }
    catch { copy.textContent = "Select the command below"; }
  });
  pane.replaceChildren(
    el("h2", {}, `Message ${detail.id} `, el("a", { href: api(`/_emulator/messages/${encodeURIComponent(detail.id)}`), target: "_blank", "data-testid": "json-link" }, "JSON")),
    el("p", {}, `${detail.provider} · ${detail.account} · to ${detail.recipient} · ref ${detail.ref ?? "—"}`),
    el("h3", {}, "Cost"), el("p", { "data-testid": "cost-detail" }, costLine(detail.cost),
      el("br"), `charged ${detail.cost.charged.amount} ${detail.cost.charged.unit}; as GSM-7 ${detail.cost.charged_as_gsm7.amount}`),
    el("h3", {}, "Status changes"), history,
    el("h3", {}, "Callbacks"), callbacks,
    el("h3", {}, "Request ", copy), el("pre", { "data-testid": "curl" }, curl),
    el("pre", { "data-testid": "request" }, JSON.stringify(detail.request, null, 2)));
}

function renderClock() {
  if (!state.clock) return;
  $("clock-mode").textContent = state.clock.mode;
  const now = state.clock.mode === "real"  // real time runs on between updates
    ? new Date(state.clock.timestamp * 1000 + (Date.now() - state.clockRead)) : new Date(state.clock.timestamp * 1000);
  $("clock-now").textContent = time(now.toISOString());
  $("toggle-clock").textContent = state.clock.mode === "manual" ? "Switch to real time" : "Switch to manual";
}

async function load() {
  const [messages, replies, clock] = await Promise.all([
    call("GET", "/_emulator/messages?limit=10000"), call("GET", "/_emulator/replies?limit=10000"),
    call("GET", "/_emulator/clock")]);
  state.messages = new Map(messages.items.map((m) => [m.id, m]));
  state.replies = new Map(replies.items.map((r) => [r.id, r]));
  setClock(clock);
  render();
}

function setClock(clock) { state.clock = clock; state.clockRead = Date.now(); renderClock(); }
setInterval(() => { if (state.clock && state.clock.mode === "real") renderClock(); }, 250);

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
  source.addEventListener("callback.attempt", (event) => {
    const data = JSON.parse(event.data);
    const message = state.messages.get(data.callback.message_id);
    if (message && data.message_callback_state !== undefined) message.callback_state = data.message_callback_state;
    scheduleRender();
  });
  source.addEventListener("clock.changed", (event) => setClock(JSON.parse(event.data)));
  source.addEventListener("state.reset", () => load());
  source.addEventListener("messages.pruned", () => load());
}

$("advance-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setClock(await call("POST", "/_emulator/clock/advance", { seconds: Number($("advance-seconds").value) }));
});
$("toggle-clock").addEventListener("click", async () => {
  setClock(await call("POST", "/_emulator/clock", { mode: state.clock && state.clock.mode === "manual" ? "real" : "manual" }));
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
  // Only SerwerSMS.pl has incoming messages: never suggest a server2sms account.
  form.account.value = selected && selected.provider === "serwersms" ? selected.account : "";
  if (selected) form.phone.value = selected.recipient;
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
for (const id of ["filter-provider", "filter-account", "filter-text", "filter-status", "filter-search"]) {
  $(id).addEventListener("input", () => { shown = PAGE; render(); });
}
$("more").addEventListener("click", () => { shown += PAGE; render(); });

load().then(listen, (error) => { if (!(error instanceof Refused)) throw error; });
