"""The inbox as a person uses it, at a desktop width and at a phone's: views that never go
stale, filters and counts that agree with the API, failures in sight with a redeliver button,
search and paging, every width, a dark scheme. Each state is saved as a screenshot in
test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from test_inbox_browser import ARTIFACTS, browser, send  # noqa: F401 - the shared fixture

from emulator.testing.client import EmulatorClient
from emulator.testing.receiver import CallbackReceiver
from emulator.testing.server import EmulatorServer

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": (1280, 850), "phone": (390, 844)}


@pytest.fixture(params=list(WIDTHS))
def inbox(
    request: pytest.FixtureRequest,
    browser: Browser,  # noqa: F811
    server: EmulatorServer,
    control: EmulatorClient,
) -> Iterator[Page]:
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.width_name = request.param  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert errors == [], errors


def open_inbox(page: Page, server: EmulatorServer) -> None:
    page.goto(server.url + "/_emulator/ui/")
    expect(page.get_by_test_id("live")).to_have_text("live")


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"inbox-{name}-{page.width_name}.png"),  # type: ignore
        full_page=True,
    )


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_the_timeline_never_shows_another_conversations_message(
    inbox: Page, server: EmulatorServer, control: EmulatorClient
) -> None:
    send(server, "+41790000021", "for Anna")
    send(server, "+41790000022", "for Bert")
    open_inbox(inbox, server)
    first = inbox.get_by_test_id("phone").first
    expect(first).to_have_attribute("aria-current", "true")  # highlighted on load
    inbox.get_by_test_id("phone").filter(has_text="+41790000021").click()
    inbox.get_by_test_id("message").filter(has_text="for Anna").click()
    expect(inbox.get_by_test_id("timeline")).to_contain_text("to +41790000021")
    inbox.get_by_test_id("phone").filter(has_text="+41790000022").click()
    expect(inbox.get_by_test_id("timeline")).not_to_contain_text("+41790000021")
    expect(inbox.get_by_test_id("timeline")).to_contain_text("Pick a message")
    inbox.get_by_test_id("message").filter(has_text="for Bert").click()
    expect(inbox.get_by_test_id("timeline")).to_contain_text("to +41790000022")
    inbox.fill("#filter-text", "Anna")  # Bert's conversation leaves the screen
    expect(inbox.get_by_test_id("timeline")).to_contain_text("Pick a message")
    expect(inbox.get_by_test_id("phone")).to_have_count(1)
    expect(inbox.get_by_test_id("phone")).to_have_attribute("aria-current", "true")
    shot(inbox, "filtered")


def test_filters_and_counts_agree_with_the_api(
    inbox: Page, server: EmulatorServer, control: EmulatorClient
) -> None:
    send(server, "+41790000031", "will arrive")
    send(server, "+41790009991", "will not arrive")
    requests.post(
        server.url + "/messages/send_sms.json",
        json={"username": "shop", "password": "x", "phone": "500600700", "text": "Reply STOP"},
    )
    control.advance(5)
    control.inject_reply("serwersms", "shop", "500600700", "STOP")
    open_inbox(inbox, server)
    counts = inbox.get_by_test_id("counts")
    expect(counts).to_have_text("3 messages, 1 reply, 3 conversations")
    for status in ("delivered", "undelivered"):
        inbox.select_option("#filter-status", status)
        expected = len(control.messages(status=status))
        expect(counts).to_have_text(
            f"{expected} message{'s' if expected != 1 else ''}, 0 replies, "
            f"{expected} conversation{'s' if expected != 1 else ''}"
        )
        expect(inbox.get_by_test_id("reply")).to_have_count(0)  # a reply has no status
    inbox.select_option("#filter-status", "undelivered")
    expect(inbox.get_by_test_id("conversation")).not_to_contain_text("STOP")
    inbox.select_option("#filter-status", "")
    inbox.select_option("#filter-provider", "serwersms")
    expect(counts).to_have_text("1 message, 1 reply, 1 conversation")
    shot(inbox, "counts")


def test_a_failed_callback_is_in_sight_and_redelivered_from_its_button(
    inbox: Page, server: EmulatorServer, control: EmulatorClient, receiver: CallbackReceiver
) -> None:
    receiver.go_down()
    long_url = receiver.url + "/dlr/" + "x" * 120 + "?trn=<TRN>&s=<DST>"  # 200 at most
    send(server, "+41790000041:R41", "Your parcel is on its way", URLDeliveryNotification=long_url)
    control.advance(60)  # every try meets a closed port: the callback fails for good
    [job] = control.callbacks()
    assert job["state"] == "failed"
    open_inbox(inbox, server)
    bubble = inbox.get_by_test_id("message").filter(has_text="Your parcel")
    expect(bubble.get_by_test_id("badge")).to_have_text("callback failed")
    expect(inbox.get_by_test_id("phone").get_by_test_id("badge")).to_have_text("callback failed")
    bubble.click()
    timeline = inbox.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("callback")).to_contain_text("failed")
    no_horizontal_overflow(inbox)
    shot(inbox, "callback-failed")
    receiver.come_up()
    timeline.get_by_test_id("redeliver").click()
    [call] = receiver.wait_for(1)
    assert call.query["trn"] == "R41"
    expect(timeline.get_by_test_id("callback")).to_contain_text("delivered")
    expect(bubble.get_by_test_id("badge")).to_have_count(0)
    shot(inbox, "callback-redelivered")


def test_search_paging_json_and_curl(
    inbox: Page, server: EmulatorServer, control: EmulatorClient
) -> None:
    numbers = [f"+417900{i:05d}" for i in range(250)]
    answer = requests.post(
        server.url + "/SendTextSMS",
        json={
            "UserName": "bulk",
            "Password": "Hunter2-SECRET",
            "Recipients": numbers,
            "MessageText": "one of many",
        },
    ).json()
    assert answer["StatusCode"] == "1"
    open_inbox(inbox, server)
    expect(inbox.get_by_test_id("phone")).to_have_count(100)
    inbox.get_by_test_id("more").click()
    expect(inbox.get_by_test_id("phone")).to_have_count(200)
    inbox.fill("#filter-search", "0041 79 000 01 23")  # another spelling of +41790000123
    expect(inbox.get_by_test_id("phone")).to_have_count(1)
    expect(inbox.get_by_test_id("phone")).to_contain_text("+41790000123")
    inbox.get_by_test_id("message").first.click()
    timeline = inbox.get_by_test_id("timeline")
    message_id = control.sent_to("+41790000123")[0]["id"]
    expect(timeline.get_by_test_id("json-link")).to_have_attribute(
        "href", f"/_emulator/messages/{message_id}"
    )
    curl = timeline.get_by_test_id("curl")
    expect(curl).to_contain_text(f"curl -s -X POST '{server.url}/SendTextSMS'")
    expect(curl).to_contain_text('"Password":"***"')
    assert "Hunter2" not in inbox.content()
    no_horizontal_overflow(inbox)
    shot(inbox, "search")


def test_the_reply_dialog_suggests_serwersms_accounts_only(
    inbox: Page, server: EmulatorServer
) -> None:
    send(server, "+41790000051", "server2sms message")
    open_inbox(inbox, server)
    inbox.get_by_test_id("message").filter(has_text="server2sms message").click()
    inbox.get_by_role("button", name="Inject reply").click()
    expect(inbox.locator("#reply-form [name=account]")).to_have_value("")
    expect(inbox.locator("#reply-form [name=phone]")).to_have_value("+41790000051")


def test_the_header_clock_ticks_in_real_mode(
    inbox: Page, server: EmulatorServer, control: EmulatorClient
) -> None:
    control.set_clock("real")
    open_inbox(inbox, server)
    clock = inbox.get_by_test_id("clock-now")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first)  # waits for the next tick, no sleep


def test_dark_scheme_and_a_phone_width(
    browser: Browser,  # noqa: F811
    server: EmulatorServer,
    control: EmulatorClient,
) -> None:
    send(server, "+41790000061", "x" * 400)  # one long word
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page: Any = context.new_page()
    page.width_name = "phone-dark"
    open_inbox(page, server)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 17, 32)", background
    page.get_by_test_id("message").first.click()
    no_horizontal_overflow(page)
    boxes = [page.get_by_test_id(n).bounding_box() for n in ("phones", "conversation", "timeline")]
    assert all(box and box["width"] > 300 for box in boxes), "one column, full width"
    shot(page, "dark")
    context.close()


def test_undelivered_time_zones_and_counts(
    browser: Browser,  # noqa: F811
    server: EmulatorServer,
    control: EmulatorClient,
) -> None:
    """A conversation says a message was not delivered (not only that a callback waits),
    times carry their zone, and a conversation's count is of messages, replies apart."""
    send(server, "+48500009991", "will not arrive")
    send(server, "+48500600700", "will arrive")
    control.advance(5)
    control.inject_reply("serwersms", "shop", "+48500600700", "thanks")
    context = browser.new_context(
        viewport={"width": 1280, "height": 850}, timezone_id="Europe/Warsaw"
    )
    page = context.new_page()
    try:
        open_inbox(page, server)
        lost = page.get_by_test_id("phone").filter(has_text="+48500009991")
        expect(lost.get_by_test_id("undelivered")).to_have_text("1 not delivered")
        arrived = page.get_by_test_id("phone").filter(has_text="+48500600700")
        expect(arrived.get_by_test_id("undelivered")).to_have_count(0)
        expect(arrived.get_by_test_id("count")).to_have_text("1 message · 1 reply")
        expect(page.get_by_test_id("counts")).to_have_text("2 messages, 1 reply, 2 conversations")
        arrived.click()
        meta = page.get_by_test_id("message").first
        expect(meta).to_contain_text("UTC+01:00")  # Warsaw in December
        expect(page.get_by_test_id("clock-now")).to_contain_text("UTC+01:00")
        page.get_by_test_id("message").first.click()
        expect(page.get_by_test_id("history")).to_contain_text("UTC+01:00")
    finally:
        context.close()


def test_a_phone_screen_keeps_the_messages_in_sight(
    browser: Browser,  # noqa: F811
    server: EmulatorServer,
    control: EmulatorClient,
) -> None:
    """At 390×844 the header and filters take under a third of the screen, the search
    placeholder fits, and an opened message's timeline comes into view."""
    for n in range(4):
        send(server, f"+4179000003{n}", f"parcel {n} " * 8)
    control.advance(5)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_inbox(page, server)
        assert (
            page.evaluate("document.querySelector('.filters').getBoundingClientRect().bottom")
            < 844 / 3
        )
        assert page.evaluate("""(() => {
            const input = document.getElementById('filter-search');
            const style = getComputedStyle(input);
            const context = document.createElement('canvas').getContext('2d');
            context.font = style.font;
            const room = input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return context.measureText(input.placeholder).width <= room;
        })()""")
        page.get_by_test_id("message").first.click()
        expect(page.get_by_test_id("history")).to_be_visible()
        top = page.evaluate("document.getElementById('timeline').getBoundingClientRect().top")
        assert 0 <= top < 844 / 2, top
        no_horizontal_overflow(page)
        page.screenshot(path=str(ARTIFACTS / "inbox-timeline-phone.png"))
    finally:
        context.close()


def test_each_message_says_what_it_costs_and_marks_the_characters_to_blame(
    inbox: Page, server: EmulatorServer
) -> None:
    """A curly apostrophe and a Polish letter make a text UCS-2: the bubble says so, marks
    them with their GSM-7 stand-ins, and what it would take as GSM-7; the timeline says what
    was charged."""
    text = "Your order’s on its way to Łódź. " * 3  # 99 characters: 2 parts as UCS-2
    send(server, "+41790000071", text)
    open_inbox(inbox, server)
    bubble = inbox.get_by_test_id("message").first
    expect(bubble.get_by_test_id("cost")).to_have_text(
        "2 parts · UCS-2 because of ’ (10, 43, 76), Ł (27, 60, 93), ó (28, 61, 94), "
        "ź (30, 63, 96) · as GSM-7: 1 part"
    )
    culprits = bubble.get_by_test_id("culprit")
    expect(culprits).to_have_count(12)
    expect(culprits.first).to_have_text("’")
    expect(culprits.first).to_have_attribute("title", "U+2019 → '")
    bubble.click()
    expect(inbox.get_by_test_id("cost-detail")).to_contain_text("charged 2 credits; as GSM-7 1")
    no_horizontal_overflow(inbox)
    shot(inbox, "cost")


def test_the_cost_line_in_the_dark_scheme(
    browser: Browser,  # noqa: F811
    server: EmulatorServer,
    control: EmulatorClient,  # a clean emulator
) -> None:
    send(server, "+41790000072", "Price: 10€ – thanks")
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page: Any = context.new_page()
    page.width_name = "phone-dark"
    open_inbox(page, server)
    culprit = page.get_by_test_id("culprit").first
    expect(culprit).to_have_text("–")
    mark = page.evaluate("getComputedStyle(document.querySelector('mark.culprit')).backgroundColor")
    assert mark == "rgb(127, 29, 29)", mark  # the dark scheme's own, readable on its bubble
    expect(page.get_by_test_id("doubled")).to_have_count(0)  # € costs 1 unit in UCS-2
    no_horizontal_overflow(page)
    shot(page, "cost-dark")
    context.close()
