"""payments/*: invoices listed, viewed, and downloaded as a (small, valid) PDF."""

from __future__ import annotations

from aiohttp import web

from ....core.jsondata import Document
from .. import wire
from ..endpoint import Call, account_state, by_id
from ..models import Payment


def payment_item(payment: Payment) -> Document:
    return {
        "id": payment.id,
        "number": payment.number,
        "state": payment.state,
        "paid": payment.paid,
        "total": payment.total,
        "payment_to": payment.payment_to,
        "url": payment.url,
    }


def _payment(call: Call) -> Payment:
    return by_id(call, account_state(call).payments, "payment")


def index(call: Call) -> Document:
    rows = [payment_item(p) for p in account_state(call).payments.values()]
    page, paging = wire.paging(rows, call.params)
    return {"paging": paging, "items": page}


def view(call: Call) -> Document:
    return payment_item(_payment(call))


def invoice(call: Call) -> web.Response:
    payment = _payment(call)
    return web.Response(
        body=invoice_pdf(payment),
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{payment.number.replace("/", "_")}.pdf"'
        },
    )


def invoice_pdf(payment: Payment) -> bytes:
    """A one-page PDF 1.4 with the invoice's number and amounts; offsets computed, so any PDF
    reader opens it."""
    lines = [
        f"Faktura {payment.number}",
        f"Kwota: {payment.total:.2f} PLN",
        f"Zaplacono: {payment.paid:.2f} PLN",
        f"Termin platnosci: {payment.payment_to}",
    ]
    text = " ".join(f"({line}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
