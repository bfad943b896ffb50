"""A tiny application that texts its customers through SerwerSMS.pl."""

import json
import urllib.request


def notify(api_url: str, phone: str, text: str) -> dict:
    body = json.dumps(
        {"username": "shop", "password": "secret", "phone": phone, "text": text, "details": True}
    ).encode()
    request = urllib.request.Request(
        api_url + "/messages/send_sms.json", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())
