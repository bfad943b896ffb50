"""``--tls``: a certificate authority kept for good, and a server certificate made on the spot.

Clients that insist on HTTPS trust the printed CA file (``ca.pem``). The CA (``ca.pem`` and
its key ``ca-key.pem``) lives in ``--tls-dir`` or, without it, in the user's cache folder
(``$XDG_CACHE_HOME/sms-gateway-emulator/tls``), and is reused on every start: a CI job or a
developer trusts it once. Each start issues a fresh server certificate for the names it serves.
Private keys are created with mode 0600 from their first byte, never chmod-ed afterwards.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .files import write_atomically, write_private

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server-key.pem"
CA_WAIT = 10.0  # seconds another process may take to finish writing a CA it started


DEFAULT_DIR_SHOWN = ("~/.cache/sms-gateway-emulator/tls, or $XDG_CACHE_HOME/"
                     "sms-gateway-emulator/tls when that is set")


def default_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sms-gateway-emulator" / "tls"


def _names(host: str) -> list[str]:
    names = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    if host not in ("", "0.0.0.0", "::") and host not in names:
        names.append(host)
    return names


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_cert(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _new_ca(folder: Path) -> None:
    """Create the CA unless another process is already at it (then wait for its files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    try:
        write_private(folder / CA_KEY_FILE, _pem_key(key), exclusive=True)
    except FileExistsError:
        deadline = time.monotonic() + CA_WAIT
        while not (folder / CA_FILE).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not (folder / CA_FILE).exists():  # left half-made by a process that died
            (folder / CA_KEY_FILE).unlink(missing_ok=True)
            _new_ca(folder)
        return
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sms-gateway-emulator CA")])
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
          .public_key(key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(key, hashes.SHA256()))
    write_atomically(folder / CA_FILE, _pem_cert(ca))


def _server_pair(folder: Path, host: str) -> tuple[bytes, bytes]:
    """A server certificate (with the CA after it) and its key, signed by the folder's CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_pem = (folder / CA_FILE).read_bytes()
    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key((folder / CA_KEY_FILE).read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    alternative: list[x509.GeneralName] = []
    for name in _names(host):
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return _pem_cert(cert) + ca_pem, _pem_key(key)


def make_server_context(directory: str | None, host: str) -> tuple[ssl.SSLContext, Path]:
    """An SSL context for the server, and the path of the CA certificate clients should trust."""
    folder = Path(directory) if directory else default_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not (folder / CA_FILE).exists() or not (folder / CA_KEY_FILE).exists():
        (folder / CA_FILE).unlink(missing_ok=True)  # a CA without its key cannot sign
        _new_ca(folder)
    cert, key = _server_pair(folder, host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    private = Path(tempfile.mkdtemp(prefix="sms-emulator-tls-"))  # mode 0700, this process's
    try:
        write_atomically(private / CERT_FILE, cert)
        write_private(private / KEY_FILE, key)
        context.load_cert_chain(private / CERT_FILE, private / KEY_FILE)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return context, folder / CA_FILE
