"""``--tls``: a certificate authority kept for good, and a server certificate made on the spot.

Clients that insist on HTTPS trust the printed CA file (``ca.pem``). The CA (``ca.pem`` and
its key ``ca-key.pem``) lives in ``--tls-dir`` or, without it, in the user's cache folder
(``$XDG_CACHE_HOME/sms-gateway-emulator/tls``), and is reused on every start: a CI job or a
developer trusts it once. Each start issues a fresh server certificate for the names it serves.
Private keys are created with mode 0600 from their first byte, never chmod-ed afterwards.

A CA someone else could have planted is never used: the folder must be the user's own and not
writable by others, and its files the user's own, the key readable by nobody else. Starts that
race to create the CA agree on one: the first to create the key writes its certificate, the
others wait for a certificate that matches the key, and a completed CA is never removed.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import stat
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


class UnsafeFolder(Exception):
    """The TLS folder, or a CA file in it, could be someone else's: it is not used."""


DEFAULT_DIR_SHOWN = (
    "~/.cache/sms-gateway-emulator/tls, or $XDG_CACHE_HOME/"
    "sms-gateway-emulator/tls when that is set"
)


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

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _check_owned(path: Path, what: str, *, private: bool) -> None:
    """``path`` is the user's own and not writable by others (``private``: nobody else may
    read it either); a symlink is refused where a file is expected."""
    info = os.stat(path) if what == "folder" else os.lstat(path)
    if what != "folder" and not stat.S_ISREG(info.st_mode):
        raise UnsafeFolder(
            f"{path} is not a regular file (a symlink?): remove it, or use a --tls-dir of your own"
        )
    if info.st_uid != os.getuid():
        raise UnsafeFolder(
            f"the {what} {path} belongs to another user (uid {info.st_uid}): "
            "use a --tls-dir of your own"
        )
    loose = info.st_mode & (0o077 if private else 0o022)
    if loose:
        mode = stat.S_IMODE(info.st_mode)
        raise UnsafeFolder(
            f"the {what} {path} has mode {mode:04o}: other users could "
            f"{'read' if private and loose & 0o044 else 'change'} it; "
            + (
                "it must be 0600"
                if private
                else "use a folder only you can write to (chmod go-w, or another --tls-dir)"
            )
        )


def _ca_ready(folder: Path) -> bool:
    """Whether the folder holds a complete CA: the user's own certificate and key, the key
    private, and the certificate made for that key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / CA_FILE, folder / CA_KEY_FILE
    if not cert_path.exists() or not key_path.exists():
        return False
    _check_owned(key_path, "CA key", private=True)
    _check_owned(cert_path, "CA certificate", private=False)
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    except ValueError:  # half-written by a start still at it
        return False
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(
        cert.public_key().public_bytes(serialization.Encoding.PEM, public)
        == key.public_key().public_bytes(serialization.Encoding.PEM, public)
    )


def _ensure_ca(folder: Path) -> None:
    """A complete CA in ``folder``: the one there, else a new one. Starts at the same time
    agree on one; a key left without a certificate by a start that died is replaced once it
    is older than CA_WAIT."""
    deadline = time.monotonic() + CA_WAIT
    while not _ca_ready(folder):
        if _new_ca(folder):
            return
        if time.monotonic() > deadline:
            key_path = folder / CA_KEY_FILE
            with contextlib.suppress(FileNotFoundError):
                if time.time() - key_path.stat().st_mtime > CA_WAIT:
                    key_path.unlink()  # left half-made by a start that died
                    deadline = time.monotonic() + CA_WAIT
                    continue
            raise UnsafeFolder(
                f"{folder} holds a CA key without its certificate; remove "
                f"{CA_KEY_FILE} (and {CA_FILE}) to make a new CA"
            )
        time.sleep(0.02)


def _new_ca(folder: Path) -> bool:
    """Create the CA, unless another start holds its key already (False: wait for it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    try:
        write_private(folder / CA_KEY_FILE, _pem_key(key), exclusive=True)
    except FileExistsError:
        return False
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sms-gateway-emulator CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    write_atomically(folder / CA_FILE, _pem_cert(ca))
    return True


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
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _pem_cert(cert) + ca_pem, _pem_key(key)


def make_server_context(directory: str | None, host: str) -> tuple[ssl.SSLContext, Path]:
    """An SSL context for the server, and the path of the CA certificate clients should trust."""
    folder = Path(directory) if directory else default_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_owned(folder, "folder", private=False)
    _ensure_ca(folder)
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
