"""Names for JSON data, so that the places where a type checker cannot follow a value are
named once, with the reason.

A ``JsonObject`` is a JSON object the emulator *reads*: a request's parameters (after their
schema accepted them), a control API body, a fixture file. What type each value has is said by
the schema or the fixture, which a static checker cannot see; so the values are ``Any``, and the
code that reads a field converts it on the way in (``wire.text``, ``wire.flag``, ...).

A ``Document`` is a JSON object the emulator *builds* to answer with: values only go in and are
serialised, never read back as a particular type, so ``object`` is exact and no ``Any`` is
needed.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
Document = dict[str, object]
