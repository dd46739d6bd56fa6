"""Helpers for the Home, command and authorization scenarios."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.home.help import NOTICE_ID
from bot.standin import DriverResponse, StoredView
from bot.standin.render import render_view
from storage.models import Delivery, Pair
from tests.kit.plans import PLAN
from tests.kit.workspace import Bot, wait_for

NINA = "U0NINA0001"  # Lena's mentee: a pair that has nothing to do with Omar and Maya


def start(bot: Bot, creator: str, **changes: Any) -> int:
    """Submit a plan (the start scenario's, with changes) and return the new pair's id."""
    response = bot.start_plan(creator, {**PLAN, **changes})
    assert response.status == 200 and not response.body.strip(), response.body
    with bot.sessions() as s:
        return max(s.scalars(select(Pair.id)))


def pair(bot: Bot, pair_id: int) -> Pair:
    with bot.sessions() as s:
        found = s.get(Pair, pair_id)
        assert found is not None
        return found


def home_hash(bot: Bot, user: str) -> str:
    view = bot.standin.home_view(user)
    return str(view.view["hash"]) if view else ""


def after_home_change(bot: Bot, user: str, act: Callable[[], DriverResponse]) -> StoredView:
    """Do something, then wait until the user's Home tab was published again."""
    before = home_hash(bot, user)
    response = act()
    assert response.status == 200, response.body
    wait_for(lambda: home_hash(bot, user) != before, what=f"{user}'s Home to be published")
    view = bot.standin.home_view(user)
    assert view is not None
    return view


def open_home(bot: Bot, user: str) -> StoredView:
    """The user opens the Home tab; returns what was published."""
    return after_home_change(bot, user, lambda: bot.driver.open_home(user))


def home_text(bot: Bot, view: StoredView) -> str:
    """The Home tab as a person reads it (one line per block)."""
    return render_view(view.blocks, bot.standin.ws.name_of)


def action_ids(view: StoredView) -> set[str]:
    found = set()
    for block in view.blocks:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("action_id"):
                found.add(element["action_id"])
    return found


def command(bot: Bot, user: str, text: str) -> str:
    """Run `/mentorship text` and return the ephemeral answer (as rendered text)."""
    before = len(bot.standin.ephemeral_messages(user))
    response = bot.driver.slash_command(user, text)
    assert response.status == 200, response.body
    replies = wait_for(
        lambda: bot.standin.ephemeral_messages(user)[before:], what=f"the answer to {text!r}"
    )
    return bot.standin.ws.render(replies[-1])


def dms(bot: Bot, user: str) -> list[str]:
    return [m.text for m in bot.standin.dm_messages(user)]


def wait_dm(bot: Bot, user: str, contains: str) -> str:
    """Wait for (ticking the scheduler) a DM to `user` containing `contains`."""

    def found() -> str | None:
        bot.tick()
        return next((t for t in reversed(dms(bot, user)) if contains in t), None)

    text = wait_for(found, what=f"a DM to {user} with {contains!r}")
    assert text is not None
    return text


def rows(bot: Bot, pair_id: int, kind: str, status: str = "pending") -> list[Delivery]:
    with bot.sessions() as s:
        return list(
            s.scalars(
                select(Delivery)
                .where(
                    Delivery.pair_id == pair_id, Delivery.kind == kind, Delivery.status == status
                )
                .order_by(Delivery.due_at)
            )
        )


def run_days(bot: Bot, days: float, step: timedelta = timedelta(hours=1)) -> None:
    """Tick the scheduler every `step` for `days` of simulated time."""
    end = bot.clock.now() + timedelta(days=days)
    while bot.clock.now() < end:
        bot.clock.advance(step)
        bot.tick()


def home_now(bot: Bot, user: str) -> str:
    """The user's Home tab as last published ("" when none)."""
    view = bot.standin.home_view(user)
    return home_text(bot, view) if view else ""


def home_notice(bot: Bot, user: str) -> str:
    """The notice at the top of the user's Home tab ("" when there is none): what a Home button
    could not do."""
    view = bot.standin.home_view(user)
    blocks = view.blocks if view else []
    found = [b for b in blocks if b.get("block_id") == NOTICE_ID]
    return str(found[0]["text"]["text"]) if found else ""
