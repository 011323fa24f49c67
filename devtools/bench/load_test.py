"""A bounded load test on loopback: `streamlit run` with the development identity provider, many
sessions clicking through the pages for a fixed time; page times p50/p95 and errors."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from devtools.bench.databases import BenchDatabase, BenchUsers, database_copy
from devtools.bench.page_runs import app_pages, app_role
from devtools.bench.settings import ROLES, percentile, rounded

LOAD_TIMEOUT_S = 120.0


def run_load(database: BenchDatabase, users: BenchUsers, *, sessions: int, seconds: float, think_s: float = 1.0,
             browsers: int = 2, processes: int = 1, logdir: Path | None = None) -> dict:
    """``sessions`` concurrent app sessions against ``processes`` `streamlit run` processes (with the
    development identity provider) on loopback for ``seconds``, half as the officer and half as the
    HR manager, each walking its page menu with ``think_s`` between pages. Session i stays on
    process i mod N, as a proxy with sticky sessions would keep it.

    The sessions are websocket clients speaking Streamlit's own protocol (what the browser's
    JavaScript sends: a rerun request for a page; the server runs the script and streams the page
    back): page time = request sent to "script finished" received, so the figure is the server's,
    not the speed of N Chromium renderers sharing the server's CPUs. They carry real login cookies
    from an OIDC sign-in in Chromium. ``browsers`` more sessions are real headless Chromium tabs
    clicking the menu (page time = click to the new page's h1 shown and the script finished),
    reported apart: they include rendering, on the same CPUs as the server.
    """
    from devtools.stack import CHROMIUM

    if not CHROMIUM.exists():
        return {"skipped": f"needs Debian's chromium at {CHROMIUM} for the sign-in"}
    # On a throw-away copy: signing in writes (the account's link to its identity, the audit log), and
    # the page runs before it linked the bench's accounts to the test issuer, which would refuse the
    # development provider's sign-in ("linked to a different sign-in identity").
    with database_copy(database) as url:
        _release_identities(url, users)
        result = _load_on(url, database, users, sessions=sessions, seconds=seconds, think_s=think_s,
                          browsers=browsers, processes=processes, logdir=logdir)
    return {**result, "database": database.scale}


def _release_identities(url: str, users: BenchUsers) -> None:
    """Unlink the bench's accounts from the identities that claimed them, as an admin would."""
    from sqlmodel import Session

    from db.engine import get_engine
    from services.identity import release_identity

    with Session(get_engine(url)) as session:
        for role in ROLES:
            release_identity(session, email=users.email(role))


def _load_on(url: str, database: BenchDatabase, users: BenchUsers, *, sessions: int, seconds: float,
             think_s: float, browsers: int, processes: int, logdir: Path | None) -> dict:
    from devtools.stack import child_env, start_app, start_idp

    own_directory = logdir is None
    logdir = Path(tempfile.mkdtemp(prefix="bench-load-")) if own_directory else Path(logdir)
    env = child_env(url, AS_OF_DATE=(database.seeded_on or date.today()).isoformat())
    processes_started = []
    try:
        idp, idp_url = start_idp(env, logdir)
        processes_started.append(idp)
        apps = []
        for number in range(max(1, processes)):
            app, app_url = start_app(f"streamlit-{number}", env, logdir, idp_url)
            processes_started.append(app)
            apps.append((app, app_url))
        pages, role_pages = app_pages()
        titles = {role: [pages[name].title for name in role_pages[app_role(role)]] for role in ROLES}
        load = _LoadRun(seconds, think_s)
        result = asyncio.run(load.run([url for _app, url in apps], idp_url, users, titles, sessions, browsers))
        result["processes"] = len(apps)
        result["server_peak_rss_mb"] = max((app.peak_rss_mb() or 0) for app, _url in apps)
        return result
    finally:
        for process in reversed(processes_started):
            process.stop()
        if own_directory:
            shutil.rmtree(logdir, ignore_errors=True)


async def _sign_in(browser, app_url: str, idp_url: str, email: str):
    """A Chromium tab signed in through the provider's form; returns (context, page)."""
    from devtools.stack import APP_IDLE, loopback_only

    context = await browser.new_context(viewport={"width": 1400, "height": 1000})

    async def route(request_route):
        await (request_route.continue_() if loopback_only(request_route.request.url) else request_route.abort())

    await context.route("**/*", route)
    page = await context.new_page()
    page.set_default_timeout(LOAD_TIMEOUT_S * 1000)
    await page.goto(app_url)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(re.escape(idp_url) + r"/oauth2/authorize"))
    await page.locator("input[name='sub']").fill(email)
    await page.get_by_role("button", name="Authorize").click()
    await page.wait_for_url(re.compile(re.escape(app_url) + r"/(\?.*)?$"))
    await page.get_by_role("button", name="Log out").first.wait_for(state="visible")
    await page.wait_for_selector(APP_IDLE)
    return context, page


class _Session:
    """One app session over Streamlit's websocket protocol (as the browser's frontend speaks it)."""

    def __init__(self, app_url: str, cookies: list[dict]) -> None:
        self.app_url = app_url
        self.jar = {cookie["name"]: cookie["value"] for cookie in cookies}
        self.pages: dict[str, str] = {}  # menu title -> page script hash (from the navigation message)
        self.websocket = None

    async def connect(self) -> None:
        import websockets

        self.websocket = await websockets.connect(
            self.app_url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=["streamlit", self.jar.get("_streamlit_xsrf", "")],
            additional_headers={"Cookie": "; ".join(f"{name}={value}" for name, value in self.jar.items()),
                                "Origin": self.app_url},
            max_size=None, open_timeout=LOAD_TIMEOUT_S,
        )

    def _read_element(self, element, problems: list[str], heading: str) -> str:
        """Note an exception or the page's error message in ``problems``; the page's h1 once seen."""
        kind = element.WhichOneof("type")
        if kind == "exception":
            problems.append(f"exception: {element.exception.message[:150]}")
        elif kind == "alert" and "Something went wrong" in element.alert.body:
            problems.append("the page's error message")
        elif kind == "heading" and element.heading.tag == "h1" and not heading:
            heading = element.heading.body
        return heading

    async def run(self, page_hash: str = "") -> tuple[float, list[str], str]:
        """Ask for a run of a page (the default page for ""); (seconds, problems, h1 shown)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        request = BackMsg()
        request.rerun_script.page_script_hash = page_hash
        request.rerun_script.query_string = ""
        started = time.perf_counter()
        await self.websocket.send(request.SerializeToString())
        problems: list[str] = []
        heading = ""
        async with asyncio.timeout(LOAD_TIMEOUT_S):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await self.websocket.recv())
                kind = message.WhichOneof("type")
                if kind == "navigation":
                    self.pages = {page.page_name: page.page_script_hash for page in message.navigation.app_pages}
                elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    heading = self._read_element(message.delta.new_element, problems, heading)
                elif kind == "script_finished":
                    took = time.perf_counter() - started
                    if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        problems.append(f"script finished with status {message.script_finished}")
                    return took, problems, heading

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()


def _statistics(samples: list[tuple[str, float]]) -> dict:
    """Page-load count and p50/p95/max seconds, in all and per page title."""
    values = [sample[1] for sample in samples]
    per_page = {}
    for title in dict.fromkeys(sample[0] for sample in samples):
        times = [sample[1] for sample in samples if sample[0] == title]
        per_page[title] = {"n": len(times), "p50_s": rounded(percentile(times, 50)),
                           "p95_s": rounded(percentile(times, 95))}
    return {"page_loads": len(values), "p50_s": rounded(percentile(values, 50)),
            "p95_s": rounded(percentile(values, 95)), "max_s": rounded(max(values) if values else None),
            "per_page": per_page}


class _LoadRun:
    """The sessions and tabs of one load test, the page times they collect and the errors they meet."""

    def __init__(self, seconds: float, think_s: float) -> None:
        self.seconds = seconds
        self.think_s = think_s
        self.deadline = 0.0
        self.session_samples: list[tuple[str, float]] = []
        self.browser_samples: list[tuple[str, float]] = []
        self.errors: list[str] = []

    def failed(self, where: str, error: BaseException) -> None:
        why = (str(error).splitlines() or [""])[0][:200] or f"no answer within {LOAD_TIMEOUT_S:.0f} s"
        self.errors.append(f"{where}: {type(error).__name__}: {why}")

    async def run(self, app_urls: list[str], idp_url: str, users: BenchUsers, titles: dict[str, list[str]],
                  sessions: int, browsers: int) -> dict:
        from playwright.async_api import async_playwright

        from devtools.stack import CHROMIUM, CHROMIUM_ARGS

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                cookies = await self._cookies(browser, app_urls, idp_url, users)
                tabs = await self._open_tabs(browser, app_urls, idp_url, users, browsers)
                clients = await self._connect(app_urls, cookies, sessions)
                self.deadline = time.monotonic() + self.seconds
                await asyncio.gather(*(self._walk(i, role, client) for i, (role, client) in enumerate(clients)),
                                     *(self._click(i, role, page, titles[role])
                                       for i, (role, _context, page) in enumerate(tabs)))
                for _role, client in clients:
                    await client.close()
                for _role, context, _page in tabs:
                    await context.close()
            finally:
                await browser.close()
        return {
            "sessions": sessions, "connected": len(clients), "browsers": browsers, "browsers_signed_in": len(tabs),
            "seconds": self.seconds, "think_s": self.think_s, "errors": len(self.errors),
            "error_examples": sorted(set(self.errors))[:5],
            **_statistics(self.session_samples), "browser": _statistics(self.browser_samples),
        }

    @staticmethod
    async def _cookies(browser, app_urls: list[str], idp_url: str, users: BenchUsers) -> dict:
        """One real OIDC sign-in per process and role; its cookies (login + XSRF) serve that role's
        websocket sessions on that process."""
        cookies = {}
        for app_url in app_urls:
            for role in ROLES:
                context, _page = await _sign_in(browser, app_url, idp_url, users.email(role))
                cookies[(app_url, role)] = await context.cookies(app_url)
                await context.close()
        return cookies

    async def _open_tabs(self, browser, app_urls: list[str], idp_url: str, users: BenchUsers,
                         browsers: int) -> list[tuple]:
        tabs = []
        for i in range(browsers):
            role, app_url = ROLES[i % 2], app_urls[i % len(app_urls)]
            try:
                tabs.append((role, *await _sign_in(browser, app_url, idp_url, users.email(role))))
            except Exception as error:  # noqa: BLE001
                self.failed(f"browser sign-in {role}", error)
        return tabs

    async def _connect(self, app_urls: list[str], cookies: dict, sessions: int) -> list[tuple[str, _Session]]:
        clients = []
        for i in range(sessions):
            role, app_url = ROLES[i % 2], app_urls[i % len(app_urls)]
            client = _Session(app_url, cookies[(app_url, role)])
            try:
                await client.connect()
                _took, problems, heading = await client.run()  # the default page, as after sign-in
                if len(client.pages) < 2:  # a refusal screen ("No access") is a menu of one
                    raise RuntimeError(f"no page menu, the app shows {heading or list(client.pages)!r}: "
                                       f"not signed in? {'; '.join(problems)}")
                clients.append((role, client))
            except Exception as error:  # noqa: BLE001
                self.failed(f"session {i} ({role}) start", error)
        return clients

    async def _tour(self, menu: list[str], i: int, who: str, visit, samples: list) -> None:
        """Open the menu's pages in turn (session i starts at page i) until the deadline;
        ``visit(title)`` returns (seconds, problem or None)."""
        current, position = menu[0], i
        while time.monotonic() < self.deadline:
            position += 1
            title = menu[position % len(menu)]
            if title == current:
                continue
            try:
                took, problem = await visit(title)
                if problem:
                    self.errors.append(f"{who} {title}: {problem}")
                else:
                    samples.append((title, took))
                current = title
            except Exception as error:  # noqa: BLE001
                self.failed(f"{who} {title}", error)
                return
            await asyncio.sleep(self.think_s)

    def _walk(self, i: int, role: str, client: _Session):
        async def visit(title: str):
            took, problems, heading = await client.run(client.pages[title])
            if not heading.startswith(title):
                problems.append(f"expected the page {title!r}, got {heading!r}")
            return took, problems[0] if problems else None

        return self._tour(list(client.pages), i, role, visit, self.session_samples)

    def _click(self, i: int, role: str, page, menu: list[str]):
        from devtools.stack import APP_IDLE

        async def visit(title: str):
            started = time.perf_counter()
            await page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
            await page.get_by_role("heading", level=1, name=title).first.wait_for(state="visible")
            await page.wait_for_selector(APP_IDLE)
            took = time.perf_counter() - started
            shown = await page.get_by_test_id("stException").count()
            shown += await page.get_by_text("Something went wrong while drawing this page").count()
            return took, "error shown on the page" if shown else None

        return self._tour(menu, i, f"browser {role}", visit, self.browser_samples)
