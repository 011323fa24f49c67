"""AppTest the way a server runs the app: every run goes through dashboard.py.

AppTest resets Streamlit's "pages/ directory" flag before every run, so with a pages/
folder next to dashboard.py a page reached with ``switch_page`` would run WITHOUT
dashboard.py (no sign-in gate, no session limit, no per-role page list). A real server
clears the flag once st.navigation has run; ``through_entry_script`` does the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


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
