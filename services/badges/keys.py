"""The deployment's signing key (an ES256 private JWK on disk) and its public half."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry

from services.badges import settings
from services.badges.settings import ALG, BadgeError, key_path

log = logging.getLogger("services.badges")  # the name the log had before the package split


def key_id(key: ECKey) -> str:
    """The ``kid`` of a key in every JWS header and JWK file: its RFC 7638 thumbprint."""
    return key.thumbprint()


def _key_folder(path: Path) -> None:
    """``path``'s folder, 0700 when this creates it (and the default folder always: it is the product's)."""
    created = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if created or path == settings.default_key_path():
        _owner_only(path.parent, 0o700)


def _write_once(path: Path, text: str) -> None:
    """Write ``text`` into ``path`` (mode 0600) without ever overwriting a file another process wrote."""
    _key_folder(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if another process created the key meanwhile: then use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _write_new_key(path: Path) -> None:
    key = ECKey.generate_key("P-256", private=True)
    _write_once(path, json.dumps({**key.as_dict(private=True), "kid": key_id(key), "alg": ALG, "use": "sig"}))
    log.info("generated a badge signing key at %s", path)


def _move_legacy_key(path: Path) -> None:
    """Versions before issue 13 kept the key in the checkout (data/keys/). With no BADGE_SIGNING_KEY, that key
    moves to the default place (the same key, so the badges it signed still verify) and leaves the checkout."""
    legacy = settings.LEGACY_KEY_PATH
    if os.environ.get("BADGE_SIGNING_KEY") or path != settings.default_key_path() or not legacy.exists():
        return
    _write_once(path, legacy.read_text(encoding="utf-8"))
    legacy.unlink(missing_ok=True)
    try:
        legacy.parent.rmdir()  # data/keys/, if nothing else is in it
    except OSError:
        pass
    log.warning("moved the badge signing key from %s to %s (set BADGE_SIGNING_KEY to choose)", legacy, path)


def _owner_only(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o077 == 0:
        return
    try:
        path.chmod(mode)
    except OSError as exc:  # not the owner: keep working, and say so
        log.warning("%s is readable by others and could not be made owner-only: %s", path, exc)


def signing_key(*, create: bool = True) -> ECKey:
    """The deployment's private key, generated on first use (file mode 0600, directory 0700)."""
    path = key_path()
    if not path.exists():
        _move_legacy_key(path)
    if not path.exists():
        if not create:
            raise BadgeError(f"No badge signing key at {path} (set BADGE_SIGNING_KEY).")
        _write_new_key(path)
    _owner_only(path, 0o600)
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
