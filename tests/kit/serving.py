"""`serve` started as a process of its own, on a port the system picks as it binds (port 0).

A port picked beforehand (bind to 0, read it, close) can be taken by another process, a test
running beside this one, before `serve` binds it; `serve` then ends with "Address already in
use". Port 0 leaves no such gap: the port is read from `serve`'s own log line instead."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from tests.kit.workspace import wait_for

LISTENING = re.compile(r"listening on http://[0-9.]+:(\d+)")


def start_serve(
    args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `serve` (`args`, configured for port 0) with its log in `log`; the process and the
    port it listens on. The process is stopped when it never says where it listens."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stderr=out)
    try:
        return proc, bound_port(log, proc)
    except BaseException:
        proc.kill()
        proc.wait(timeout=20)
        raise


def bound_port(log: Path, proc: subprocess.Popen[Any], timeout: float = 30.0) -> int:
    """The port a `serve` started with port 0 listens on, from its "listening on" log line
    (written to `log`); fails with the log when `serve` ends first."""

    def said() -> int | None:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = LISTENING.search(text)
        if found:
            return int(found.group(1))
        if proc.poll() is not None:
            raise AssertionError(f"serve ended before it listened:\n{text[-3000:]}")
        return None

    port = wait_for(said, timeout=timeout, what="serve to say where it listens")
    assert port is not None and port > 0
    return port
