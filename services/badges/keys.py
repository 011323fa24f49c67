"""The deployment's signing key (an ES256 private JWK on disk) and its public half."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry

from services.badges.settings import ALG, BadgeError, key_path

log = logging.getLogger("services.badges")  # the name the log had before the package split


def key_id(key: ECKey) -> str:
    """The ``kid`` of a key in every JWS header and JWK file: its RFC 7638 thumbprint."""
    return key.thumbprint()


def _write_new_key(path: Path) -> None:
    """Generate a key into ``path`` (mode 0600) without ever overwriting one another process wrote."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ECKey.generate_key("P-256", private=True)
    data = {**key.as_dict(private=True), "kid": key_id(key), "alg": ALG, "use": "sig"}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if another process created the key meanwhile: then use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    log.info("generated a badge signing key at %s", path)


def signing_key(*, create: bool = True) -> ECKey:
    """The deployment's private key, generated on first use (file mode 0600, directory 0700)."""
    path = key_path()
    if not path.exists():
        if not create:
            raise BadgeError(f"No badge signing key at {path} (set BADGE_SIGNING_KEY).")
        _write_new_key(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("badge signing key %s is readable by others (mode %o); run chmod 600", path, mode)
    try:
        key = JWKRegistry.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, JoseError) as exc:
        raise BadgeError(f"{path} is not a JWK private key: {exc}") from None
    if not isinstance(key, ECKey) or not key.is_private:
        raise BadgeError(f"{path} must hold an EC P-256 private key (for {ALG}).")
    return key


def public_jwk(key: ECKey | None = None) -> dict:
    key = key or signing_key()
    return {**key.as_dict(private=False), "kid": key_id(key), "alg": ALG, "use": "sig"}


def load_public_key(path: Path) -> ECKey:
    """A public (or private) JWK, or a JWKS with one key, from a file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if "keys" in data:
            data = data["keys"][0]
        # "d" is a private key's secret: left out, so only the public key is ever used here.
        key = JWKRegistry.import_key({name: value for name, value in data.items() if name != "d"})
    except (OSError, ValueError, KeyError, IndexError, JoseError) as exc:
        raise BadgeError(f"Cannot read a public key from {path}: {exc}") from None
    if not isinstance(key, ECKey):
        raise BadgeError(f"{path} does not hold an EC key.")
    return key
