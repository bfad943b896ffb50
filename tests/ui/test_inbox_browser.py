"""The web inbox in a real headless Chromium (Debian's), driven by Playwright.

These tests fail, not skip, when Chromium is missing: `.ci/run` installs it
(`apt-get install chromium`). Set CHROMIUM to use another binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is needed for the web inbox tests: apt-get install chromium "
            "(bash .ci/run does it), or set CHROMIUM=/path/to/chromium"
        )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: EmulatorServer, control: EmulatorClient) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1300, "height": 760})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server.url + "/_emulator/ui/")
    expect(page.get_by_test_id("live")).to_have_text("live")
    yield page
    context.close()
    assert errors == [], errors


def send(server: EmulatorServer, recipient: str, text: str, **fields: Any) -> None:
    answer = requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": "alice",
            "Password": "pw",
            "Recipients": [recipient],
            "MessageText": text,
            "Originator": "Shop",
            **fields,
        },
    ).json()
    assert answer["StatusCode"] == "1"


def test_a_message_appears_without_reload_with_its_timeline(
    page: Page, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    send(
        server,
        "+41790000000:T1",
        "Your parcel is on its way",
        URLDeliveryNotification=receiver.url + "/dlr?trn=<TRN>&dst=<DST>",
    )
    bubble = page.get_by_test_id("message").filter(has_text="Your parcel is on its way")
    expect(bubble).to_be_visible()
    expect(bubble.get_by_test_id("status")).to_have_text("queued")
    control.advance(1)
    expect(bubble.get_by_test_id("status")).to_have_text("delivered")
    bubble.click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("history")).to_contain_text("delivered")
    expect(timeline.get_by_test_id("attempt")).to_contain_text("200")
    expect(timeline.get_by_test_id("callbacks")).to_contain_text(receiver.url + "/dlr?trn=T1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)
    assert (ARTIFACTS / "inbox.png").stat().st_size > 10_000


def test_messages_are_grouped_by_phone(page: Page, server: EmulatorServer) -> None:
    send(server, "+41790000001", "first to one")
    send(server, "+41790000002", "to two")
    send(server, "+41790000001", "second to one")
    phones = page.get_by_test_id("phone")
    expect(phones).to_have_count(2)
    phones.filter(has_text="+41790000001").click()
    expect(page.get_by_test_id("conversation").get_by_test_id("message")).to_have_count(2)


def test_text_is_shown_as_text_never_as_html(page: Page, server: EmulatorServer) -> None:
    hostile = "<img src=x onerror=\"document.title='pwned'\"><script>alert(1)</script><b>bold</b>"
    send(server, "+41790000003", hostile)
    bubble = page.get_by_test_id("message").filter(has_text="<b>bold</b>")
    expect(bubble).to_be_visible()
    assert page.locator("#conversation img, #conversation script, #conversation b").count() == 0
    assert page.title() != "pwned"


def test_buttons_advance_the_clock_inject_a_reply_and_reset(
    page: Page, server: EmulatorServer, control: EmulatorClient
) -> None:
    send(server, "+41790000004", "deliver me")
    bubble = page.get_by_test_id("message").filter(has_text="deliver me")
    expect(bubble.get_by_test_id("status")).to_have_text("queued")
    page.fill("#advance-seconds", "5")
    page.get_by_role("button", name="Advance clock").click()
    expect(bubble.get_by_test_id("status")).to_have_text("delivered")

    page.get_by_role("button", name="Inject reply").click()
    page.fill("#reply-form [name=account]", "shop")
    page.fill("#reply-form [name=phone]", "500600700")
    page.fill("#reply-form [name=text]", "Yes, please")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("reply").filter(has_text="Yes, please")).to_be_visible()
    assert control.replies()[0]["text"] == "Yes, please"

    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_test_id("message")).to_have_count(0)
    expect(page.get_by_test_id("reply")).to_have_count(0)
    assert control.messages() == []


def test_filters(page: Page, server: EmulatorServer) -> None:
    send(server, "+41790000005", "apples")
    requests.post(
        server.url + "/messages/send_sms",
        json={"username": "shop", "password": "x", "phone": "500600700", "text": "pears"},
    )
    expect(page.get_by_test_id("phone")).to_have_count(2)
    page.select_option("#filter-provider", "serwersms")
    expect(page.get_by_test_id("phone")).to_have_count(1)
    expect(page.get_by_test_id("phone")).to_contain_text("+48500600700")
    page.select_option("#filter-provider", "")
    page.fill("#filter-text", "apple")
    expect(page.get_by_test_id("phone")).to_have_count(1)
    expect(page.get_by_test_id("counts")).to_have_text("1 message, 0 replies, 1 conversation")


def test_the_inbox_says_when_a_token_is_needed_and_works_with_the_printed_address(
    browser: Browser, make_sms_emulator: Any
) -> None:
    from emulator.cli import inbox_url

    emulator = make_sms_emulator(control_token="s3cret")
    context = browser.new_context(viewport={"width": 1000, "height": 600})
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.goto(emulator.url + "/_emulator/ui/")
    expect(page.get_by_test_id("refused")).to_contain_text("Token required")
    expect(page.get_by_test_id("live")).to_have_text("token required")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox-token-required.png"))
    page.goto(inbox_url(emulator.url, "s3cret"))
    expect(page.get_by_test_id("live")).to_have_text("live")
    send(emulator.server, "+41790000009", "with a token")
    expect(page.get_by_test_id("message").filter(has_text="with a token")).to_be_visible()
    context.close()
    assert csp_violations == []


def test_the_api_documents_render_offline(browser: Browser, server: EmulatorServer) -> None:
    """Rendered by the emulator: no script, no timer, no CDN, so a plain headless screenshot
    (here: JavaScript off) shows the documents; rows do not repeat the name; request bodies
    are tables of fields."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    elsewhere: list[str] = []

    def only_the_emulator(route: Any) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:  # no CDN, no font service: nothing but the emulator may be asked
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_emulator)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/_emulator/docs/")
    expect(page.get_by_test_id("title")).to_have_text("server2sms JSON API")
    expect(page.get_by_test_id("operation")).to_have_count(14)
    check = page.get_by_test_id("operation").filter(has_text="/CheckCredits")
    expect(check.locator("summary")).to_have_text("POST/CheckCredits")  # not "CheckCredits" twice
    check.locator("summary").click()
    fields = check.get_by_test_id("fields").first
    expect(fields.locator("tr").filter(has_text="UserName")).to_contain_text("yes")
    expect(check).not_to_contain_text('"properties"')  # a table, not raw JSON Schema
    page.get_by_test_id("tab").filter(has_text="serwersms").click()
    expect(page.get_by_test_id("title")).to_have_text("SerwerSMS.pl HTTPS API v2")
    send = page.get_by_test_id("operation").filter(has_text="/messages/send_sms.json")
    expect(send.locator("summary")).to_have_text("POST/messages/send_sms.json")
    send.locator("summary").click()
    expect(send).to_contain_text("This is a test message from SerwerSMS.pl")
    expect(send.get_by_test_id("fields").first).to_contain_text("phone")
    xml = page.get_by_test_id("operation").filter(has_text="/messages/send_sms.xml")
    expect(xml.locator("summary")).to_have_text("POST/messages/send_sms.xml(XML)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    page.get_by_test_id("tab").filter(has_text="control").click()
    expect(
        page.get_by_test_id("operation").filter(has_text="/_emulator/clock/advance")
    ).to_have_count(1)
    context.close()
    assert elsewhere == [] and errors == []
