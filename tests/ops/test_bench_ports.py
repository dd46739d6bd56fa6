"""The benchmark's child processes get a port picked a moment before they bind it; another
process (a test beside it) may take that port in between, and the benchmark then starts the
child again on another instead of failing the run."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from bench.common import PortTaken, Proc, check_running, on_free_port, wait_until


def test_a_start_whose_port_was_taken_is_tried_again_on_another() -> None:
    tried: list[int] = []

    def start(port: int) -> int:
        tried.append(port)
        if len(tried) < 3:
            raise PortTaken("taken")
        return port

    assert on_free_port(start) == tried[-1] and len(tried) == 3
    tried.clear()
    with pytest.raises(PortTaken):
        on_free_port(start, tries=2)
    assert len(tried) == 2


def test_a_child_that_could_not_bind_is_told_from_one_that_failed(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        binds = f"import socket; socket.socket().bind(('127.0.0.1', {port}))"
        taken = Proc.spawn("binds", [sys.executable, "-c", binds], tmp_path)
        wait_until(lambda: not taken.alive(), timeout=30, what="the child to end")
    with pytest.raises(PortTaken):
        check_running(taken)
    failed = Proc.spawn("fails", [sys.executable, "-c", "raise SystemExit('no config')"], tmp_path)
    wait_until(lambda: not failed.alive(), timeout=30, what="the child to end")
    with pytest.raises(RuntimeError, match="no config") as info:
        check_running(failed)
    assert not isinstance(info.value, PortTaken)
    running = Proc.spawn("runs", [sys.executable, "-c", "import time; time.sleep(30)"], tmp_path)
    try:
        check_running(running)  # nothing to say while it runs
    finally:
        running.stop()
