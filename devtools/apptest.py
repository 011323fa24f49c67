"""AppTest the way a server runs the app: every run goes through dashboard.py.

AppTest resets Streamlit's "pages/ directory" flag before every run, so with a pages/
folder next to dashboard.py a page reached with ``switch_page`` would run WITHOUT
dashboard.py (no sign-in gate, no session limit, no per-role page list). A real server
clears the flag once st.navigation has run; ``through_entry_script`` does the same.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# The issuer of the identities AppTest signs in (a real provider's ID token always has one).
TEST_ISSUER = "https://identity.example.test"


def signed_in_claims(email: str, *, issued_at: float | None = None, subject: str | None = None,
                     verified: bool | None = True, issuer: str = TEST_ISSUER) -> dict:
    """What ``st.user`` holds after a login: the ID token's claims (sub defaults to the email),
    for AppTest's ``at.user``. ``verified=None`` leaves out ``email_verified``."""
    claims = {"is_logged_in": True, "iss": issuer, "sub": subject or email, "email": email, "name": email,
              "iat": time.time() if issued_at is None else issued_at}
    if verified is not None:
        claims["email_verified"] = verified
    return claims


@contextmanager
def through_entry_script() -> Iterator[None]:
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    try:
        yield
    finally:
        PagesManager.__init__ = original
