// The API documents page: renders the emulator's OpenAPI documents with no library and no
// network beyond the emulator itself. Every text is set with textContent, never as HTML.
"use strict";
// Uses page.js: api, $, el.

async function fetchJSON(path) {
  const answer = await fetch(api(path));
  const data = await answer.json();
  if (!answer.ok) throw new Error((data.error && data.error.message) || answer.statusText);
  return data;
}

function resolve(doc, schema) {
  if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split("/").pop()];
  return schema;
}

function pretty(value) { return el("pre", {}, JSON.stringify(value, null, 2)); }

function operation(doc, path, method, op) {
  const body = el("div", { class: "op-body" });
  if (op.description) body.append(el("p", { class: "intro" }, op.description));
  const request = op.requestBody && op.requestBody.content;
  if (request) {
    const [media, content] = Object.entries(request)[0];
    body.append(el("h3", {}, "Request body (" + Object.keys(request).join(", ") + ")"));
    body.append(pretty(resolve(doc, content.schema)));
    for (const [name, example] of Object.entries(content.examples || {})) {
      body.append(el("h3", {}, "Example: " + name + " (" + media + ")"), pretty(example.value));
    }
  }
  if (op.parameters) {
    body.append(el("h3", {}, "Parameters"), el("p", {}, op.parameters.map((p) => p.name + " (" + p.in + ")").join(", ")));
  }
  for (const [status, response] of Object.entries(op.responses || {})) {
    body.append(el("h3", {}, "Answer " + status + ": " + (response.description || "")));
    for (const [media, content] of Object.entries(response.content || {})) {
      const schema = content.schema || {};
      const shown = schema.anyOf ? { anyOf: schema.anyOf.map((s) => resolve(doc, s)) } : resolve(doc, schema);
      body.append(el("p", { class: "muted" }, media), pretty(shown));
    }
  }
  return el("details", { class: "op", "data-testid": "operation" },
    el("summary", {}, el("span", { class: "method " + method }, method.toUpperCase()),
      el("span", { class: "path" }, path), el("span", { class: "muted" }, op.summary || "")), body);
}

function render(doc) {
  const main = $("document");
  main.replaceChildren(el("h2", { "data-testid": "title" }, doc.info.title),
    el("p", { class: "intro" }, doc.info.description || ""),
    el("p", { class: "muted" }, "Servers: " + (doc.servers || []).map((s) => s.url).join(", ")));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) main.append(operation(doc, path, method, op));
  }
}

async function show(entry, button) {
  for (const other of document.querySelectorAll("#tabs button")) other.setAttribute("aria-selected", "false");
  button.setAttribute("aria-selected", "true");
  $("raw").href = api("../openapi/" + entry.name + ".json");
  try { render(await fetchJSON("../openapi/" + entry.name + ".json")); }
  catch (error) { $("document").replaceChildren(el("p", {}, error.message)); }
}

async function start() {
  try {
    const index = await fetchJSON("../openapi/");
    const tabs = $("tabs");
    for (const entry of index.documents) {
      const button = el("button", { type: "button", "data-testid": "tab" }, entry.name);
      button.addEventListener("click", () => show(entry, button));
      tabs.append(button);
    }
    const wanted = index.documents.find((d) => d.name === location.hash.slice(1)) || index.documents[0];
    show(wanted, [...tabs.children][index.documents.indexOf(wanted)]);
  } catch (error) {
    $("document").replaceChildren(el("p", {}, error.message));
  }
}

start();
