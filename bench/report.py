"""Results: each figure with its reference (measured in the same run) and the ratio."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.common import fmt


@dataclass
class Result:
    bench: str  # latency, dispatch, footprint
    measure: str
    db: str
    value: float
    unit: str
    ref: float | None = None  # the reference figure, measured in the same run
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ref is None or self.ref == 0 or math.isnan(self.ref) or math.isnan(self.value):
            return None
        return self.value / self.ref

    @property
    def digits(self) -> int:
        return 2 if self.unit in ("fraction", "per nudge") else 1

    def line(self) -> str:
        ratio, d = self.ratio, self.digits
        ref = f" (ref {fmt(self.ref, d)} {self.unit}, ×{ratio:.2f})" if ratio is not None else ""
        target = f"  [target: {self.target}]" if self.target else ""
        return f"  {self.measure}: {fmt(self.value, d)} {self.unit}{ref}{target}"


class Report:
    def __init__(self) -> None:
        self.results: list[Result] = []

    def add(self, result: Result) -> Result:
        self.results.append(result)
        print(f"[{result.db}] {result.line().strip()}", flush=True)
        return result

    def table(self) -> str:
        """A Markdown table: one row per measure, one value column per database."""
        dbs = list(dict.fromkeys(r.db for r in self.results))
        rows: dict[tuple[str, str], dict[str, Result]] = {}
        for r in self.results:
            rows.setdefault((r.bench, r.measure), {})[r.db] = r
        head = ["benchmark", "measure"]
        for db in dbs:
            head += [db, f"{db} ref", f"{db} ×ref"]
        head.append("target")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for (bench, measure), by_db in rows.items():
            any_r = next(iter(by_db.values()))
            cells = [bench, f"{measure} ({any_r.unit})"]
            for db in dbs:
                found = by_db.get(db)
                if found is None:
                    cells += ["", "", ""]
                    continue
                ratio = found.ratio
                cells += [
                    fmt(found.value, found.digits),
                    fmt(found.ref, found.digits) if found.ref is not None else "",
                    f"{ratio:.2f}" if ratio is not None else "",
                ]
            cells.append(any_r.target)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([asdict(r) for r in self.results], indent=1))
