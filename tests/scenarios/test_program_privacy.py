"""Privacy and after publishing, through the stand-in: "don't match me with" is never shown to
the person named, nor in channels, reports, the CSV or the logs; the lead sees only "excluded by a
participant's preference"; a matched mentee can't leave but a mentor can; hand-made pairs show in
the CSV beside program pairs; checkpoints ask the program's own questions."""

from __future__ import annotations

import csv
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.programs.review_view import PUBLISH
from bot.standin import SlackStandIn
from tests.kit.plans import PLAN
from tests.kit.programs import (
    KIM,
    LEAD,
    LEE,
    MENTEES,
    NOOR,
    PROGRAM,
    add_cohort,
    click_in,
    create_program,
    enrol,
    enrol_everyone,
    open_review,
)
from tests.kit.workspace import LENA, MAYA, OMAR, Bot, wait_for


@pytest.fixture(autouse=True)
def cohort(standin: SlackStandIn) -> None:
    add_cohort(standin)


def everything_seen_by(bot: Bot, user: str) -> str:
    """Every message in a conversation `user` is in, every view of theirs, their Home."""
    seen = [
        f"{m.text} {m.blocks}"
        for m in bot.standin.messages
        if m.ephemeral_to == user or m.channel == "D" + user[1:]
    ]
    seen += [str(v.view) for v in bot.standin.views_for(user, include_closed=True)]
    return "\n".join(seen)


def test_dont_match_me_with_stays_private(
    bot: Bot, tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    create_program(bot)
    # Noor asks not to be matched with Omar (the only mentor offering SQL) nor with Lena.
    enrol_everyone(bot)
    r = enrol(bot, NOOR, {**MENTEES[NOOR], "avoid": [OMAR, LENA]})
    assert r.status == 200 and not r.body.strip()
    bot.start_plan(OMAR, {**PLAN, "Mentee": LEE})  # a hand-made pair beside the program
    review = open_review(bot)
    noor_row = next(b for b in review.blocks if "*Noor* — no mentor" in str(b))
    assert "The only mentor who offers *SQL* is excluded by a participant's preference" in str(
        noor_row
    )
    assert "Omar" not in str(noor_row) and "Lena" not in str(review.blocks)
    review = click_in(bot, LEAD, review, PUBLISH)
    bot.tick()
    bot.driver.slash_command(LEAD, "report")
    wait_for(lambda: bot.standin.ephemeral_messages(LEAD), what="the report")
    for user in (OMAR, MAYA, KIM):
        bot.driver.open_home(user)
    wait_for(lambda: bot.standin.home_view(KIM), what="a Home")

    # Noor is told plainly, without a word about anyone's wishes.
    told = [m.text for m in bot.standin.dm_messages(NOOR) if "No match for you" in m.text]
    assert told == [
        f"No match for you in *{PROGRAM}* this round — no mentor with room fitted what you "
        "asked for. You stay enrolled for the next round; there's nothing you need to do. Change "
        "your answers with `/mentorship join`, or withdraw with `/mentorship leave`."
    ]
    # Omar never hears of Noor; Lena appears nowhere but in Noor's own form.
    assert "Noor" not in everything_seen_by(bot, OMAR)
    outside_noor = [
        f"{m.text} {m.blocks}" for m in bot.standin.messages if m.channel != "D" + NOOR[1:]
    ]
    outside_noor += [
        str(v.view)
        for user in {v.user_id for v in bot.standin.ws.views.values()} - {NOOR}
        for v in bot.standin.views_for(user, include_closed=True)
    ]
    assert not [x for x in outside_noor if LENA in x or "Lena" in x]
    assert not any("preference" in x for x in outside_noor if "Review matches" not in x)

    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[clock]\nstart = "2027-03-01T08:00:00Z"\n')
    out = tmp_path / "report.csv"
    assert main(["--config", str(config), "export", "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert sorted(r["program"] for r in rows) == ["", *[PROGRAM] * 4]
    assert LENA not in out.read_text() and "Lena" not in out.read_text()
    assert not [r.getMessage() for r in caplog.records if LENA in r.getMessage()]

    # After publishing: a matched mentee can't leave; a mentor can, and the pair goes on.
    bot.driver.slash_command(LEE, f"leave {PROGRAM}")
    wait_for(lambda: bot.standin.ephemeral_messages(LEE), what="Lee's reply")
    assert "already matched with *Kim*" in bot.standin.ephemeral_messages(LEE)[-1].text
    bot.driver.slash_command(KIM, "leave")
    wait_for(lambda: bot.standin.ephemeral_messages(KIM), what="Kim's reply")
    assert "mentorship with *Lee* goes on" in bot.standin.ephemeral_messages(KIM)[-1].text

    # The first checkpoint asks the program's question (and the one about Lee's own goal).
    bot.clock.set(datetime(2027, 3, 29, 15, 0, tzinfo=UTC))
    bot.tick()
    asked = [m for m in bot.standin.dm_messages(LEE) if "Checkpoint 1" in m.text]
    assert len(asked) == 1 and "2 quick questions" in asked[0].text
    assert "*1/2:* How far did you get with *Run clusters at scale*?" in str(asked[0].blocks)
    before = len(bot.standin.dm_messages(LEE))
    bot.driver.user_dm(LEE, "Two clusters upgraded")
    wait_for(lambda: len(bot.standin.dm_messages(LEE)) > before, what="the next question")
    assert (
        "*2/2:* What did you try since the last checkpoint?"
        in str(bot.standin.dm_messages(LEE)[-1].blocks) + bot.standin.dm_messages(LEE)[-1].text
    )
