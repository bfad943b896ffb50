"""The ``sw`` fixture: call a SerwerSMS.pl action in any encoding and format, schema-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from lxml import etree
from sw_support import form_encode, operation_of, xml_data

from emulator.testing.server import EmulatorServer
from emulator.validation import SchemaRegistry

Call = Callable[..., Any]


@pytest.fixture
def sw(
    server: EmulatorServer, control: Any, http: requests.Session, schemas: SchemaRegistry
) -> Call:
    """``sw("messages/send_sms", {...})`` → the answer as data, schema-checked.

    ``auth``: ``("user", "password")`` (default ``("shop", "secret")``), ``"bearer:<token>"``
    or None; ``fmt``: "json", "xml" or "" (no suffix); ``encoding``: "json", "form" or
    "query"."""

    def call(
        path: str,
        params: dict[str, Any] | None = None,
        *,
        auth: Any = ("shop", "secret"),
        fmt: str = "json",
        encoding: str = "json",
        raw: bool = False,
    ) -> Any:
        params = dict(params or {})
        headers = {}
        if isinstance(auth, tuple):
            params = {"username": auth[0], "password": auth[1], **params}
        elif isinstance(auth, str):
            headers["Authorization"] = "Bearer " + auth.removeprefix("bearer:")
        url = f"{server.url}/{path}" + (f".{fmt}" if fmt else "")
        if encoding == "json":
            answer = http.post(url, json=params, headers=headers)
        elif encoding == "form":
            answer = http.post(
                url,
                data=form_encode(params),
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            answer = http.get(url + "?" + form_encode(params), headers=headers)
        assert answer.status_code == 200, answer.text
        if raw:
            return answer
        if fmt == "xml":
            assert answer.headers["Content-Type"].startswith("application/xml")
            root = etree.fromstring(answer.content)
            assert root.tag in ("result", "error")
            data = xml_data(root)
            return {"error": data} if root.tag == "error" else data
        data = answer.json()
        operation = operation_of(path)
        if ("serwersms", operation, "response") not in schemas:  # an unknown action
            operation = "error.{code}"
        schemas.check("serwersms", operation, "response", data)
        return data

    return call
