"""The deployment's electronic seal: an RSA private key and its X.509 certificate chain (PEM files).

Production: EDC_SEAL_KEY (the private key) and EDC_SEAL_CERT (the chain, the seal's certificate first) come
from the trust service's qualified electronic seal certificate. Development: with no EDC_SEAL_CERT, a
3072-bit key and a self-signed certificate are generated on first use OUTSIDE the repository (the user's data
folder, or beside EDC_SEAL_KEY), 0600 in a 0700 folder, written once without overwriting another process's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from services.badges.keys import _owner_only, _write_once
from services.edc.settings import EdcError, cert_path, key_path

log = logging.getLogger("services.edc")
MIN_BITS = 2048
DEV_BITS = 3072


@dataclass(frozen=True)
class Seal:
    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]  # the seal's certificate first

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(certificate: x509.Certificate) -> str:
    """x5t#S256: the base64url SHA-256 of the certificate's DER."""
    return b64url(hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest())


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def issuer_serial(certificate: x509.Certificate) -> str:
    """The kid, as in the Commission's sealed sample: base64 of the DER IssuerSerial (RFC 5035) of the
    certificate: SEQUENCE { GeneralNames { [4] issuer Name }, serialNumber }."""
    serial = certificate.serial_number
    serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")  # a leading 0 keeps it positive
    names = _der(0x30, _der(0xA4, certificate.issuer.public_bytes()))
    return base64.b64encode(_der(0x30, names + _der(0x02, serial_bytes))).decode("ascii")


def _development_files() -> None:
    """A development key and self-signed certificate (not a qualified seal: verifiers trust it only when it is
    the deployment's own)."""
    path = key_path()
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=DEV_BITS)
        _write_once(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode("ascii"))
        log.info("generated a development EDC seal key at %s", path)
    certificate_path = cert_path()
    if certificate_path.exists():
        return
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)  # whichever key won the race
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Micro-credentials development seal (not qualified)"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Development")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
                   .not_valid_after(now + timedelta(days=3650))
                   .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)
                   .sign(key, hashes.SHA256()))
    _write_once(certificate_path, certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def load_chain(path) -> tuple[x509.Certificate, ...]:
    try:
        chain = tuple(x509.load_pem_x509_certificates(path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise EdcError(f"Cannot read a PEM certificate chain from {path}: {exc}") from None
    return chain


def seal(*, create: bool = True) -> Seal:
    """The deployment's seal: key and chain, the development pair generated on first use."""
    if not os.environ.get("EDC_SEAL_CERT") and create:
        _development_files()
    path = key_path()
    if not path.exists() or not cert_path().exists():
        raise EdcError(f"No EDC seal at {path} / {cert_path()} (set EDC_SEAL_KEY and EDC_SEAL_CERT).")
    _owner_only(path, 0o600)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise EdcError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_BITS:
        raise EdcError(f"{path} must hold an RSA key of {MIN_BITS} bits or more (RS256).")
    chain = load_chain(cert_path())
    if not chain or chain[0].public_key().public_numbers() != key.public_key().public_numbers():
        raise EdcError(f"The first certificate in {cert_path()} is not the seal key's.")
    return Seal(key, chain)
