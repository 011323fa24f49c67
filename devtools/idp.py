"""DEVELOPMENT ONLY: a local OpenID Connect provider and the secrets that point at it.

    python manage.py secrets   # writes .streamlit/secrets.toml (git-ignored) once
    python manage.py idp       # runs the provider on http://127.0.0.1:9400, knowing the demo users

The provider is the PyPI package ``oidc-provider-mock``. It signs in *anyone*
who types a subject into its form, accepts any client id/secret, runs Werkzeug's
debugger, and speaks plain HTTP. It is a stand-in for a real identity provider
on a developer's machine and in the browser tests, never the production path:
production configures its own ``[auth]`` section against a real provider.
``serve`` therefore refuses to listen on anything but a loopback address.

The identities it offers are handed in (``manage.py idp`` passes the seed's demo
users): developer tooling does not reach up into the seed or the data model.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9400
DEFAULT_APP_URL = "http://localhost:8501"
DEFAULT_IDP_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"

# An identity the provider knows but the app does not: signs in, then sees "No access".
STRANGER_EMAIL = "stranger@example.com"
STRANGER_NAME = "Sam Stranger"

# The mock provider accepts any client; these only have to match between the
# app's secrets and itself, and are labelled so nobody mistakes them for real ones.
DEV_CLIENT_ID = "microcred-dev"

# The setting services/identity.py reads (named again here: this module stays clear of the
# product; tests/devtools/test_idp.py checks the two agree).
TRUSTED_EMAIL_ISSUERS_VARIABLE = "TRUSTED_EMAIL_ISSUERS"


def identity_claims(identities: Iterable[tuple[str, str]]) -> list:
    """One provider identity per (email, display name) (sub = email), plus one without an account."""
    from oidc_provider_mock import User

    return [
        User(sub=email, claims={"email": email, "email_verified": True, "name": name})
        for email, name in [*identities, (STRANGER_EMAIL, STRANGER_NAME)]
    ]


# Values that are credentials, wherever a log line shows them: uvicorn's access log prints
# every request's query string, and Streamlit's logout sends the whole ID token as
# ``id_token_hint`` in the end_session address.
CREDENTIAL_PARAMETERS = ("id_token_hint", "id_token", "access_token", "refresh_token", "code",
                         "code_verifier", "client_secret", "assertion", "token")
_CREDENTIAL_IN_QUERY = re.compile(r"(?<![\w-])(" + "|".join(CREDENTIAL_PARAMETERS) + r")=[^&\s\"']*")
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")  # any JSON Web Token, e.g. in an error's text
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _JWT.sub(REDACTED, _CREDENTIAL_IN_QUERY.sub(lambda match: f"{match[1]}={REDACTED}", text))


class RedactCredentials(logging.Filter):
    """Rewrites each record (message and traceback) with its credentials blanked out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if redact(message) != message:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging() -> None:
    """INFO to stderr, through a handler that keeps tokens and codes out of the output."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, RedactCredentials) for existing in handler.filters):
            handler.addFilter(RedactCredentials())


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, identities: Iterable[tuple[str, str]] = ()
) -> int:
    """Run the DEVELOPMENT provider in the foreground (like ``python -m oidc_provider_mock``).

    ``identities`` are the (email, display name) pairs offered on its sign-in form.
    """
    if not is_loopback(host):
        print(
            f"Refusing to serve the development identity provider on {host!r}: it signs in "
            "anyone and runs a debugger, so it only listens on loopback "
            "(127.0.0.1, ::1 or localhost).",
            file=sys.stderr,
        )
        return 2

    import uvicorn
    from oidc_provider_mock import app

    users = identity_claims(identities)
    # Plain http is fine on loopback; Authlib refuses it unless told otherwise.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    configure_logging()

    shown = f"[{host}]" if ":" in host else host
    print(
        f"DEVELOPMENT ONLY identity provider on http://{shown}:{port} "
        f"({len(users)} predefined identities; any other subject is accepted too).",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app(user_claims=users),
        interface="wsgi",
        host=host,
        port=port,
        log_config=None,
    )
    return 0


def _toml_str(value: str) -> str:
    """A TOML basic string (the values written here are URLs and hex)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(c) < 0x20 for c in escaped):
        raise ValueError(f"control character in {value!r}")
    return f'"{escaped}"'


def _check_url(name: str, url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{name} must be an http(s) URL, got {url!r}")
    return url.rstrip("/")


def local_secrets_toml(app_url: str = DEFAULT_APP_URL, idp_url: str = DEFAULT_IDP_URL) -> str:
    app_url = _check_url("app_url", app_url)
    idp_url = _check_url("idp_url", idp_url)
    values = {
        # Streamlit reads [auth] (streamlit/auth_util.py): redirect_uri and cookie_secret,
        # and for the default provider client_id, client_secret, server_metadata_url.
        "redirect_uri": f"{app_url}/oauth2callback",
        "cookie_secret": secrets.token_hex(32),
        "client_id": DEV_CLIENT_ID,
        "client_secret": secrets.token_hex(16),
        "server_metadata_url": f"{idp_url}/.well-known/openid-configuration",
    }
    lines = [
        "# DEVELOPMENT ONLY: written by `python manage.py secrets` for the local mock",
        "# identity provider (`python manage.py idp`). Not for production; git-ignored.",
        "# Open the app at the host in redirect_uri (localhost), or the login cookie is lost.",
        "",
        "# The mock sends email_verified only for its predefined identities; a typed subject",
        "# comes with a bare email. Trust this issuer's emails anyway (README, signing in);",
        "# Streamlit passes root-level secrets to the app as environment variables.",
        f"{TRUSTED_EMAIL_ISSUERS_VARIABLE} = {_toml_str(idp_url)}",
        "",
        "[auth]",
        *(f"{key} = {_toml_str(value)}" for key, value in values.items()),
    ]
    return "\n".join(lines) + "\n"


def write_local_secrets(
    app_url: str = DEFAULT_APP_URL,
    idp_url: str = DEFAULT_IDP_URL,
    force: bool = False,
    path: str | os.PathLike[str] | None = None,
) -> tuple[Path, bool]:
    """Write the ``[auth]`` secrets for the local provider unless the file exists.

    Returns ``(path, written)``; ``written`` is False when an existing file was kept.
    """
    target = Path(path) if path is not None else DEFAULT_SECRETS_PATH
    if target.exists() and not force:
        return target, False
    text = local_secrets_toml(app_url, idp_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, True


def check_local_secrets(
    app_url: str = DEFAULT_APP_URL,
    idp_url: str = DEFAULT_IDP_URL,
    path: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Warn (stderr) when the secrets file points elsewhere than this run; returns the keys that differ.

    ``write_local_secrets`` keeps an existing file, so ports chosen after the first
    ``make setup`` would otherwise fail later with a confusing redirect error.
    """
    import tomllib

    target = Path(path) if path is not None else DEFAULT_SECRETS_PATH
    try:
        written = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"WARNING: cannot read {target}: {exc}", file=sys.stderr)
        return ["auth"]
    auth = written.get("auth", {})
    want = {
        "redirect_uri": f"{app_url.rstrip('/')}/oauth2callback",
        "server_metadata_url": f"{idp_url.rstrip('/')}/.well-known/openid-configuration",
    }
    differ = [key for key, value in want.items() if auth.get(key) != value]
    # Files written before the app checked email_verified lack it: typed subjects get "No access".
    if written.get(TRUSTED_EMAIL_ISSUERS_VARIABLE) != idp_url.rstrip("/"):
        differ.append(TRUSTED_EMAIL_ISSUERS_VARIABLE)
    if differ:
        print(
            f"WARNING: {target} does not match this run ({', '.join(differ)}). Rewrite it with:\n"
            f"  python manage.py secrets --force --app-url {app_url} --idp-url {idp_url}",
            file=sys.stderr,
        )
    return differ
