"""``/_emulator/openapi/``: the OpenAPI documents; ``/_emulator/docs/``: the same documents as a
page to read.

Each document is generated once (on first request) without a server, and served with this
emulator's address as its first server: whatever ``Host`` a request names, the cache holds
one copy per document.

The page is rendered here, as plain HTML (lxml escapes every text): it needs no script, no
CDN and no timer, so it reads the same in a browser, in a plain headless screenshot and in
``curl``. Request bodies, parameters and answers are tables of fields, not raw JSON Schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from ..core.jsondata import JsonObject
from .api import context, endpoint, fail, ok
from .ui import SECURITY_HEADERS

if TYPE_CHECKING:
    from lxml.html import HtmlElement

FILES = frozenset({"docs.css"})
Documents = dict[str, JsonObject]  # name → the document, without servers
CACHE = web.AppKey("openapi_documents", Documents)
DEPTH = 3  # levels of nested fields a table shows


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def served(request: web.Request, name: str) -> JsonObject:
    """The document ``name`` as this request's emulator serves it."""
    from ..openapi import NAMES, document, servers

    if name not in NAMES:
        fail(404, f"no OpenAPI document {name!r}; documents: {', '.join(NAMES)}")
    cache = request.app[CACHE]
    if name not in cache:
        cache[name] = document(name, context(request).schemas)
    return {**cache[name], "servers": servers(name, _base(request))}


@endpoint
async def openapi_index(request: web.Request) -> web.Response:
    from ..openapi import NAMES

    base = _base(request)
    return ok(
        {
            "documents": [
                {"name": name, "url": f"{base}/_emulator/openapi/{name}.json"} for name in NAMES
            ]
        }
    )


@endpoint
async def openapi_document(request: web.Request) -> web.Response:
    return ok(served(request, request.match_info["name"]))


@endpoint
async def page(request: web.Request) -> web.Response:
    from lxml.html import tostring

    from ..openapi import NAMES

    name = request.query.get("doc") or NAMES[0]
    doc = served(request, name)
    token = request.query.get("token")
    html = tostring(_page(doc, name, NAMES, token), doctype="<!doctype html>", encoding="unicode")
    return web.Response(
        text=html, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS
    )


# -- the page -----------------------------------------------------------------------------------


def _link(path: str, token: str | None, **query: str) -> str:
    params = {**query, **({"token": token} if token else {})}
    return path + (f"?{urlencode(params)}" if params else "")


def _page(doc: JsonObject, name: str, names: tuple[str, ...], token: str | None) -> HtmlElement:
    from lxml.html.builder import E

    tabs = [
        E.a(
            other,
            {
                "href": _link("./", token, doc=other),
                "data-testid": "tab",
                "aria-current": "page" if other == name else "false",
            },
        )
        for other in names
    ]
    main = E.main(
        {"id": "document", "data-testid": "document"},
        E.h2(doc["info"]["title"], {"data-testid": "title"}),
        E.p(doc["info"].get("description", ""), {"class": "intro"}),
        E.p("Servers: " + ", ".join(s["url"] for s in doc.get("servers", [])), {"class": "muted"}),
    )
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            main.append(_operation(doc, path, method, operation))
    return E.html(
        {"lang": "en"},
        E.head(
            E.meta(charset="utf-8"),
            E.meta(name="viewport", content="width=device-width, initial-scale=1"),
            E.title(f"{doc['info']['title']} · API documents · sms-gateway-emulator"),
            E.link(rel="icon", href="data:,"),
            E.link(rel="stylesheet", href="static/docs.css"),
        ),
        E.body(
            E.header(
                E.h1("API documents"),
                E.nav({"id": "tabs", "aria-label": "documents", "data-testid": "tabs"}, *tabs),
                E.a(
                    "OpenAPI JSON",
                    {
                        "id": "raw",
                        "data-testid": "raw",
                        "href": _link(f"../openapi/{name}.json", token),
                    },
                ),
            ),
            main,
        ),
    )


def _operation(doc: JsonObject, path: str, method: str, operation: JsonObject) -> HtmlElement:
    from lxml.html.builder import E

    body = E.div({"class": "op-body"})
    if operation.get("description"):
        body.append(E.p(operation["description"], {"class": "intro"}))
    content = (operation.get("requestBody") or {}).get("content") or {}
    if content:
        media, first = next(iter(content.items()))
        body.append(E.h3("Request body (" + ", ".join(content) + ")"))
        body.append(_table(_fields(doc, first.get("schema", {}))))
        for title, example in (first.get("examples") or {}).items():
            body.append(E.h3(f"Example: {title} ({media})"))
            body.append(E.pre(json.dumps(example["value"], indent=2, ensure_ascii=False)))
    if operation.get("parameters"):
        body.append(E.h3("Parameters"))
        body.append(
            _table(
                [
                    (
                        p["name"],
                        f"{_type(doc, p.get('schema', {}))} ({p['in']})",
                        bool(p.get("required")),
                        _about(doc, p.get("schema", {})),
                    )
                    for p in operation["parameters"]
                ]
            )
        )
    for status, answer in (operation.get("responses") or {}).items():
        body.append(E.h3(f"Answer {status}: {answer.get('description', '')}"))
        for media, shown in (answer.get("content") or {}).items():
            body.append(E.p(media, {"class": "muted"}))
            for alternative in _alternatives(doc, shown.get("schema", {})):
                rows = _fields(doc, alternative)
                body.append(_table(rows) if rows else E.p(_type(doc, alternative)))
    return E.details(
        {"class": "op", "data-testid": "operation"},
        E.summary(
            E.span(method.upper(), {"class": f"method {method}"}),
            E.span(path, {"class": "path"}),
            E.span(_extra(path, operation.get("summary", "")), {"class": "muted"}),
        ),
        body,
    )


def _extra(path: str, summary: str) -> str:
    """What a summary says beyond the path it stands beside (server2sms's summary is the
    method's name, SerwerSMS's the action's: the row would say it twice)."""
    name = path.strip("/").removesuffix(".json").removesuffix(".xml")
    return summary.replace(name, "", 1).strip() if name else summary


Row = tuple[str, str, bool, str]


def _table(rows: list[Row]) -> HtmlElement:
    from lxml.html.builder import E

    return E.table(
        {"class": "fields", "data-testid": "fields"},
        E.thead(E.tr(E.th("field"), E.th("type"), E.th("required"), E.th("description"))),
        E.tbody(
            *[
                E.tr(E.td(E.code(name)), E.td(kind), E.td("yes" if required else ""), E.td(about))
                for name, kind, required, about in rows
            ]
        ),
    )


def _resolve(doc: JsonObject, schema: JsonObject) -> JsonObject:
    """A schema with its ``$ref`` followed and its ``allOf`` parts merged."""
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: JsonObject = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(doc, part)
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema


def _alternatives(doc: JsonObject, schema: JsonObject) -> list[JsonObject]:
    schema = _resolve(doc, schema)
    return [_resolve(doc, s) for s in schema["anyOf"]] if "anyOf" in schema else [schema]


def _fields(doc: JsonObject, schema: JsonObject, prefix: str = "", depth: int = 0) -> list[Row]:
    schema = _resolve(doc, schema)
    required = set(schema.get("required", ()))
    rows: list[Row] = []
    for name, sub in schema.get("properties", {}).items():
        sub = _resolve(doc, sub)
        rows.append((prefix + name, _type(doc, sub), name in required, _about(doc, sub)))
        if depth + 1 < DEPTH:
            rows += _nested(doc, sub, prefix + name, depth + 1)
    return rows


def _nested(doc: JsonObject, schema: JsonObject, name: str, depth: int) -> Iterator[Row]:
    if "properties" in schema:
        yield from _fields(doc, schema, name + ".", depth)
    items = schema.get("items")
    if isinstance(items, dict) and "properties" in _resolve(doc, items):
        yield from _fields(doc, items, name + "[].", depth)


def _type(doc: JsonObject, schema: JsonObject) -> str:
    schema = _resolve(doc, schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        text = " or ".join(kind)
    elif kind == "array":
        items = schema.get("items")
        text = f"array of {_type(doc, items)}" if isinstance(items, dict) else "array"
    elif kind:
        text = str(kind)
    elif "enum" in schema or "oneOf" in schema or "const" in schema:
        text = "one of the values"
    elif "anyOf" in schema:
        text = " or ".join(_type(doc, s) for s in schema["anyOf"])
    else:
        text = "any"
    return f"{text} ({schema['format']})" if "format" in schema else text


def _about(doc: JsonObject, schema: JsonObject) -> str:
    schema = _resolve(doc, schema)
    words = [str(schema.get("description", ""))]
    values = schema.get("enum") or [
        s["const"] for s in schema.get("oneOf", ()) if isinstance(s, dict) and "const" in s
    ]
    if values:
        words.append("values: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in values))
    if "default" in schema:
        words.append(f"default: {json.dumps(schema['default'], ensure_ascii=False)}")
    return "; ".join(w for w in words if w)
