"""The DEVELOPMENT identity provider: no tokens in its log; the local secrets it writes."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import tomllib
import urllib.error
import urllib.request
from urllib.parse import urlencode

from devtools import idp
from devtools.stack import child_env, start_idp
from services import identity


def fake_id_token() -> str:
    """A JWT-shaped string (header.payload.signature) that no log line may contain."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    payload = {"sub": "hr@example.com", "nonce": secrets.token_hex(8)}
    return f"{part({'alg': 'RS256'})}.{part(payload)}.{secrets.token_hex(16)}"


def wait_for_line(proc, text: str, deadline_s: float = 20.0) -> str:
    """The provider's log once it has written a line containing ``text`` (uvicorn writes the
    access line after the response)."""
    deadline = time.monotonic() + deadline_s
    while True:
        log = proc.log.read_text(errors="replace")
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_provider_log_keeps_the_id_token_of_a_logout_out(tmp_path):
    """Streamlit's logout opens end_session with the whole ID token in its address; the
    provider's access log printed it."""
    token = fake_id_token()
    proc, url = start_idp(child_env(f"sqlite:///{tmp_path / 'unused.db'}"), tmp_path)
    try:
        query = urlencode({"client_id": idp.DEV_CLIENT_ID, "id_token_hint": token,
                           "post_logout_redirect_uri": "http://localhost:8501/oauth2callback"})
        assert status_of(f"{url}/oauth2/end_session?{query}") == 200
        # A code in an address (a made-up request, refused) is blanked out too.
        assert status_of(f"{url}/oauth2/authorize?client_id=x&code={token}") == 400
        log = wait_for_line(proc, "/oauth2/authorize")
    finally:
        proc.stop()
    assert "GET /oauth2/end_session?client_id=microcred-dev" in log, "the request was not logged at all"
    assert "id_token_hint=[redacted]" in log and "code=[redacted]" in log
    for piece in token.split("."):
        assert piece not in log


def test_redaction_of_credentials_in_any_log_line():
    token = fake_id_token()
    assert idp.redact("GET /cb?state=s1&code=c0de&x=1 HTTP/1.1") == "GET /cb?state=s1&code=[redacted]&x=1 HTTP/1.1"
    assert idp.redact(f"refresh_token=r3fresh access_token={token}") == (
        "refresh_token=[redacted] access_token=[redacted]")
    assert idp.redact(f"token endpoint error: bad {token} seen") == "token endpoint error: bad [redacted] seen"
    # Names that merely end in a credential's name are left alone.
    assert idp.redact("code_challenge=abc csrf_token=1 barcode=2") == "code_challenge=abc csrf_token=1 barcode=2"


def test_the_log_filter_rewrites_messages_and_tracebacks():
    token = fake_id_token()
    handler = logging.Handler()
    handler.addFilter(idp.RedactCredentials())
    records = []
    handler.emit = records.append
    log = logging.getLogger("tests.idp")
    log.addHandler(handler)
    try:
        log.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", f"/oauth2/end_session?id_token_hint={token}",
                    "1.1", 200)
        try:
            raise ValueError(f"cannot decode {token}")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    text = "\n".join(logging.Formatter().format(record) for record in records)
    assert "id_token_hint=[redacted]" in text and "ValueError: cannot decode [redacted]" in text
    assert token not in text


def test_local_secrets_trust_the_development_providers_emails(tmp_path):
    assert idp.TRUSTED_EMAIL_ISSUERS_VARIABLE == identity.TRUSTED_EMAIL_ISSUERS_VARIABLE
    written = tomllib.loads(idp.local_secrets_toml("http://localhost:8601", "http://127.0.0.1:9555/"))
    assert written[identity.TRUSTED_EMAIL_ISSUERS_VARIABLE] == "http://127.0.0.1:9555"
    assert written["auth"]["server_metadata_url"] == "http://127.0.0.1:9555/.well-known/openid-configuration"

    path = tmp_path / "secrets.toml"
    idp.write_local_secrets("http://localhost:8601", "http://127.0.0.1:9555", path=path)
    assert idp.check_local_secrets("http://localhost:8601", "http://127.0.0.1:9555", path=path) == []
    # A file written before the setting existed is reported, so `make run` says to rewrite it.
    old = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("TRUSTED_EMAIL"))
    path.write_text(old)
    assert idp.check_local_secrets("http://localhost:8601", "http://127.0.0.1:9555", path=path) == [
        "TRUSTED_EMAIL_ISSUERS"]
