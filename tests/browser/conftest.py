"""A live stack for browser tests: seeded SQLite DB, the DEVELOPMENT identity
provider and the Streamlit app as subprocesses, and a headless Chromium.

Nothing here touches the developer's data/ or .streamlit/secrets.toml: the
database, the secrets file (passed with --secrets.files) and the logs all live
in a pytest temp directory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMPLOYEES = 300
SEED = 7
START_TIMEOUT = 60.0
# Timeouts for Playwright actions and waits, in ms.
ACTION_TIMEOUT_MS = 20_000
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, n: int = 40) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


@dataclass
class LiveStack:
    app_url: str
    idp_url: str
    db_url: str
    demo_users: list[dict]
    procs: list[Proc] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log}) ---\n{p.tail()}" for p in self.procs)


def wait_for_url(url: str, proc: Proc, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not answer {url} within {timeout:.0f} s ({last}):\n{proc.tail()}")


def start(name: str, args: list[str], env: dict[str, str], logdir: Path) -> Proc:
    log = logdir / f"{name}.log"
    fh = open(log, "wb")  # noqa: SIM115 - handed to the child, closed with the session
    popen = subprocess.Popen(
        args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT
    )
    fh.close()
    return Proc(name, popen, log)


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory) -> Iterator[LiveStack]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")

    from db import migrate
    from db.engine import make_engine
    from devtools.idp import write_local_secrets
    from seed.demo import DEMO_USERS, seed_database

    tmp = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{tmp / 'app.db'}"
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        seed_database(engine, employees=EMPLOYEES, seed=SEED)
    finally:
        engine.dispose()

    idp_port, app_port = free_port(), free_port()
    while app_port == idp_port:
        app_port = free_port()
    # localhost for the app everywhere: the login cookie is set for the redirect_uri's host.
    app_url = f"http://localhost:{app_port}"
    idp_url = f"http://127.0.0.1:{idp_port}"
    secrets_path, _ = write_local_secrets(
        app_url=app_url, idp_url=idp_url, force=True, path=tmp / "secrets.toml"
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(DATABASE_URL=db_url, PYTHONUNBUFFERED="1")

    stack = LiveStack(app_url=app_url, idp_url=idp_url, db_url=db_url, demo_users=list(DEMO_USERS))
    try:
        idp = start("idp", [sys.executable, "manage.py", "idp", "--port", str(idp_port)], env, tmp)
        stack.procs.append(idp)
        app = start(
            "streamlit",
            [
                sys.executable, "-m", "streamlit", "run", "dashboard.py",
                "--server.port", str(app_port),
                "--server.address", "localhost",
                "--server.headless", "true",
                "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
                "--server.runOnSave", "false",
                # Only this file: never the repo's (or the user's) secrets.toml.
                "--secrets.files", str(secrets_path),
            ],
            env,
            tmp,
        )
        stack.procs.append(app)
        wait_for_url(f"{idp_url}/.well-known/openid-configuration", idp)
        wait_for_url(f"{app_url}/_stcore/health", app)
        yield stack
    finally:
        for proc in reversed(stack.procs):
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
    allowed = ("http://localhost:", "http://127.0.0.1:")
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )
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

