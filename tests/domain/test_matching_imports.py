"""numpy and scipy (about 60 MiB resident and half a second) load when a cohort is matched, not
when the app starts: `serve` answers sooner and stays small (bench/README.md, footprint)."""

from __future__ import annotations

import subprocess
import sys

CHECK = (
    "import sys, bot.app, bot.programs.runs; "
    "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))"
)


def test_the_app_starts_without_numpy_or_scipy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
