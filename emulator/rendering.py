"""JSON and XML renderers. They know nothing about providers: handlers hand them data.

XML follows the shape SerwerSMS.pl documents: a root element, one child element per key, a list
as an element holding ``<item>`` children, booleans as ``1``/``0`` and ``None`` as an empty
element. lxml does the escaping, so any text is safe to render.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import orjson
from aiohttp import web

if TYPE_CHECKING:
    from lxml.etree import _Element

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8"}
_XML_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)} | {0xFFFE: None, 0xFFFF: None}


def dump_json(data: object) -> bytes:
    """JSON bytes. A lone surrogate (a header or path byte that was not UTF-8, echoed in an
    error) cannot be UTF-8; it is written as ``?`` instead of failing the answer."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "replace"
        )


def json_response(
    data: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=dump_json(data),
        status=status,
        headers={**JSON_HEADERS, **headers} if headers else JSON_HEADERS,
    )


def _xml_text(value: object) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    text = str(value)
    # XML 1.0 cannot carry most control characters or lone surrogates; drop them.
    text = text.translate(_XML_ILLEGAL)
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _fill(element: _Element, value: object, sub: Callable[[_Element, str], _Element]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(sub(element, _tag(key)), item, sub)
    elif isinstance(value, list | tuple):
        for item in value:
            _fill(sub(element, "item"), item, sub)
    elif value is not None:
        element.text = _xml_text(value)


def _tag(key: object) -> str:
    name = str(key)
    if name[:1].isdigit() or not name.replace("_", "").isalnum():
        return "item"
    return name


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(data: object, root: str = "result") -> bytes:
    from lxml import etree  # imported when the first XML answer is rendered

    element = etree.Element(root)
    _fill(element, data, etree.SubElement)
    return XML_DECLARATION + etree.tostring(element, encoding="UTF-8")


def xml_response(
    data: object,
    root: str = "result",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    return web.Response(
        body=to_xml(data, root),
        status=status,
        headers={**XML_HEADERS, **headers} if headers else XML_HEADERS,
    )
