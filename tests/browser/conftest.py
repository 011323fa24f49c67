"""A live stack for browser tests: seeded SQLite DB, the DEVELOPMENT identity
provider and the Streamlit app as subprocesses (devtools/stack.py), and the
session's headless Chromium (the ``chromium`` fixture in tests/conftest.py).

Nothing here touches the developer's data/ or .streamlit/secrets.toml: the
database, the secrets file (passed with --secrets.files) and the logs all live
in a pytest temp directory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.stack import CHROMIUM, Proc, child_env, loopback_only, start_app, start_idp

EMPLOYEES = 300
SEED = 7
# Timeouts for Playwright actions and waits, in ms.
ACTION_TIMEOUT_MS = 20_000


@dataclass
class LiveStack:
    app_url: str
    idp_url: str
    db_url: str
    demo_users: list[dict]
    procs: list[Proc] = field(default_factory=list)
    # What a new app process needs to accept the running one's login cookies (restart_app).
    env: dict[str, str] = field(default_factory=dict, repr=False)
    cookie_secret: str = field(default="", repr=False)
    tmp: Path | None = None

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log}) ---\n{p.tail()}" for p in self.procs)

    def restart_app(self) -> None:
        """Replace the app by a new process on the same address, database and cookie secret
        (what a restart, or another process behind the proxy, is): nothing in memory survives."""
        index, old = next((i, p) for i, p in enumerate(self.procs) if p.name.startswith("streamlit"))
        old.stop()
        port = int(self.app_url.rsplit(":", 1)[1])
        proc, _ = start_app(f"streamlit-{len(self.procs)}", self.env, self.tmp, self.idp_url, port=port,
                            cookie_secret=self.cookie_secret)
        self.procs[index] = proc


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory) -> Iterator[LiveStack]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")

    from db import migrate
    from db.engine import make_engine
    from seed.demo import DEMO_USERS, seed_database

    tmp = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{tmp / 'app.db'}"
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        seed_database(engine, employees=EMPLOYEES, seed=SEED)
    finally:
        engine.dispose()

    env = child_env(db_url)
    cookie_secret = secrets.token_hex(32)
    procs: list[Proc] = []
    try:
        idp, idp_url = start_idp(env, tmp)
        procs.append(idp)
        app, app_url = start_app("streamlit", env, tmp, idp_url, cookie_secret=cookie_secret)
        procs.append(app)
        yield LiveStack(app_url=app_url, idp_url=idp_url, db_url=db_url, demo_users=list(DEMO_USERS), procs=procs,
                        env=env, cookie_secret=cookie_secret, tmp=tmp)
    finally:
        for proc in reversed(procs):
            proc.stop()


@pytest.fixture(scope="session")
def browser(live_stack, chromium):
    from playwright.sync_api import expect

    # The first run after login imports pandas/altair and queries: allow for slow CI.
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    return chromium


@pytest.fixture
def page(browser, live_stack, request):
    """A fresh browser context (no cookies) per test; external requests are blocked
    (the provider's pages link a CDN stylesheet), so tests never need the internet."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if loopback_only(route.request.url) else route.abort())
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            shot = Path(os.environ.get("BROWSER_ARTIFACTS", "/tmp")) / f"failed-{request.node.name}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failure: {shot}\n{live_stack.logs()}")
            except Exception:  # noqa: BLE001 - best effort
                pass
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.when == "call":
        item.rep_call = rep
    return rep

