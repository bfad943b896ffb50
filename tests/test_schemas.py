"""The schemas themselves: valid JSON Schema, and one request and one response per operation."""

from __future__ import annotations

from collections import defaultdict

from emulator.providers.server2sms.routes import OPERATIONS as S2S
from emulator.providers.serwersms.routes import ALIASES
from emulator.providers.serwersms.routes import OPERATIONS as SW
from emulator.validation import SchemaRegistry, check_schemas


def test_every_schema_is_valid_json_schema() -> None:
    assert check_schemas() > 100


def test_every_operation_has_a_request_and_a_response_schema(schemas: SchemaRegistry) -> None:
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for provider, operation, kind in schemas.operations():
        kinds[(provider, operation)].add(kind)
    for name in S2S:
        assert kinds[("server2sms", name)] == {"request", "response"}, name
    for name in set(SW) - set(ALIASES):
        assert kinds[("serwersms", name.replace("/", "."))] == {"request", "response"}, name
    assert all(kinds[key] == {"request", "response"} for key in kinds if key[0] != "control"), (
        "no orphan schema"
    )


def test_the_rule_schema_names_exactly_the_outcomes_of_the_table() -> None:
    """The control schema lists the outcome names so that documents and clients see them;
    it must follow fixtures/outcomes.json."""
    from emulator.resources import load_fixture
    from emulator.validation import SchemaRegistry

    schema = SchemaRegistry().schema("control", "rule.create", "request")
    assert schema["properties"]["outcome"]["enum"] == list(
        load_fixture("outcomes.json")["outcomes"]
    )
