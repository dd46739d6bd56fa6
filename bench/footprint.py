"""Benchmark 3, footprint: resident memory of `serve` when idle (empty database, and with
100,000 pairs stored), and start-up time to the first answered Slack request. The reference is
the bare Bolt app (bench/bare_app.py) measured the same way in the same run."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from bench.common import (
    PY,
    Backend,
    Proc,
    bot_cmd,
    check_running,
    child_env,
    db_upgrade,
    on_free_port,
    wait_until,
    write_config,
)
from bench.load import Prepared, StandIn, send_all
from bench.report import Report, Result

HELPER = "UF00000001"


def _first_answer(port: int, request: Prepared, proc: Proc) -> None:
    """Send `/mentorship help` until the app answers it with 200."""

    def answered() -> bool:
        check_running(proc)
        samples, _ = send_all(port, [request], 1)
        return samples[0].status == 200

    wait_until(answered, timeout=120, what=f"{proc.name} to answer", every=0.01)


def _ticked(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return bool(json.loads(response.read()).get("last_tick"))
    except OSError:
        return False


def measure(
    name: str,
    args: list[str],
    env: dict[str, str],
    logs: Path,
    port: int,
    request: Prepared,
    scheduler: bool,
    idle: float,
) -> tuple[float, dict[str, int]]:
    """(seconds to the first answered request, memory once idle)."""
    start = time.monotonic()
    proc = Proc.spawn(name, args, logs, env)
    try:
        _first_answer(port, request, proc)
        startup = time.monotonic() - start
        if scheduler:  # the first heartbeat (planner and dispatcher) has run over the data
            wait_until(lambda: _ticked(port), timeout=300, what="the first scheduler tick")
        send_all(port, [request] * 20, 1)
        time.sleep(idle)
        memory = proc.memory()
    finally:
        proc.stop()
    return startup, memory


def _measure_serve(
    name: str, config: Path, logs: Path, request: Prepared, idle: float
) -> tuple[float, dict[str, int]]:
    """`measure` for `mentorship-bot serve` with this config, on a free port."""
    serve = bot_cmd(config, "serve")
    return on_free_port(
        lambda port: measure(
            name, serve, child_env(PORT=str(port)), logs, port, request, True, idle
        )
    )


def footprint(
    report: Report,
    db: str,
    backend: Backend,
    standin: StandIn,
    work: Path,
    logs: Path,
    big_url: str,
    big_label: str,
    idle: float = 2.0,
) -> None:
    standin.add_users([HELPER])
    [request] = standin.prepared("commands", {"users": [HELPER], "text": "help"})
    ref_args = [PY, "-m", "bench.bare_app", "--api-url", standin.api_url, "--port"]
    ref_start, ref_mem = on_free_port(
        lambda port: measure(
            "footprint-ref", [*ref_args, str(port)], child_env(), logs, port, request, False, idle
        )
    )
    empty_url = backend.create("footprint")
    for label, url in (("empty database", empty_url), (big_label, big_url)):
        config = write_config(work / "footprint.toml", api_url=standin.api_url, db_url=url)
        if url == empty_url:
            db_upgrade(config)
        startup, memory = _measure_serve(f"footprint-{db}", config, logs, request, idle)
        report.add(
            Result(
                "footprint", f"serve start-up to first answer, {label}", db, startup, "s", ref_start
            )
        )
        report.add(
            Result(
                "footprint",
                f"serve resident memory idle, {label}",
                db,
                memory["VmRSS"] / 1024,
                "MiB",
                ref_mem["VmRSS"] / 1024,
            )
        )
        report.add(
            Result(
                "footprint",
                f"serve peak resident memory, {label}",
                db,
                memory["VmHWM"] / 1024,
                "MiB",
                ref_mem["VmHWM"] / 1024,
            )
        )
