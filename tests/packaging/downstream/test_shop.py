"""The downstream project's tests: the plugin comes with the installed wheel, nothing else."""

import os

import pytest
import shop


def record(sms_emulator):
    """Which emulator served which xdist worker (the outer test reads this file)."""
    path = os.environ.get("WORKERS_FILE")
    if path:
        with open(path, "a") as handle:
            handle.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {sms_emulator.url}\n")


@pytest.mark.parametrize("order", range(8))
def test_each_order_is_texted_once(sms_emulator, order):
    record(sms_emulator)
    answer = shop.notify(sms_emulator.url, "500600700", f"Order {order} shipped")
    assert answer["queued"] == 1
    [sms] = sms_emulator.assert_sent("+48500600700")  # never another test's message
    assert sms["text"] == f"Order {order} shipped"


def test_delivery_report_reaches_the_shop(sms_emulator, sms_callback_receiver):
    sms_emulator.account(
        "serwersms",
        "shop",
        password="secret",
        dlr_url=sms_callback_receiver.url + "/dlr?id=#SMSID#&status=#STAN#",
    )
    sent = shop.notify(sms_emulator.url, "500600700", "Parcel on its way")
    sms_emulator.advance(5)
    [report] = sms_callback_receiver.wait_for(1)
    assert report.query == {"id": sent["items"][0]["id"], "status": "delivered"}
