"""Hypothesis strategies for what people type and Slack holds: names, goals at the plan form's
limits, a vision, answers. Markup (`<!channel>`, `<@U…>`, `&`, `~`) comes often, every length up to
the limit comes at the limit too, and characters take 1 to 12 bytes once sent (\\uXXXX surrogate
pairs), so Slack's size limits are met head on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import strategies as st

from bot.domain.plan import MAX_GOALS, MAX_GOALS_TEXT, MAX_TEXT, goals_problem, one_goal

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
MARKUP = "R&D <b>x</b> <!channel> <@U123> ~y~"
MAX_NAME = 128  # the people cache's column (Slack's own names are shorter)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC")

# Characters that are markup in mrkdwn, or costly once sent (a surrogate pair is 12 bytes).
_SPECIAL = "<>&~*_`|!@#:\n"
_CHARS = st.one_of(
    st.sampled_from([*_SPECIAL.replace("\n", ""), "😀", "ß", "中", " "]),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
)


def line(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """One line of a person's text, up to `max_size` characters, often at the very limit."""
    repeated = st.builds(
        lambda unit, n: (unit * n)[:n],
        st.sampled_from(["<", "&", "😀", "~", "a ", "<@U1>", "&amp;"]),
        st.integers(max(min_size, 1), max(max_size, 1)),
    )
    typed = st.text(_CHARS, min_size=min_size, max_size=max_size)
    return st.one_of(typed, repeated, st.just(MARKUP[:max_size])).filter(
        lambda t: len(t) >= min_size
    )


def paragraph(max_size: int) -> st.SearchStrategy[str]:
    """A person's free text with line breaks (an answer)."""
    return st.one_of(
        line(max_size), st.text(st.one_of(_CHARS, st.just("\n")), max_size=min(max_size, 500))
    )


def name() -> st.SearchStrategy[str]:
    return line(MAX_NAME, 1).map(lambda t: t.strip() or "N").map(lambda t: t[:MAX_NAME])


@st.composite
def goals(draw: st.DrawFn) -> list[str]:
    """A person's goals as the plan form accepts them: up to 10, each under 1,000 characters,
    3,000 characters in all one per line."""
    raw = draw(st.lists(line(MAX_TEXT, 1), max_size=MAX_GOALS))
    kept: list[str] = []
    for text in raw:
        goal = one_goal(text)[:MAX_TEXT].strip()
        if goal and len("\n".join([*kept, goal])) <= MAX_GOALS_TEXT:
            kept.append(goal)
    assert goals_problem("\n".join(kept)) is None
    return kept


def vision() -> st.SearchStrategy[str]:
    return line(MAX_TEXT, 1).map(lambda t: t.strip() or "v")


@dataclass(frozen=True)
class Pool:
    """A few names and goal lists drawn once and shared by many cards or report lines (drawing
    each of 40 cards' 20 goals would make every example slow, and adds nothing)."""

    names: list[str]
    goal_lists: list[list[str]]
    visions: list[str]

    def name(self, i: int) -> str:
        return self.names[i % len(self.names)]

    def goals(self, i: int) -> list[str]:
        return self.goal_lists[i % len(self.goal_lists)]


def pool(data: st.DataObject) -> Pool:
    return Pool(
        data.draw(st.lists(name(), min_size=1, max_size=4)),
        data.draw(st.lists(goals(), min_size=1, max_size=3)),
        data.draw(st.lists(vision(), min_size=1, max_size=2)),
    )
