"""OpenAPI 3.1 documents of both gateways and of the control API, generated from ``schemas/``
and the route tables (one source of truth; nothing here is written by hand per operation).

* ``server2sms``: ``POST /<Method>`` for every method, the request and answer schemas, the
  StatusCode table as a documented enumeration, the 4xx transport answers.
* ``serwersms``: every action at ``/<group>/<action>``, ``.json`` and ``.xml`` (documented media
  types), Bearer and username/password authentication, the error envelope and its code table.
* ``control``: every route of :data:`emulator.control.routes.ROUTES`.

Each JSON schema becomes a component (its ``$schema`` dropped: an OpenAPI 3.1 document is one
JSON Schema 2020-12 dialect already); descriptions and examples come from the schemas, which
carry the seeds' wording and documented examples.
"""

from __future__ import annotations

import copy
import re

from . import __version__
from .control.routes import PREFIX, ROUTES
from .core.jsondata import JsonObject
from .providers.server2sms.errors import STATUS_CODES
from .providers.server2sms.routes import OPERATIONS as SERVER2SMS
from .providers.serwersms.errors import ERRORS
from .providers.serwersms.routes import OPERATIONS as SERWERSMS
from .validation import SchemaRegistry

NAMES = ("server2sms", "serwersms", "control")
OPENAPI = "3.1.0"
PUBLIC = {"server2sms": "https://json.server2sms.com", "serwersms": "https://api2.serwersms.pl"}
JSON = "application/json"


def _component(schemas: SchemaRegistry, provider: str, operation: str, kind: str) -> JsonObject:
    schema = copy.deepcopy(schemas.schema(provider, operation, kind))  # the registry's stays
    schema.pop("$schema", None)
    return schema


def _hoisted(schema: JsonObject, components: JsonObject) -> JsonObject:
    """``schema`` with its ``$defs`` moved into the document's components (a ``$ref`` inside
    an OpenAPI component points into the whole document, not the component)."""
    defs = schema.pop("$defs", {})

    def moved(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else moved(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [moved(v) for v in value]
        return value

    for name, definition in defs.items():
        components[name] = moved(definition)
    result: JsonObject = moved(schema)  # type: ignore[assignment]
    return result


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(
    schema: JsonObject, media_types: tuple[str, ...], examples: list[object] | None
) -> JsonObject:
    content: JsonObject = {}
    for media in media_types:
        content[media] = {"schema": schema}
        if examples:
            content[media]["examples"] = {
                f"documented{i or ''}": {"value": example} for i, example in enumerate(examples)
            }
    return {"content": content}


def _info(title: str, description: str) -> JsonObject:
    return {
        "title": title,
        "version": __version__,
        "description": description,
        "license": {"name": "MIT", "identifier": "MIT"},
    }


def server2sms(schemas: SchemaRegistry, servers: list[JsonObject]) -> JsonObject:
    components: JsonObject = {
        "StatusCode": {
            "description": "The server2sms status codes, as strings, with their texts.",
            "oneOf": [{"const": code, "title": text} for code, text in STATUS_CODES.items()],
        },
        "Status": {
            "type": "object",
            "properties": {"StatusCode": _ref("StatusCode"), "StatusInfo": {"type": "string"}},
            "required": ["StatusCode", "StatusInfo"],
        },
    }
    paths: JsonObject = {}
    for method in SERVER2SMS:
        request = _component(schemas, "server2sms", method, "request")
        components[f"{method}.request"] = request
        components[f"{method}.response"] = _component(schemas, "server2sms", method, "response")
        answer = {
            "allOf": [
                _ref(f"{method}.response"),
                {"properties": {"StatusCode": _ref("StatusCode")}},
            ]
        }
        paths[f"/{method}"] = {
            "post": {
                "operationId": method,
                "summary": method,
                "description": (
                    request.get("description", "") + "\n\nThe body is read as JSON "
                    "whatever the Content-Type says (the documented jQuery examples "
                    "send a form content type)."
                ),
                "requestBody": {
                    "required": True,
                    **_body(_ref(f"{method}.request"), (JSON,), request.get("examples")),
                },
                "responses": {
                    "200": {
                        "description": "The answer; errors too, in StatusCode/StatusInfo",
                        **_body(answer, (JSON,), None),
                    },
                    "4XX": {
                        "description": "A body that is not a JSON object (400), too large "
                        "(413), an unknown method (404), not POST (405); the "
                        "reason is in X-Emulator-Error",
                        **_body(_ref("Status"), (JSON,), None),
                    },
                    "508": {
                        "description": "The emulator's own callback, refused (it would loop)",
                        **_body(_ref("Status"), (JSON,), None),
                    },
                },
            }
        }
    return {
        "openapi": OPENAPI,
        "info": _info(
            "server2sms JSON API",
            "The server2sms JSON API (json.server2sms.com) "
            "as sms-gateway-emulator serves it: every method is POST /<Method> with "
            "a JSON body; every answer value is a string.",
        ),
        "servers": servers,
        "paths": paths,
        "components": {"schemas": components},
    }


def _sw_paths(name: str) -> list[str]:
    """Where an action is served: no suffix and ``.json`` answer JSON, ``.xml`` XML."""
    return [f"/{name}", f"/{name}.json", f"/{name}.xml"]


def serwersms(schemas: SchemaRegistry, servers: list[JsonObject]) -> JsonObject:
    error_table = "\n".join(f"* {code} {kind}: {text}" for code, (kind, text) in ERRORS.items())
    error = _component(schemas, "serwersms", "error.{code}", "response")
    error["description"] = (
        "Every error, with HTTP 200 (XML: root <error>). Codes:\n\n" + error_table
    )
    error["properties"]["error"]["properties"]["code"] = {
        "oneOf": [
            {"const": code, "title": f"{kind}: {text}"} for code, (kind, text) in ERRORS.items()
        ]
    }
    components: JsonObject = {"Error": error}
    paths: JsonObject = {}
    for name, operation in SERWERSMS.items():
        key = operation.name.replace("/", ".")
        component = key.replace("{code}", "code")  # names allow no braces
        if f"{component}.request" not in components:
            components[f"{component}.request"] = _component(schemas, "serwersms", key, "request")
            components[f"{component}.response"] = _component(schemas, "serwersms", key, "response")
        request = components[f"{component}.request"]
        alias = f" (another spelling of {operation.name})" if name != operation.name else ""
        for path in _sw_paths(name):
            xml = path.endswith(".xml")
            success = (
                {
                    "application/pdf": {
                        "schema": {"type": "string", "contentMediaType": "application/pdf"}
                    }
                }
                if operation.name == "payments/invoice" and not xml
                else {}
            )
            answer = (
                {"application/xml": {"schema": {"type": "string"}}}
                if xml
                else {JSON: {"schema": {"anyOf": [_ref(f"{component}.response"), _ref("Error")]}}}
            )
            slug = re.sub(r"[^A-Za-z0-9]+", "_", path.strip("/"))
            entry: JsonObject = {
                "operationId": slug,
                "summary": f"{operation.name}{alias}" + (" (XML)" if xml else ""),
                "description": request.get("description", ""),
                "requestBody": _body(
                    _ref(f"{component}.request"),
                    (JSON, "application/x-www-form-urlencoded"),
                    None if xml else request.get("examples"),
                ),
                "responses": {
                    "200": {
                        "description": "The answer, or the error envelope",
                        "content": {**answer, **success},
                    },
                    "508": {
                        "description": "The emulator's own callback, refused",
                        "content": answer,
                    },
                },
            }
            if not operation.authenticated:
                entry["security"] = []
            if "{code}" in path:
                entry["parameters"] = [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": r"^[^/.]+$"},
                    }
                ]
            paths[path] = {"post": entry}
    return {
        "openapi": OPENAPI,
        "info": _info(
            "SerwerSMS.pl HTTPS API v2",
            "The SerwerSMS.pl HTTPS API v2 "
            "(api2.serwersms.pl) as sms-gateway-emulator serves it: POST "
            "/<group>/<action>, JSON by default, XML with .xml. Parameters may also "
            "come as a form or multipart body, or in the query string. Every answer "
            "is HTTP 200, errors included (the error envelope).",
        ),
        "servers": servers,
        "security": [{"bearer": []}, {"username": [], "password": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (the demo account: 'demo')",
                },
                "username": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "username",
                    "description": "Or in the body, with password",
                },
                "password": {"type": "apiKey", "in": "query", "name": "password"},
            },
        },
    }


def control(schemas: SchemaRegistry, servers: list[JsonObject]) -> JsonObject:
    components: JsonObject = {"error": _component(schemas, "control", "error", "response")}
    paths: JsonObject = {}
    for route in ROUTES:
        entry: JsonObject = {
            "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{route.method} {route.path}")
            .strip("_")
            .lower(),
            "summary": route.summary,
        }
        parameters = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in re.findall(r"{(\w+)}", route.path)
        ]
        parameters += [
            {"name": name, "in": "query", "schema": schema} for name, schema in route.query.items()
        ]
        if parameters:
            entry["parameters"] = parameters
        if route.request:
            request = _hoisted(_component(schemas, "control", route.request, "request"), components)
            components[f"{route.request}.request"] = request
            empty_ok = not any(schemas.errors("control", route.request, "request", {}))
            entry["requestBody"] = {
                "required": not empty_ok,
                **_body(_ref(f"{route.request}.request"), (JSON,), None),
            }
        if route.response:
            components[f"{route.response}.response"] = _hoisted(
                _component(schemas, "control", route.response, "response"), components
            )
            answer = _body(_ref(f"{route.response}.response"), (JSON,), None)
        elif route.media_type == JSON:
            answer = _body({"type": "object"}, (JSON,), None)
        else:
            answer = {"content": {route.media_type: {"schema": {"type": "string"}}}}
        responses: JsonObject = {
            str(status): {"description": route.summary, **answer}
            for status in (route.status, *route.also)
        }
        if route.waits:
            responses["408"] = {
                "description": "Timed out: what matched, and error.matched",
                **answer,
            }
        responses["4XX"] = {
            "description": "Refused: the error says why",
            **_body(_ref("error"), (JSON,), None),
        }
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = entry
        entry["responses"] = responses
    return {
        "openapi": OPENAPI,
        "info": _info(
            "sms-gateway-emulator control API",
            "The emulator's own API under "
            "/_emulator/: inspect messages and callbacks, steer the clock, rules, "
            'faults and accounts. Errors are {"error": {"message", "field"}}.',
        ),
        "servers": servers,
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Only when the emulator runs with a control token",
                }
            },
        },
    }


DEFAULT_BASE = "http://127.0.0.1:8080"


def servers(name: str, base_url: str | None) -> list[JsonObject]:
    """A document's servers: always the emulator first (``base_url`` when it serves the
    document, else a ``{base}`` variable whose default is the emulator's default address, so
    a file written by ``openapi --out`` and imported into Postman never points at production
    first), then the real gateway."""
    first: JsonObject = (
        {"url": base_url, "description": "this emulator"}
        if base_url
        else {
            "url": "{base}",
            "description": "the emulator",
            "variables": {
                "base": {"default": DEFAULT_BASE, "description": "where the emulator serves"}
            },
        }
    )
    public = [{"url": PUBLIC[name], "description": "the real gateway"}] if name in PUBLIC else []
    return [first, *public]


def document(name: str, schemas: SchemaRegistry, base_url: str | None = None) -> JsonObject:
    build = {"server2sms": server2sms, "serwersms": serwersms, "control": control}[name]
    return build(schemas, servers(name, base_url))
