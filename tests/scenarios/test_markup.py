"""People's text is read as typed (issue 11): a goal such as `R&D <b>x</b> <!channel> <@U123>
~y~` reaches the plan summary, the nudge, the Home tab and the reflection questions as those
characters, never as a mention, a channel-wide ping or a tag; a done goal stays struck through."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.home.view import HOME_GOAL_DONE
from bot.standin import RecordedMessage
from tests.kit.home import after_home_change, home_text, open_home
from tests.kit.scenario import Timeline, at, plan, start
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

MARKUP = "R&D <b>x</b> <!channel> <@U123> ~y~"
ESCAPED = "R&amp;D &lt;b&gt;x&lt;/b&gt; &lt;!channel&gt; &lt;@U123&gt; ~y~"
VISION = "Ship R&D work <fast> & tell <!here>"
BERLIN = "Europe/Berlin"


def as_sent(message: RecordedMessage) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def test_a_goal_full_of_markup_reads_as_typed_wherever_it_appears(bot: Bot) -> None:
    values = plan(**{"Mentee's goals": f"{MARKUP}\nLearn Rust", "Shared vision": VISION})
    start(bot, OMAR, values)
    tl = Timeline(bot)
    tl.tick()
    for person in (MAYA, OMAR):
        [summary] = [s.message for s in tl.to(person) if "is set up" in s.text]
        seen = bot.standin.ws.render(summary)
        assert f"• {MARKUP}" in seen and f"*Shared vision*: {VISION}" in seen
        assert "@channel" not in seen and "@here" not in seen
        sent = as_sent(summary)  # what Slack was given: nothing it would read as a token
        assert "<!channel>" not in sent and "<@U123>" not in sent and "<!here>" not in sent
        assert ESCAPED in sent and "*Goals &amp; Vision*" in sent

    tl.run_until(at("2027-03-08T16:00", BERLIN), step=timedelta(hours=6))
    nudge = tl.to(MAYA, "nudge")[-1].message
    assert f"Focus from your plan: *{MARKUP}*" in bot.standin.ws.render(nudge)
    assert "<!channel>" not in as_sent(nudge)

    view = open_home(bot, MAYA)
    assert f"◻️ {MARKUP}  _(Maya)_" in home_text(bot, view)
    goal = next(b for b in view.blocks if ESCAPED in json.dumps(b, ensure_ascii=False))
    assert goal["accessory"]["accessibility_label"] == f"Mark your goal '{MARKUP}' done (with Omar)"
    view = after_home_change(
        bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_DONE, block_id=goal["block_id"])
    )
    done = next(b for b in view.blocks if b.get("block_id") == goal["block_id"])
    # Struck through as a whole: the `~` of "~y~" would have ended the strikethrough early.
    struck = ESCAPED.replace("~", "∼")
    assert done["text"]["text"] == f"✅ ~{struck}~  _(Maya · done)_"
    assert done["accessory"]["accessibility_label"] == f"Reopen your goal '{MARKUP}' (with Omar)"
    # Omar's Home shows it too (and nothing is still on its way when the test ends).
    wait_for(lambda: f"~{struck}~" in omar_home(bot), what="Omar's Home")


def omar_home(bot: Bot) -> str:
    view = bot.standin.home_view(OMAR)
    return json.dumps(view.blocks, ensure_ascii=False) if view else ""
