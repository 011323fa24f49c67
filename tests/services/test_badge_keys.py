"""Where the badge signing key lives: by default in the user's data folder (platformdirs), outside the
checkout; BADGE_SIGNING_KEY moves it; the key file is 0600 and its folder 0700; a key left in the checkout's
data/keys/ by an older version is moved out, so the badges it signed still verify."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from joserfc.jwk import ECKey

from db.engine import ROOT
from services import badges
from services.badges import settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def user_data(tmp_path, monkeypatch) -> Path:
    """No BADGE_SIGNING_KEY; the user's data folder (XDG_DATA_HOME, which platformdirs follows) and the
    checkout's old key place both in tmp_path, so nothing here touches the real home or the repository."""
    monkeypatch.delenv("BADGE_SIGNING_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(settings, "LEGACY_KEY_PATH", tmp_path / "checkout" / "data" / "keys" / "badge-signing-key.json",
                        raising=False)
    return tmp_path / "xdg"


def test_the_default_key_is_outside_the_repository_and_owner_only(user_data):
    path = settings.key_path()
    assert ROOT not in path.parents, path
    assert path.parent == user_data / "microcredentials"
    old = os.umask(0o022)  # the usual umask: new files readable by everyone
    try:
        key = badges.signing_key()
    finally:
        os.umask(old)
    assert path.exists() and badges.signing_key().thumbprint() == key.thumbprint()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_badge_signing_key_moves_it(user_data, tmp_path, monkeypatch):
    chosen = tmp_path / "secrets" / "issuer.json"
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(chosen))
    assert settings.key_path() == chosen
    badges.signing_key()
    assert mode(chosen) == 0o600 and mode(chosen.parent) == 0o700
    assert not user_data.exists()  # nothing written to the default place


def test_a_key_left_in_the_checkout_is_moved_to_the_user_data_folder(user_data):
    old = settings.LEGACY_KEY_PATH
    old.parent.mkdir(parents=True)
    legacy = ECKey.generate_key("P-256", private=True)
    old.write_text(json.dumps({**legacy.as_dict(private=True), "kid": badges.key_id(legacy)}))
    os.chmod(old, 0o644)
    assert ROOT not in settings.key_path().parents  # (so that the old code writes nothing into the checkout)
    key = badges.signing_key()
    assert key.thumbprint() == legacy.thumbprint()  # the same key: badges it signed still verify
    assert not old.exists()
    assert mode(settings.key_path()) == 0o600 and mode(settings.key_path().parent) == 0o700


def test_a_key_readable_by_others_is_made_owner_only(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "badge-key.json"
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(path))
    badges.signing_key()
    os.chmod(path, 0o644)
    badges.signing_key()
    assert mode(path) == 0o600


def test_the_test_run_keeps_its_key_out_of_the_checkout_and_the_home():
    """tests/conftest.py points BADGE_SIGNING_KEY at a temporary folder for the whole run (child processes,
    such as the browser tests' app, inherit it)."""
    path = Path(os.environ["BADGE_SIGNING_KEY"])
    assert ROOT not in path.parents and Path.home() not in path.parents
