"""The install pages in a real browser: Debian's Chromium, headless, renders what the app serves.

Every request Chromium makes to anything but loopback goes to a recording proxy on 127.0.0.1
that answers 502, and host names resolve to nothing, so nothing leaves the machine; the test
then checks that the page itself asked for nothing. Set INSTALL_SCREENSHOT=/some/path.png to
keep a copy of the install page's screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from bot.core.clock import ManualClock
from tests.kit.install import EXTERNAL, OAuthBot, add_to_slack_href, oauth_bot

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"no browser at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM=path)",
)
BUTTON = bytes((0x4A, 0x15, 0x4B))  # the button's background, #4a154b
# Chromium's own background calls (component updates, account checks, network time), which its
# flags do not silence. They reach only the recording proxy; anything else fails the test.
CHROMIUM_SERVICES = {"update.googleapis.com", "accounts.google.com", "clients2.google.com"}


@dataclass
class RecordingProxy:
    """An HTTP proxy on loopback that forwards nothing: it notes each request and answers 502."""

    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def refuse(self) -> None:
                proxy.requests.append(self.requestline)
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_CONNECT = refuse

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def hosts(self) -> set[str]:
        """The host of every request that tried to leave loopback."""
        found = set()
        for line in self.requests:
            method, target = line.split()[:2]
            found.add(
                target.rsplit(":", 1)[0] if method == "CONNECT" else urlsplit(target).hostname
            )
        return {host for host in found if host}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Rendered:
    dom: str
    screenshot: Path


@pytest.fixture
def site(engine: Engine, db_url: str, clock: ManualClock) -> Iterator[OAuthBot]:
    if db_url.startswith("postgresql"):
        pytest.skip("the browser only needs to see the pages once")
    with oauth_bot(db_url, clock, slack_authorize=True) as running:
        yield running


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    yield recorder
    recorder.stop()


def render(url: str, png: Path, proxy: RecordingProxy) -> Rendered:
    """Load `url` in headless Chromium: its DOM after loading, and a screenshot."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={png.parent / 'profile'}",
        f"--proxy-server={proxy.url}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--screenshot={png}",
        "--window-size=1000,1400",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0 and png.exists(), done.stderr[-2000:]
    return Rendered(done.stdout, png)


def test_install_page_renders_its_button_and_asks_for_nothing_outside(
    site: OAuthBot, proxy: RecordingProxy, tmp_path: Path
) -> None:
    page = render(f"{site.base}/", tmp_path / "install.png", proxy)  # "/" redirects to it

    assert '<html lang="en">' in page.dom and "<title>Add Mentorship to Slack</title>" in page.dom
    href = add_to_slack_href(page.dom)
    assert href.startswith("https://slack.com/oauth/v2/authorize?") and "state=" in href
    # Nothing in the rendered page fetches anything: the one external URL is the link to Slack.
    assert re.search(r"<(img|script|iframe|object|embed|video|audio)\b", page.dom) is None
    assert [url.replace("&amp;", "&") for url in EXTERNAL.findall(page.dom)] == [href]
    assert proxy.hosts() <= CHROMIUM_SERVICES, proxy.requests
    # The button is painted: a solid block of its colour, at least 100 px wide and 30 px tall.
    assert solid_rows(page.screenshot, BUTTON, width=100) >= 30
    keep = os.environ.get("INSTALL_SCREENSHOT")
    if keep:
        shutil.copyfile(page.screenshot, keep)


def test_failure_page_renders_with_its_way_back(
    site: OAuthBot, proxy: RecordingProxy, tmp_path: Path
) -> None:
    url = f"{site.base}/slack/oauth_redirect?error=access_denied&state=whatever"
    page = render(url, tmp_path / "failure.png", proxy)

    assert "You pressed Cancel" in page.dom and "access_denied" not in page.dom
    assert '<a class="button" href="/slack/install">Start again from the install page</a>' in (
        page.dom
    )
    assert EXTERNAL.findall(page.dom) == []
    assert proxy.hosts() <= CHROMIUM_SERVICES, proxy.requests
    assert solid_rows(page.screenshot, BUTTON, width=100) >= 30


def solid_rows(png: Path, colour: bytes, width: int) -> int:
    """How many rows of the screenshot hold `width` pixels of `colour` side by side."""
    pixels, rows = _decode_png(png.read_bytes())
    run = (colour + b"\xff" if pixels == 4 else colour) * width
    return sum(run in row for row in rows)


def _decode_png(data: bytes) -> tuple[int, list[bytes]]:
    """An 8-bit RGB or RGBA PNG as (bytes per pixel, rows of raw pixels); each row names its
    filter method (none, sub, up, average, Paeth), undone against the row above."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = pixels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
            pixels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
    raw, stride = zlib.decompress(idat), width * pixels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - pixels] if x >= pixels else 0
            up = previous[x]
            corner = previous[x - pixels] if x >= pixels else 0
            if method == 1:
                line[x] = (line[x] + left) & 0xFF
            elif method == 2:
                line[x] = (line[x] + up) & 0xFF
            elif method == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif method == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up))
                near = min(near, (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 0xFF
        rows.append(bytes(line))
        previous = line
    return pixels, rows
