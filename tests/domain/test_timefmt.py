"""Time formatting: English, in the reader's zone, with a correct Slack fallback."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.timefmt import (
    format_local,
    format_local_date,
    is_valid_timezone,
    slack_date,
    zone_offset_note,
)

# 02:00 UTC on 17 Mar 2027: Wed 15:00 in Auckland (NZDT, +13), Tue 19:00 in Los Angeles (PDT, -7).
INSTANT = datetime(2027, 3, 17, 2, 0, tzinfo=UTC)
EPOCH = int(INSTANT.timestamp())


def test_format_local() -> None:
    assert format_local(datetime(2027, 3, 17, 14, 0, tzinfo=UTC), "Europe/Berlin") == (
        "Wed 17 Mar at 15:00"
    )
    assert format_local(INSTANT, "Pacific/Auckland") == "Wed 17 Mar at 15:00"
    assert format_local(INSTANT, "America/Los_Angeles") == "Tue 16 Mar at 19:00"
    assert format_local(datetime(2027, 1, 4, 9, 5, tzinfo=UTC), "Asia/Kolkata") == (
        "Mon 4 Jan at 14:35"
    )


def test_format_local_date() -> None:
    assert format_local_date(date(2027, 3, 17)) == "Wed 17 Mar 2027"
    assert format_local_date(date(2028, 2, 29)) == "Tue 29 Feb 2028"


def test_slack_date_fallback_is_in_the_readers_zone() -> None:
    for_la = slack_date(INSTANT, "America/Los_Angeles")
    assert for_la == f"<!date^{EPOCH}^{{date_short_pretty}} at {{time}}|Tue 16 Mar at 19:00>"
    for_auckland = slack_date(INSTANT, "Pacific/Auckland", fmt="{date_long} {time}")
    assert for_auckland == f"<!date^{EPOCH}^{{date_long}} {{time}}|Wed 17 Mar at 15:00>"
    same_instant_elsewhere = INSTANT.astimezone(ZoneInfo("Asia/Tokyo"))
    assert slack_date(same_instant_elsewhere, "America/Los_Angeles") == for_la


def test_zone_offset_note() -> None:
    berlin_15 = datetime(2027, 3, 17, 14, 0, tzinfo=UTC)
    assert zone_offset_note(berlin_15, "Europe/Berlin", "Europe/Paris") is None
    assert zone_offset_note(berlin_15, "Europe/Berlin", "Europe/London") == "14:00"
    assert zone_offset_note(berlin_15, "Europe/Berlin", "America/New_York") == "10:00"
    assert zone_offset_note(INSTANT, "Pacific/Auckland", "America/Los_Angeles") == "Tue 19:00"
    assert zone_offset_note(INSTANT, "America/Los_Angeles", "Pacific/Auckland") == "Wed 15:00"
    # same clock reading a day apart (UTC+14 and UTC-10) still gets a note, with the day
    assert zone_offset_note(INSTANT, "Pacific/Kiritimati", "Pacific/Honolulu") == "Tue 16:00"


def test_is_valid_timezone() -> None:
    for good in ("Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires", "Pacific/Chatham"):
        assert is_valid_timezone(good), good
    bad = [
        "",
        " ",
        "localtime",
        "Europe/Berlin ",
        "../etc/passwd",
        "Europe/../Europe/Berlin",
        "/etc/localtime",
        "/usr/share/zoneinfo/Europe/Berlin",
        "Mars/Olympus_Mons",
        "Europe",
        "Europe/",
        "Europe\\Berlin",
        "Europe/Berlin\x00",
    ]
    for name in bad:
        assert not is_valid_timezone(name), repr(name)


def test_naive_instants_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_local(datetime(2027, 3, 17, 15), "UTC")
    with pytest.raises(ValueError, match="aware"):
        slack_date(datetime(2027, 3, 17, 15), "UTC")


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(datetime(2020, 1, 1), datetime(2036, 1, 1)),
    st.sampled_from(["Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]),
    st.sampled_from(["UTC", "Europe/Berlin", "Australia/Lord_Howe"]),
)
def test_formats_agree_with_the_zone(naive: datetime, reader: str, other: str) -> None:
    instant = naive.replace(tzinfo=UTC)
    local = instant.astimezone(ZoneInfo(reader))
    text = format_local(instant, reader)
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} at \d\d:\d\d", text)
    assert text.startswith(format_local_date(local.date()).rsplit(" ", 1)[0] + " at ")
    assert text.endswith(f"{local.hour:02d}:{local.minute:02d}")
    token = slack_date(instant, reader)
    assert token == f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} at {{time}}|{text}>"
    note = zone_offset_note(instant, reader, other)
    theirs = instant.astimezone(ZoneInfo(other))
    if note is None:
        assert local.replace(tzinfo=None) == theirs.replace(tzinfo=None)
    else:
        assert note.endswith(f"{theirs:%H:%M}")
        assert (len(note) == 5) == (theirs.date() == local.date())
