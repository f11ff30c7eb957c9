"""The Maskinporten client's key: an RSA private key and its business certificate chain, loaded from a PEM file or a
PKCS#12 file (.p12/.pfx). Neither `repr`, pickling nor an error message ever shows the key or its password.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from altinn_analysis.sources._maskinporten_config import MaskinportenConfigError
from altinn_analysis.sources._redact import remember_secret

__all__ = ["MaskinportenKey", "load_maskinporten_key"]


class MaskinportenKey:
    """An RSA private key and, for `x5c`, its certificate chain (leaf first). `repr` shows neither."""

    def __init__(
        self, private_key: rsa.RSAPrivateKey, certificates: Sequence[x509.Certificate] = (), *, source: str = "?"
    ) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise MaskinportenConfigError(f"{source}: expected an RSA private key (Maskinporten grants are RS256)")
        leaf = certificates[0].public_key() if certificates else None
        if leaf is not None and (
            not isinstance(leaf, rsa.RSAPublicKey) or leaf.public_numbers() != private_key.public_key().public_numbers()
        ):
            raise MaskinportenConfigError(f"{source}: the certificate does not belong to the private key")
        self._key = private_key
        self.certificates: tuple[x509.Certificate, ...] = tuple(certificates)
        self.source = source

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        return self._key

    @property
    def key_size(self) -> int:
        return self._key.key_size

    def x5c(self) -> list[str]:
        """The certificate chain as the `x5c` header wants it: standard base64 of each DER certificate."""
        if not self.certificates:
            raise MaskinportenConfigError(
                f"{self.source}: no certificate next to the key; set MASKINPORTEN_KID or use a PKCS#12 business "
                "certificate"
            )
        return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in self.certificates]

    def certificate_expiry(self) -> datetime | None:
        return self.certificates[0].not_valid_after_utc if self.certificates else None

    def __repr__(self) -> str:
        return (
            f"MaskinportenKey(source={self.source!r}, rsa_bits={self.key_size}, certificates={len(self.certificates)})"
        )

    def __reduce__(self) -> Any:
        # Never serialised (papermill parameters, multiprocessing, caches): the key stays in this process.
        raise TypeError("a Maskinporten key cannot be pickled")


def load_maskinporten_key(path: str | Path, password: str | bytes | None = None) -> MaskinportenKey:
    """Load a PEM private key (with any certificates in the same file) or a PKCS#12 file (.p12/.pfx).

    Errors name the file and what is wrong, never the password.
    """
    path = Path(path)
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MaskinportenConfigError(f"cannot read the Maskinporten key {path}: {exc.strerror or exc}") from None
    secret = password.encode("utf-8") if isinstance(password, str) else password
    if secret:
        remember_secret(secret.decode("utf-8", "replace"))
    if b"-----BEGIN" in data:
        return _load_pem(data, secret, source)
    return _load_pkcs12(data, secret, source)


def _load_pem(data: bytes, password: bytes | None, source: str) -> MaskinportenKey:
    try:
        key = serialization.load_pem_private_key(data, password=password or None)
    except TypeError:  # encrypted without a password, or a password for a key that has none
        hint = "set MASKINPORTEN_KEY_PASSWORD" if not password else "the key is not encrypted: unset the password"
        raise MaskinportenConfigError(f"{source}: cannot use the PEM private key ({hint})") from None
    except ValueError:
        raise MaskinportenConfigError(
            f"{source}: not a readable PEM private key, or the password is wrong (MASKINPORTEN_KEY_PASSWORD)"
        ) from None
    certificates: list[x509.Certificate] = []
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise MaskinportenConfigError(f"{source}: a certificate in the PEM file cannot be read") from None
    return MaskinportenKey(key, certificates, source=source)  # type: ignore[arg-type]  # checked in __init__


def _load_pkcs12(data: bytes, password: bytes | None, source: str) -> MaskinportenKey:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError):
        raise MaskinportenConfigError(
            f"{source}: not a readable PKCS#12 file, or the password is wrong (MASKINPORTEN_KEY_PASSWORD)"
        ) from None
    if key is None:
        raise MaskinportenConfigError(f"{source}: the PKCS#12 file holds no private key")
    chain = ([cert] if cert is not None else []) + list(extra)
    return MaskinportenKey(key, chain, source=source)  # type: ignore[arg-type]  # checked in __init__
