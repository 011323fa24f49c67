"""Where the badge signing keys live: a key store beside BADGE_SIGNING_KEY (by default in the user's data folder,
platformdirs), outside the checkout; key files 0600, folders 0700, each key written once and never overwritten,
even by processes starting at the same moment; the single ES256 key of earlier versions (BADGE_SIGNING_KEY, or
data/keys/ in the checkout) becomes key 1 of the store, so the badges it signed still verify."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from db.engine import ROOT
from services import badges
from services.badges import keys, settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def user_data(tmp_path, monkeypatch) -> Path:
    """No BADGE_SIGNING_KEY; the user's data folder (XDG_DATA_HOME, which platformdirs follows) and the
    checkout's old key place both in tmp_path, so nothing here touches the real home or the repository."""
    monkeypatch.delenv("BADGE_SIGNING_KEY", raising=False)
    monkeypatch.delenv("BADGE_SIGNING_ALG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(settings, "LEGACY_KEY_PATH", tmp_path / "checkout" / "data" / "keys" / "badge-signing-key.json",
                        raising=False)
    return tmp_path / "xdg"


def legacy_token(key: ECKey, claims: dict) -> str:
    """A token as versions before the key store signed it: ES256, kid = the bare thumbprint, the jwk embedded."""
    header = {"alg": "ES256", "typ": "JWT", "kid": key.thumbprint(), "jwk": key.as_dict(private=False)}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["ES256"])


def test_the_default_store_is_outside_the_repository_and_owner_only(user_data):
    store = settings.key_store_path()
    assert ROOT not in store.parents, store
    assert store == user_data / "microcredentials" / "badge-signing-key.keys"
    old = os.umask(0o022)  # the usual umask: new files readable by everyone
    try:
        key = badges.signing_key()
    finally:
        os.umask(old)
    assert isinstance(key, RSAKey) and key.raw_value.key_size == 2048
    assert badges.signing_key().thumbprint() == key.thumbprint()
    assert mode(store / "0001.json") == 0o600
    assert mode(store) == 0o700 and mode(store.parent) == 0o700


def test_badge_signing_key_moves_the_store(user_data, tmp_path, monkeypatch):
    chosen = tmp_path / "secrets" / "issuer.json"
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(chosen))
    assert settings.key_path() == chosen and settings.key_store_path() == tmp_path / "secrets" / "issuer.keys"
    badges.signing_key()
    assert mode(chosen.with_name("issuer.keys") / "0001.json") == 0o600
    assert mode(chosen.parent) == 0o700 and mode(chosen.with_name("issuer.keys")) == 0o700
    assert not user_data.exists()  # nothing written to the default place


def test_a_key_left_in_the_checkout_becomes_the_retired_key_1(user_data):
    """The legacy move still works (data/keys/ → the user data folder), then the key store takes the key as its
    key 1, retired, and a new RS256 key 2 signs; the badges key 1 signed still verify, by the store and the JWKS."""
    old = settings.LEGACY_KEY_PATH
    old.parent.mkdir(parents=True)
    legacy = ECKey.generate_key("P-256", private=True)
    old.write_text(json.dumps({**legacy.as_dict(private=True), "kid": legacy.thumbprint()}))
    os.chmod(old, 0o644)
    claims = {"iss": "x"}
    old_badge = legacy_token(legacy, claims)

    active = badges.signing_key()
    assert not old.exists() and settings.key_path().exists()  # moved out of the checkout, as before
    store = settings.key_store_path()
    assert sorted(p.name for p in store.iterdir()) == ["0001.json", "0002.json"]
    assert [key.thumbprint() for key in badges.store_keys()] == [legacy.thumbprint(), active.thumbprint()]
    assert isinstance(active, RSAKey)
    assert mode(store / "0001.json") == 0o600 and mode(store) == 0o700
    # The old badge's token still passes the key and signature checks (its payload is no badge: the schema fails).
    result = badges.verify_token(old_badge, badges.store_keys())
    assert result.checks[0] == f"signature valid (ES256) for the issuer's key {legacy.thumbprint()}"
    assert [key["kid"].rsplit("#", 1)[1] for key in badges.jwks()["keys"]] == [active.thumbprint(),
                                                                               legacy.thumbprint()]


def test_with_es256_configured_the_legacy_key_stays_active(user_data, monkeypatch):
    legacy = ECKey.generate_key("P-256", private=True)
    settings.key_path().parent.mkdir(parents=True)
    settings.key_path().write_text(json.dumps(legacy.as_dict(private=True)))
    monkeypatch.setenv("BADGE_SIGNING_ALG", "ES256")
    assert badges.signing_key().thumbprint() == legacy.thumbprint()
    assert len(badges.store_keys()) == 1


def test_verifying_with_only_the_legacy_key_writes_nothing(user_data):
    legacy = ECKey.generate_key("P-256", private=True)
    settings.key_path().parent.mkdir(parents=True)
    settings.key_path().write_text(json.dumps(legacy.as_dict(private=True)))
    assert [key.thumbprint() for key in badges.store_keys(create=False)] == [legacy.thumbprint()]
    assert not settings.key_store_path().exists()


def test_a_key_readable_by_others_is_made_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(tmp_path / "keys" / "badge-key.json"))
    badges.signing_key()
    path = settings.key_store_path() / "0001.json"
    os.chmod(path, 0o644)
    badges.signing_key()
    assert mode(path) == 0o600


def test_an_unknown_algorithm_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(tmp_path / "keys" / "badge-key.json"))
    monkeypatch.setenv("BADGE_SIGNING_ALG", "HS256")
    with pytest.raises(badges.BadgeError, match="BADGE_SIGNING_ALG='HS256': badges are signed with RS256 or ES256"):
        badges.signing_key()
    assert not settings.key_store_path().exists()


def test_write_once_never_overwrites(tmp_path):
    path = tmp_path / "keys" / "0001.json"
    keys._write_once(path, "first")
    keys._write_once(path, "second")
    assert path.read_text() == "first" and mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["0001.json"]  # no temporary file left behind


def _first_use(key_file: str, start, out) -> None:
    os.environ["BADGE_SIGNING_KEY"] = key_file
    start.wait()
    out.put(badges.signing_key().thumbprint())


def test_processes_starting_at_once_share_one_first_key(tmp_path):
    """Four processes use the store at the same moment: one key is written, and every process signs with it."""
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(4), context.Queue()
    key_file = str(tmp_path / "keys" / "badge-key.json")
    workers = [context.Process(target=_first_use, args=(key_file, start, out)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    thumbprints = {out.get(timeout=5) for _ in workers}
    store = tmp_path / "keys" / "badge-key.keys"
    assert sorted(p.name for p in store.iterdir()) == ["0001.json"]
    assert thumbprints == {json.loads((store / "0001.json").read_text())["kid"]}


def test_the_test_run_keeps_its_key_out_of_the_checkout_and_the_home():
    """tests/conftest.py points BADGE_SIGNING_KEY at a temporary folder for the whole run (child processes,
    such as the browser tests' app, inherit it), and the key store is beside it."""
    path = Path(os.environ["BADGE_SIGNING_KEY"])
    assert ROOT not in path.parents and Path.home() not in path.parents
    assert settings.key_store_path().parent == path.parent
