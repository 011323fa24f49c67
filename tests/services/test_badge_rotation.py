"""RS256 by default, ES256 as an option, key rotation, and the JWKS each badge's kid dereferences into."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import ECKey, JWKRegistry, RSAKey

import manage
from db.models import Enrollment
from db.scope import Scope
from services import badges
from services.badges import keys
from tests.world import build_world

JWKS_URL = "https://badges.uni-one.test/.well-known/jwks.json"


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keys" / "badge-key.json"
    monkeypatch.setenv("BADGE_SIGNING_KEY", str(path))
    monkeypatch.setenv("BADGE_BASE_URL", "https://badges.uni-one.test")
    monkeypatch.delenv("BADGE_SIGNING_ALG", raising=False)
    return path


@pytest.fixture
def world(session):
    return build_world(session)


def header(token_path: Path) -> dict:
    part = token_path.read_text().split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def export(session, out: Path) -> dict[str, Path]:
    """The system-wide export: {enrollment stem: .jwt path}."""
    badges.export(session, Scope.system(), out)
    return {path.stem: path for path in out.glob("*.jwt")}


def test_rs256_signs_and_verifies_by_default(session, world, tmp_path):
    tokens = export(session, tmp_path / "out")
    key = badges.signing_key()
    assert isinstance(key, RSAKey)
    for path in tokens.values():
        assert header(path) == {"alg": "RS256", "typ": "JWT", "kid": f"{JWKS_URL}#{key.thumbprint()}"}
        result = badges.verify_file(path)
        assert result.ok, result.problems
        assert result.checks[0] == f"signature valid (RS256) for the issuer's key {key.thumbprint()}"


def test_es256_is_an_option(session, world, tmp_path, monkeypatch):
    monkeypatch.setenv("BADGE_SIGNING_ALG", "es256")
    tokens = export(session, tmp_path / "out")
    key = badges.signing_key()
    assert isinstance(key, ECKey)
    (public,) = json.loads((tmp_path / "out" / badges.JWKS_FILE).read_text())["keys"]
    assert (public["kty"], public["crv"], public["alg"]) == ("EC", "P-256", "ES256")
    for path in tokens.values():
        assert header(path)["alg"] == "ES256"
        assert badges.verify_file(path).ok


def test_the_kid_dereferences_into_the_exported_jwks(session, world, tmp_path):
    """A verifier fetches the kid's URL (the JWKS the deployment serves: the export's jwks.json) and finds the
    key whose kid is the header's; the fragment is that key's RFC 7638 thumbprint."""
    out = tmp_path / "out"
    tokens = export(session, out)
    document = json.loads((out / badges.JWKS_FILE).read_text())
    assert badges.jwks_url() == JWKS_URL
    for path in tokens.values():
        kid = header(path)["kid"]
        url, _, thumbprint = kid.partition("#")
        assert url == JWKS_URL
        (entry,) = [key for key in document["keys"] if key["kid"] == kid]
        public = JWKRegistry.import_key(entry)
        assert public.thumbprint() == thumbprint and not public.is_private
        assert jws.deserialize_compact(path.read_text().strip(), public, algorithms=[entry["alg"]])


def test_rotation_keeps_old_badges_verifying_and_signs_new_ones_with_the_new_key(session, world, tmp_path, capsys):
    before = export(session, tmp_path / "before")
    first = badges.signing_key()
    assert manage.main(["badges", "rotate-key", "--alg", "ES256"]) == 0
    second = badges.signing_key()
    assert isinstance(second, ECKey) and second.thumbprint() != first.thumbprint()
    assert f"New active ES256 key {second.thumbprint()}" in capsys.readouterr().out
    assert sorted(p.name for p in badges.key_store_path().iterdir()) == ["0001.json", "0002.json"]

    after = export(session, tmp_path / "after")
    assert before.keys() == after.keys()
    for stem in before:
        assert header(after[stem])["kid"] == f"{JWKS_URL}#{second.thumbprint()}"
        assert header(before[stem])["kid"] == f"{JWKS_URL}#{first.thumbprint()}"
        assert badges.verify_file(before[stem]).ok  # by the local key store, the retired key in it
        assert badges.verify_file(after[stem]).ok
    # The JWKS of the new export holds both: the active key first, then the retired one.
    document = json.loads((tmp_path / "after" / badges.JWKS_FILE).read_text())
    assert [(key["kid"], key["alg"]) for key in document["keys"]] == [
        (f"{JWKS_URL}#{second.thumbprint()}", "ES256"), (f"{JWKS_URL}#{first.thumbprint()}", "RS256")]
    stem = next(iter(before))
    assert manage.main(["badges", "verify", str(before[stem]), "--key",
                        str(tmp_path / "after" / badges.JWKS_FILE)]) == 0

    # A second rotation, without --alg: the default algorithm (RS256); both earlier keys stay published.
    third, retired = badges.rotate_key()
    assert isinstance(third, RSAKey)
    assert [key.thumbprint() for key in retired] == [first.thumbprint(), second.thumbprint()]
    assert len(badges.jwks()["keys"]) == 3 and badges.verify_file(before[stem]).ok


def test_a_token_whose_key_is_not_in_the_jwks_fails_with_the_reason(session, world, tmp_path, capsys):
    out = tmp_path / "out"
    tokens = export(session, out)
    path = next(iter(tokens.values()))
    old_jwks = tmp_path / "old-jwks.json"
    old_jwks.write_text((out / badges.JWKS_FILE).read_text())
    first = badges.signing_key()
    new, _ = badges.rotate_key()
    export(session, out)  # the badges re-signed with the new key; old-jwks.json holds only the first key
    assert manage.main(["badges", "verify", str(path), "--key", str(old_jwks)]) == 1
    err = capsys.readouterr().err
    assert (f"FAILED: signed with a different key (kid {JWKS_URL}#{new.thumbprint()}), not one of the issuer's "
            f"keys ({first.thumbprint()}): the key is not in the JWKS") in err
    assert f"NOT VALID {path}" in err


def test_a_header_whose_algorithm_does_not_fit_its_key_fails(session, world, tmp_path):
    path = next(iter(export(session, tmp_path / "out").values()))
    head, payload, signature = path.read_text().strip().split(".")
    changed = {**header(path), "alg": "ES256"}
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
    key = badges.signing_key()
    assert badges.verify_token(f"{forged}.{payload}.{signature}", badges.store_keys()).problems == [
        f"the header's algorithm ES256 does not fit the key {key.thumbprint()} (RS256): the header was changed"]


def test_a_public_jwks_never_yields_a_private_key(session, world, tmp_path):
    """--key given a private key file by mistake: only its public part is used."""
    private = tmp_path / "private.json"
    private.write_text(json.dumps(badges.signing_key().as_dict(private=True)))
    (key,) = badges.load_public_keys(private)
    assert not key.is_private
    # The published JWKS holds only the public members of each key.
    (entry,) = badges.jwks()["keys"]
    assert set(entry) == {"kty", "n", "e", "kid", "alg", "use"}


def test_a_rotation_racing_another_never_overwrites_its_key(monkeypatch):
    """Another process writes key 2 while this one makes its own: this one keeps theirs, byte for byte."""
    first = badges.signing_key()
    theirs = ECKey.generate_key("P-256", private=True)
    their_file = badges.key_store_path() / "0002.json"
    make_key = keys._new_key

    def racing(alg):
        their_file.write_text(keys._key_text(theirs))
        return make_key(alg)

    monkeypatch.setattr(keys, "_new_key", racing)
    assert not their_file.exists()
    active, retired = badges.rotate_key()
    assert their_file.read_text() == keys._key_text(theirs)
    assert active.thumbprint() == theirs.thumbprint()
    assert [key.thumbprint() for key in retired] == [first.thumbprint()]
    assert sorted(p.name for p in badges.key_store_path().iterdir()) == ["0001.json", "0002.json"]


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_a_weak_rsa_key_is_refused(tmp_path):
    weak = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    badges.signing_key()
    (badges.key_store_path() / "0002.json").write_text(keys._key_text(weak))
    with pytest.raises(badges.BadgeError, match="fewer than 2048 bits is too weak for RS256"):
        badges.signing_key()
    public = tmp_path / "weak.json"
    public.write_text(json.dumps(weak.as_dict(private=False)))
    with pytest.raises(badges.BadgeError, match="too weak"):
        badges.load_public_keys(public)


def test_badges_signed_with_the_legacy_es256_key_still_verify(session, world, tmp_path, key_file, capsys):
    """A badge as the single-key version signed it (ES256, kid = the bare thumbprint, the jwk in the header),
    verified after the upgrade: by the key store (the legacy key is its retired key 1) and by the new JWKS."""
    legacy = ECKey.generate_key("P-256", private=True)
    key_file.parent.mkdir(parents=True)
    key_file.write_text(json.dumps({**legacy.as_dict(private=True), "kid": legacy.thumbprint(), "alg": "ES256"}))
    credential = badges.build(session, session.get(Enrollment, world.id("E-a1-K1")))
    claims = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
              "nbf": int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())}
    old_header = {"alg": "ES256", "typ": "JWT", "kid": legacy.thumbprint(), "jwk": legacy.as_dict(private=False)}
    old = tmp_path / "old"
    old.mkdir()
    (old / "badge.json").write_bytes(badges.render(credential))
    (old / "badge.jwt").write_text(jws.serialize_compact(old_header, json.dumps(claims).encode(), legacy,
                                                         algorithms=["ES256"]) + "\n")

    tokens = export(session, tmp_path / "new")  # the first use of the store: key 1 = legacy, key 2 = RS256
    assert [key.thumbprint() for key in badges.store_keys()][0] == legacy.thumbprint()
    assert isinstance(badges.signing_key(), RSAKey)
    assert all(header(path)["alg"] == "RS256" for path in tokens.values())
    result = badges.verify_file(old / "badge.json")
    assert result.ok, result.problems
    assert manage.main(["badges", "verify", str(old / "badge.jwt"), "--key",
                        str(tmp_path / "new" / badges.JWKS_FILE)]) == 0
    assert f"VALID {old / 'badge.jwt'}" in capsys.readouterr().out
    assert key_file.exists()  # left in place: a copy of key 1
