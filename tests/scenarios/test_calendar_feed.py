"""The private calendar subscription (HTTP mode): a link from the Home tab, shown once by DM and
stored only as a hash; GET /calendar/<token>.ics serves that person's mentorships and nobody
else's; a new link or a revoke makes the old one answer 404."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, select

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.documents.messages import FEED_NEW, FEED_REVOKE
from bot.domain.calendar import series_uid
from bot.domain.plan import Plan
from bot.domain.schedule import occurrences_utc
from bot.standin import SlackDriver, SlackStandIn
from storage.document_models import CalendarFeed, PairDocument
from storage.pairs import create_pair, meeting_rule
from tests.kit.documents import events, prop, starts
from tests.kit.home import NINA, after_home_change, home_now, open_home, pair, start
from tests.kit.workspace import LENA, MAYA, OMAR, SECRET, TEAM, Bot, make_config, wait_for

PUBLIC = "https://mentorship.example.com"
LINK = re.compile(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]+)\.ics")
END = datetime(2027, 9, 10, tzinfo=UTC)


@pytest.fixture
def web_bot(
    standin: SlackStandIn, engine: Engine, db_url: str, clock: ManualClock
) -> Iterator[Bot]:
    """The bot in HTTP mode with its public address configured (calendar links on)."""
    config = make_config(standin.api_url, db_url, server={"public_url": PUBLIC})
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    url = f"http://127.0.0.1:{server.port}/slack/events"
    driver = SlackDriver(standin, bot_url=url, signing_secret=SECRET)
    yield Bot(runtime=runtime, server=server, standin=standin, driver=driver, clock=clock)
    server.stop()
    runtime.engine.dispose()


def get(bot: Bot, path: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET to the bot's own server."""
    url = f"http://127.0.0.1:{bot.server.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def new_link(bot: Bot, user: str) -> str:
    """Click the Home's link button; the token from the DM it sends."""
    before = len(bot.standin.dm_messages(user))
    after_home_change(bot, user, lambda: bot.driver.click(user, FEED_NEW))
    texts = wait_for(lambda: [m.text for m in bot.standin.dm_messages(user)[before:]], 30)
    match = LINK.search(texts[-1])
    assert match, texts[-1]
    return match.group(1)


def test_a_private_link_serves_the_persons_meetings_until_revoked(web_bot: Bot) -> None:
    bot = web_bot
    bot.standin.add_user(NINA, "nina", real_name="Nina", tz="Europe/Lisbon")
    pair_id = start(bot, OMAR)
    start(bot, LENA, Mentor=LENA, Mentee=NINA)  # someone else's mentorship
    with bot.sessions.begin() as s:  # Maya's id in another workspace's mentorship
        other = Plan(
            MAYA,
            OMAR,
            ("x",),
            (),
            "v",
            "weekly",
            "weekday_position",
            date(2027, 3, 3),
            time(9),
            "UTC",
            "online",
            ("chat",),
            date(2027, 6, 3),
            4,
            None,
            False,
        )
        create_pair(s, "T0OTHER001", OMAR, other, bot.clock.now())
    bot.tick()
    open_home(bot, MAYA)
    assert "Calendar subscription" in home_now(bot, MAYA)
    assert "Get my calendar link" in home_now(bot, MAYA)

    token = new_link(bot, MAYA)
    status, kind, body = get(bot, f"/calendar/{token}.ics")
    assert status == 200 and kind == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(body)
    (series,) = [e for e in events(cal) if "RRULE" in e]  # only Maya's one mentorship here
    with bot.sessions() as s:
        doc = s.get(PairDocument, pair_id)
        assert doc is not None
        feed = s.scalars(select(CalendarFeed)).one()
    assert prop(series, "UID") == series_uid(TEAM, pair_id, doc.uid_key)
    assert starts(cal, END) == occurrences_utc(meeting_rule(pair(bot, pair_id)), until=END)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(feed))  # only the hash is kept
    assert "Revoke link" in home_now(bot, MAYA)

    # A new link replaces the old one; revoking stops the new one too.
    newer = new_link(bot, MAYA)
    assert get(bot, f"/calendar/{token}.ics")[0] == 404
    assert get(bot, f"/calendar/{newer}.ics")[0] == 200
    after_home_change(bot, MAYA, lambda: bot.driver.click(MAYA, FEED_REVOKE))
    assert get(bot, f"/calendar/{newer}.ics")[0] == 404
    assert "Get my calendar link" in home_now(bot, MAYA)
    assert get(bot, "/calendar/not-a-token.ics")[0] == 404
    assert get(bot, "/calendar/" + "A" * 43 + ".ics")[0] == 404


def test_without_a_public_address_there_is_no_link(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    home = open_home(bot, MAYA)
    assert FEED_NEW not in str(home.blocks) and "Calendar subscription" not in str(home.blocks)
    status, _, _ = get(bot, "/calendar/" + "A" * 43 + ".ics")
    assert status == 404
