"""The deployment's badge signing keys: a key store with one active key and the retired ones, and the JWKS.

The store is a folder (settings.key_store_path, 0700) of private JWK files ``0001.json``, ``0002.json`` … (0600),
each written once and never changed. The highest number is the active key: it signs new badges. The others are
retired: they sign nothing, and their public parts stay in the JWKS so the badges they signed still verify.
Nothing is ever overwritten, so there is no "active" pointer to update: ``rotate_key`` adds the next number.

The single ES256 key file of earlier versions (BADGE_SIGNING_KEY, and before it data/keys/ in the checkout) becomes
the store's first key, 0001, on first use. When new keys are RS256 (the default), a new RS256 key 0002 is made at
once, so the legacy key is *retired*: it signs no more, its badges still verify. With BADGE_SIGNING_ALG=ES256 it
stays the active key until the next rotation. The legacy file is left where it is (a copy, never deleted here).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, RSAKey

from services.badges import settings
from services.badges.settings import ALGORITHMS, RSA_BITS, BadgeError, jwks_url, key_path, key_store_path, signing_alg

log = logging.getLogger("services.badges")  # the name the log had before the package split

Key = RSAKey | ECKey
_KEY_FILE = re.compile(r"^(\d{4,})\.json$")


def key_id(key: Key) -> str:
    """A key's RFC 7638 thumbprint: the fragment of the ``kid`` in every JWS header, the ``kid`` of old badges."""
    return key.thumbprint()


def key_url(key: Key) -> str:
    """The ``kid`` of a badge's JWS header and of the key in the JWKS: the JWKS URL + "#" + the thumbprint."""
    return f"{jwks_url()}#{key_id(key)}"


def key_alg(key: Key) -> str:
    return "RS256" if isinstance(key, RSAKey) else "ES256"


def _key_folder(path: Path) -> None:
    """``path``'s folder; each folder this creates is 0700, and the product's default folders always are."""
    folder = path.parent
    created = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    default = settings.default_key_path()
    product = {default.parent, default.with_name(f"{default.stem}.keys")}
    for made in {*created, *((folder, default.parent) if folder in product else ())}:
        _owner_only(made, 0o700)


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


def _owner_only(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o077 == 0:
        return
    try:
        path.chmod(mode)
    except OSError as exc:  # not the owner: keep working, and say so
        log.warning("%s is readable by others and could not be made owner-only: %s", path, exc)


def _new_key(alg: str) -> Key:
    if alg not in ALGORITHMS:
        raise BadgeError(f"Unknown signing algorithm {alg!r}: badges are signed with {' or '.join(ALGORITHMS)}.")
    return RSAKey.generate_key(RSA_BITS, private=True) if alg == "RS256" else ECKey.generate_key("P-256", private=True)


def _key_text(key: Key) -> str:
    return json.dumps({**key.as_dict(private=True), "kid": key_id(key), "alg": key_alg(key), "use": "sig"})


def _read_key(path: Path, *, private: bool = True) -> Key:
    """A signing key from a JWK file: RSA of RSA_BITS or more, or EC P-256."""
    _owner_only(path, 0o600)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = JWKRegistry.import_key(data)
    except (ValueError, JoseError) as exc:
        raise BadgeError(f"{path} is not a JWK private key: {exc}") from None
    _check_key(key, path)
    if private and not key.is_private:
        raise BadgeError(f"{path} must hold a private key.")
    return key


def _check_key(key, where) -> None:  # noqa: ANN001
    if isinstance(key, RSAKey):
        if key.raw_value.key_size < RSA_BITS:
            raise BadgeError(f"{where}: an RSA key of fewer than {RSA_BITS} bits is too weak for RS256.")
    elif not (isinstance(key, ECKey) and key.as_dict(private=False).get("crv") == "P-256"):
        raise BadgeError(f"{where} must hold an RSA key (RS256) or an EC P-256 key (ES256).")


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


def _store_files(store: Path) -> list[tuple[int, Path]]:
    if not store.is_dir():
        return []
    return sorted((int(match.group(1)), path) for path in store.iterdir()
                  if (match := _KEY_FILE.match(path.name)))


def _file_name(number: int) -> str:
    return f"{number:04d}.json"


def _legacy_key() -> Key | None:
    """The single key file of earlier versions (moved out of the checkout first), or None."""
    path = key_path()
    if not path.exists():
        _move_legacy_key(path)
    return _read_key(path) if path.exists() else None


def _first_keys(store: Path) -> None:
    """An empty store gets its first keys: the legacy key as 0001 (then a new active key 0002 when new keys use
    another algorithm), or a new key of signing_alg(). Concurrent first uses write the same names, once each."""
    alg = signing_alg()
    legacy = _legacy_key()
    if legacy is None:
        _write_once(store / _file_name(1), _key_text(_new_key(alg)))
        log.info("generated a badge signing key (%s) in %s", alg, store)
        return
    _write_once(store / _file_name(1), _key_text(legacy))
    log.warning("the badge signing key %s is key 1 of the key store %s", key_path(), store)
    if key_alg(legacy) != alg:
        _write_once(store / _file_name(2), _key_text(_new_key(alg)))
        log.warning("key 1 (%s) is retired: new badges are signed with a new %s key", key_alg(legacy), alg)


def store_keys(*, create: bool = True) -> list[Key]:
    """Every key of the store, oldest first: the last is the active one. ``create=False`` never makes a key nor
    fills the store: with an empty store it returns the legacy key alone (so verifying old badges works), or
    raises. (If a process stops between writing key 1 and key 2 of an upgrade, the legacy key stays active
    until the next rotation: harmless, its badges verify like any other.)"""
    store = key_store_path()
    if not _store_files(store):
        if not create:
            legacy = _legacy_key()  # moved out of the checkout, as before, but not copied into the store
            if legacy is None:
                raise BadgeError(f"No badge signing key in {store} (set BADGE_SIGNING_KEY, or export badges first).")
            return [legacy]
        _first_keys(store)
    _owner_only(store, 0o700)
    return [_read_key(path) for _, path in _store_files(store)]


def signing_key(*, create: bool = True) -> Key:
    """The active private key, which signs new badges; the store's first keys are made on first use."""
    return store_keys(create=create)[-1]


def rotate_key(alg: str | None = None) -> tuple[Key, list[Key]]:
    """Make a new active key (``alg``, default signing_alg()) and retire the previous one: (active, retired).

    Two rotations at the same moment both write the next number: one wins, and both then use its key (a
    second rotation is a new command, never a silent overwrite)."""
    store_keys()  # the first keys (and the legacy key) before the new one
    store = key_store_path()
    number = _store_files(store)[-1][0] + 1
    _write_once(store / _file_name(number), _key_text(_new_key(alg or signing_alg())))
    keys = store_keys()
    log.warning("badge signing key rotated: %s is active, %d retired", key_id(keys[-1]), len(keys) - 1)
    return keys[-1], keys[:-1]


def public_jwk(key: Key | None = None) -> dict:
    key = key or signing_key()
    return {**key.as_dict(private=False), "kid": key_url(key), "alg": key_alg(key), "use": "sig"}


def jwks(keys: list[Key] | None = None) -> dict:
    """The JWKS document (RFC 7517) of the issuer's public keys, the active one first, then the retired ones."""
    keys = keys if keys is not None else store_keys()
    return {"keys": [public_jwk(key) for key in reversed(keys)]}


def load_public_keys(path: str | Path) -> list[Key]:
    """The public keys of a JWKS file, or of a single public (or private) JWK file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["keys"] if isinstance(data, dict) and "keys" in data else [data]
        # "d", "p", "q"…: a private key's secrets, left out, so only the public key is ever used here.
        keys = [JWKRegistry.import_key({name: value for name, value in entry.items()
                                        if name not in ("d", "p", "q", "dp", "dq", "qi")}) for entry in entries]
    except (OSError, ValueError, TypeError, AttributeError, KeyError, JoseError) as exc:
        raise BadgeError(f"Cannot read a public key from {path}: {exc}") from None
    if not keys:
        raise BadgeError(f"{path} holds no key.")
    for key in keys:
        _check_key(key, path)
    return keys
