"""Milestone labels for a Home with many pairs, from the milestones already loaded with them
(`milestone_label` in bot/reflections/milestones.py counts a pair's checkpoints with a query
per milestone; the Home has them all in hand)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.schedule import checkpoint_label
from storage.models import Pair


def milestone_labels(pairs: Iterable[Pair]) -> dict[int, str]:
    """milestone id -> "Kickoff", "Checkpoint 2 of 4" / "The halfway checkpoint", "Final review",
    as `milestone_label` words them."""
    labels: dict[int, str] = {}
    for pair in pairs:
        total = sum(1 for m in pair.milestones if m.kind == "checkpoint")
        for m in pair.milestones:
            if m.kind == "kickoff":
                labels[m.id] = "Kickoff"
            elif m.kind == "final_review":
                labels[m.id] = "Final review"
            else:
                label = checkpoint_label(m.index, total or 1)
                labels[m.id] = label[0].upper() + label[1:]
    return labels
