"""Helpers for the SerwerSMS.pl tests: operation names, XML read back as data, PHP form bodies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from lxml import etree

ALIASES = {
    "messages/received": "messages/recived",
    "messages/sendNd": "messages/send_nd",
    "messages/sendNdi": "messages/send_ndi",
}


def operation_of(path: str) -> str:
    path = ALIASES.get(path, path)
    return "error.{code}" if path.startswith("error/") else path.replace("/", ".")


def xml_data(element: etree._Element) -> Any:
    """XML as the gateway writes it, read back: ``<item>`` children → a list, other children →
    a dict, text → a string (``None`` for an empty element)."""
    children = list(element)
    if not children:
        return element.text
    if all(child.tag == "item" for child in children) and element.tag != "result":
        return [xml_data(child) for child in children]
    return {child.tag: xml_data(child) for child in children}


def as_xml_values(value: Any) -> Any:
    """What JSON data looks like once written as XML and read back with xml_data()."""
    if isinstance(value, dict):
        return {k: as_xml_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_xml_values(v) for v in value] or None
    if value is True:
        return "1"
    if value is False:
        return "0"
    if value is None or value == "":
        return None
    return str(value)


def form_encode(params: dict[str, Any]) -> str:
    """A PHP ``http_build_query`` body: nested arrays as ``a[0][b]=…``, booleans as 1/0."""
    pairs: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                add(f"{prefix}[{k}]", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                add(f"{prefix}[{i}]", v)
        elif value is None:
            return
        else:
            pairs.append((prefix, "1" if value is True else "0" if value is False else str(value)))

    for key, value in params.items():
        add(key, value)
    return urlencode(pairs)
