"""DEVELOPMENT ONLY: start the app stack (identity provider + `streamlit run`) as subprocesses.

Used by the benchmark's load test (devtools/bench/load_test.py) and the multi-process test
(tests/multiprocess) and the browser tests (tests/browser). Everything listens on
loopback; logs and the per-process secrets files live in a directory the caller owns.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
START_TIMEOUT = 60.0


def free_port(exclude: set[int] | None = None) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not exclude or port not in exclude:
            return port


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, n: int = 40) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory so far (Linux VmHWM), in MiB."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


def start(name: str, args: list[str], env: dict[str, str], logdir: Path) -> Proc:
    log = Path(logdir) / f"{name}.log"
    fh = open(log, "wb")  # noqa: SIM115 - handed to the child
    popen = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT)
    fh.close()
    return Proc(name, popen, log)


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


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for a child process: ours without STREAMLIT_* settings, plus DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)
    return env


def start_idp(env: dict[str, str], logdir: Path, port: int | None = None) -> tuple[Proc, str]:
    """The DEVELOPMENT identity provider on 127.0.0.1; returns (process, its URL)."""
    port = port or free_port()
    proc = start("idp", [sys.executable, "manage.py", "idp", "--port", str(port)], env, logdir)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{url}/.well-known/openid-configuration", proc)
    except BaseException:
        proc.stop()
        raise
    return proc, url


def start_app(
    name: str, env: dict[str, str], logdir: Path, idp_url: str, *, port: int | None = None,
    cookie_secret: str | None = None,
) -> tuple[Proc, str]:
    """`streamlit run dashboard.py` on localhost with its own secrets file; returns (process, URL).

    Processes given the same ``cookie_secret`` accept each other's login cookie, as N
    processes behind one proxy do.
    """
    from devtools.idp import write_local_secrets

    port = port or free_port()
    # localhost everywhere: the login cookie is set for the redirect_uri's host.
    url = f"http://localhost:{port}"
    secrets_path, _ = write_local_secrets(app_url=url, idp_url=idp_url, force=True,
                                          path=Path(logdir) / f"{name}-secrets.toml")
    if cookie_secret:
        text = secrets_path.read_text(encoding="utf-8").splitlines()
        text = [f'cookie_secret = "{cookie_secret}"' if line.startswith("cookie_secret =") else line
                for line in text]
        secrets_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    proc = start(
        name,
        [
            sys.executable, "-m", "streamlit", "run", "dashboard.py",
            "--server.port", str(port),
            "--server.address", "localhost",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            # Only this file: never the repo's (or the user's) secrets.toml.
            "--secrets.files", str(secrets_path),
        ],
        env,
        logdir,
    )
    try:
        wait_for_url(f"{url}/_stcore/health", proc)
    except BaseException:
        proc.stop()
        raise
    return proc, url


def loopback_only(url: str) -> bool:
    """Whether a test browser may fetch ``url``: loopback only (the provider links a CDN stylesheet)."""
    return url.startswith(("http://localhost:", "http://127.0.0.1:"))
