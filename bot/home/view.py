"""The App Home tab: each of the person's mentorships as a card with one-click actions, earlier
mentorships in a line each, and (for admins) the program overview. A pure builder that keeps
within Slack's 100 blocks however many pairs there are."""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.text import (
    SECTION_FIELD,
    SECTION_TEXT,
    VIEW_BLOCKS,
    VIEW_BYTES,
    around,
    clip,
    mrkdwn,
    split_within,
    strikable,
)
from bot.documents.messages import feed_blocks, share_button
from bot.domain.agenda import HOME_ITEMS
from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local_date, slack_date, zone_offset_note
from bot.home.data import GoalItem, HomeData, PairCard, PastPair
from bot.home.help import help_blocks, intro_blocks, notice_block
from bot.meetings.messages import calendar_button
from bot.pairs.messages import START_HINT, end_button
from bot.programs.home import join_blocks, lead_blocks
from bot.reports.view import overview_blocks
from bot.sessions.home_blocks import sessions_blocks, summary_text

HOME_PAUSE, HOME_PAUSE_FOR, HOME_RESUME = "home_pause", "home_pause_for", "home_resume"
HOME_EDIT, HOME_END = "home_edit", "home_end"
HOME_START = "home_start"
HOME_GOAL_DONE, HOME_GOAL_REOPEN, HOME_GOAL_ADD = (
    "home_goal_done",
    "home_goal_reopen",
    "home_goal_add",
)
PAUSE_CHOICES = (1, 2, 4, 8, 12)
GOAL_ROWS, PAST_SHOWN = 6, 10
GOAL_IN_LIST, LIST_SECTIONS = 300, 3  # characters of a listed goal; sections of a goal list
NAME_SHOWN, NAME_IN_LABEL = 80, 20  # characters of a name in text, in a button's label
IN_EDIT = " _(all of it in ✏️ Edit plan)_"  # where a clipped goal or vision can be read whole
LIST_ALL = ". `/mentorship list` shows them all."
# Bytes the "more mentorships" line may take at worst (12 for a character sent as a surrogate
# pair of \uXXXX escapes), and the view's own keys.
ENVELOPE = SECTION_TEXT * 12 + 500
START_AGAIN_HINT = (
    "No mentorship is running for you right now. Start a new one here or with "
    "`/mentorship start @mentee`, or ask a program admin to pair you up."
)
START_BUTTON, START_ANOTHER_BUTTON = "➕ Start a mentorship", "➕ Start another"


def _section(
    text: str, accessory: ButtonElement | None = None, block_id: str | None = None
) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, SECTION_TEXT)),
        accessory=accessory,
        block_id=block_id,
    )


def _title(c: PairCard) -> str:
    partner = mrkdwn(c.partner_name)
    head = f"*Mentoring {partner}*" if c.role == "mentor" else f"*Mentored by {partner}*"
    if c.status == "paused":
        until = (
            f"until {format_local_date(c.paused_until)} — it picks up again by itself"
            if c.paused_until
            else "until one of you resumes it"
        )
        head += f"\n⏸ Paused {until}."
    return head


def _next(c: PairCard) -> str:
    if c.status != "active" or c.next_meeting is None:
        return "—"
    when = slack_date(c.next_meeting, c.reader_tz)
    theirs = zone_offset_note(c.next_meeting, c.reader_tz, c.partner_tz)
    return f"{when} ({theirs} for {mrkdwn(c.partner_name)})" if theirs else when


def _facts(c: PairCard) -> SectionBlock:
    ways = [CHANNELS.get(x, x).lower() for x in c.channels]
    talk = ", ".join(ways[:-1]) + f" and {ways[-1]}" if len(ways) > 1 else "".join(ways)
    vision = "*Shared vision*\n"
    fields = [
        f"*Next meeting*\n{_next(c)}",
        f"*Rhythm*\n{c.rhythm[0].upper()}{c.rhythm[1:]}",
        f"*Format*\n{FORMATS.get(c.format, c.format)}, by {talk}",
        f"*Ends*\n{format_local_date(c.end_date)}",
        vision + (clip(mrkdwn(c.vision), SECTION_FIELD - len(vision), "…" + IN_EDIT) or "—"),
    ]
    return SectionBlock(
        block_id=f"facts_{c.pair_id}",
        fields=[MarkdownTextObject(text=clip(f, SECTION_FIELD)) for f in fields],
    )


def goal_line(g: GoalItem, limit: int = SECTION_TEXT, pointer: str = IN_EDIT) -> str:
    """ "◻️ goal  _(Maya)_", or struck through when done ("✅ ~goal~  _(Maya · done)_"),
    escaped, within `limit` characters: a long goal is clipped, followed by `pointer`."""
    owner = mrkdwn(clip(g.owner_name, NAME_SHOWN))
    if g.done:
        shown, before, after = strikable(g.text), "✅ ~", f"~  _({owner} · done)_"
    else:
        shown, before, after = mrkdwn(g.text), "◻️ ", f"  _({owner})_"
    room = limit - len(before) - len(after)
    if len(shown) > room:
        shown, after = clip(shown, room - len(pointer)), after + pointer
    return before + shown + after


def _goal_label(c: PairCard, g: GoalItem) -> str:
    """What a screen reader says for a goal's button: the goal, whose it is, and the pair."""
    partner = clip(c.partner_name, NAME_IN_LABEL)
    verb, after = ("Reopen ", "'") if g.done else ("Mark ", "' done")
    if g.owner_role == c.role:
        return around(f"{verb}your goal '", g.text, f"{after} (with {partner})")
    return around(f"{verb}{partner}'s goal '", g.text, after)


def _goal(c: PairCard, g: GoalItem) -> SectionBlock:
    label = _goal_label(c, g)
    if g.done:
        button = ButtonElement(
            text="Reopen",
            action_id=HOME_GOAL_REOPEN,
            value=str(g.goal_id),
            accessibility_label=label,
        )
    else:
        button = ButtonElement(
            text="✅ Mark done",
            action_id=HOME_GOAL_DONE,
            value=str(g.goal_id),
            accessibility_label=label,
        )
    return _section(goal_line(g), button, f"goal_{g.goal_id}")


def _milestones(c: PairCard) -> str:
    """The timeline, state in words as well as emoji: done, next, later."""
    done = [m for m in c.milestones if m.done]
    todo = [m for m in c.milestones if not m.done]
    lines = [f"✅ {m.label} · {format_local_date(m.due)} (done)" for m in done[-3:]]
    if len(done) > 3:
        lines.insert(0, f"✅ {len(done) - 3} earlier (done)")
    for i, m in enumerate(todo):
        if i == 0:
            lines.append(f"➡️ *{m.label}* · {format_local_date(m.due)} (next)")
        elif i < 3 or i == len(todo) - 1:
            lines.append(f"◻️ {m.label} · {format_local_date(m.due)} (later)")
        elif i == 3:
            lines.append(f"◻️ {len(todo) - 4} more (later)")
    return "*Milestones*\n" + ("\n".join(lines) or "—")


def _actions(c: PairCard) -> ActionsBlock:
    value = str(c.pair_id)
    partner = c.partner_name
    elements: list[ButtonElement | StaticSelectElement] = []
    if c.status == "active":
        elements.append(
            ButtonElement(
                text="⏸ Pause 2 weeks",
                action_id=HOME_PAUSE,
                value=value,
                accessibility_label=around("Pause the mentorship with ", partner, " for 2 weeks"),
            )
        )
        options = [
            Option(value=f"{c.pair_id}:{w}", label=f"{w} week{'s' if w > 1 else ''}")
            for w in PAUSE_CHOICES
        ]
        elements.append(
            StaticSelectElement(placeholder="Pause for…", action_id=HOME_PAUSE_FOR, options=options)
        )
    else:
        elements.append(
            ButtonElement(
                text="▶️ Resume",
                action_id=HOME_RESUME,
                value=value,
                style="primary",
                accessibility_label=around("Resume the mentorship with ", partner),
            )
        )
    elements += [
        ButtonElement(
            text="➕ Add a goal",
            action_id=HOME_GOAL_ADD,
            value=value,
            accessibility_label=around("Add a goal to the mentorship with ", partner),
        ),
        ButtonElement(
            text="✏️ Edit plan",
            action_id=HOME_EDIT,
            value=value,
            accessibility_label=around("Edit the plan of the mentorship with ", partner),
        ),
        calendar_button(c.pair_id, c.partner_name, "📅 Calendar file"),
        share_button(c.pair_id, c.partner_name),
        end_button(HOME_END, c.pair_id, "End mentorship", partner),
    ]
    return ActionsBlock(block_id=f"pair_{c.pair_id}", elements=elements)


def _sessions(c: PairCard, interactive: bool, item_rows: int) -> list[Block]:
    """Action items and notes for one of the two (buttons on the Home); counts otherwise."""
    if interactive and c.sessions is not None:
        return sessions_blocks(c.sessions, c.partner_name, item_rows=item_rows)
    counts = c.session_counts or (c.sessions.progress if c.sessions else None)
    if counts is None:
        return []
    return [_section(summary_text(counts), block_id=f"sessions_sum_{c.pair_id}")]


def card_blocks(
    c: PairCard,
    goal_rows: int = GOAL_ROWS,
    *,
    interactive: bool = True,
    item_rows: int = HOME_ITEMS,
) -> list[Block]:
    """One mentorship: who, status, next meeting and rhythm, goals, milestones, sessions
    (action items, the last notes), actions.

    Interactive (the Home): the first `goal_rows` goals each with its button, the rest listed.
    Read-only (`/mentorship status`, a message): every goal listed. A listed goal shows its
    first GOAL_IN_LIST characters; the lists take at most LIST_SECTIONS sections."""
    blocks: list[Block] = [_section(_title(c), block_id=f"title_{c.pair_id}"), _facts(c)]
    goals = list(c.goals)
    if interactive:
        blocks += [_goal(c, g) for g in goals[:goal_rows]]
        rest = goals[goal_rows:]
    else:
        rest = goals
    if rest:
        listed = "\n".join(goal_line(g, GOAL_IN_LIST, "") for g in rest)
        text = ("*Goals*\n" if not interactive else "") + listed
        pieces = split_within(text, LIST_SECTIONS, more="…" + IN_EDIT)
        blocks += [
            _section(piece, block_id=f"goals_{c.pair_id}" + (f"_{i}" if i else ""))
            for i, piece in enumerate(pieces)
        ]
    blocks.append(_section(_milestones(c), block_id=f"milestones_{c.pair_id}"))
    blocks += _sessions(c, interactive, item_rows)
    if interactive:
        blocks += [_actions(c), DividerBlock()]
    return blocks


def _past(past: Sequence[PastPair]) -> SectionBlock:
    lines = [
        f"• {mrkdwn(clip(p.partner_name, NAME_SHOWN))} "
        f"({'you mentored' if p.role == 'mentor' else 'your mentor'}) — "
        f"{p.status}, {format_local_date(p.end_date)}"
        for p in past[:PAST_SHOWN]
    ]
    return _section("*Earlier mentorships*\n" + "\n".join(lines), block_id="past")


def _size(blocks: Sequence[Block]) -> int:
    """Bytes these blocks add to the view's JSON as slack_sdk sends it (non-ASCII as \\uXXXX)."""
    return sum(len(json.dumps(b.to_dict())) + 1 for b in blocks)


def build_home(data: HomeData, notice: str | None = None) -> View:
    """The whole Home tab, within Slack's 100 blocks and 250 KB: cards while they fit (then
    cards without goal buttons, then without action items), then the rest of the mentorships in
    one line; the how-it-works on a first, empty visit; a notice at the top when a button could
    not act; the Help section at the bottom."""
    head: list[Block] = [HeaderBlock(text="Your mentorships")]
    if notice:
        head.append(notice_block(notice))
    tail: list[Block] = [_past(data.past)] if data.past else []
    if data.feed_enabled and data.cards:
        tail = [*feed_blocks(data.feed_since), *tail]
    if data.programs is not None and data.programs.cards:
        tail += [DividerBlock(), *lead_blocks(data.programs)]
    if data.overview is not None:
        tail += [DividerBlock(), *overview_blocks(data.overview, data.overview_counted_at)]
    tail += [DividerBlock(), *help_blocks(admin=data.overview is not None)]
    if data.intro and not data.cards:
        head += intro_blocks(HOME_START, START_BUTTON)
    elif not data.cards:
        hint = START_AGAIN_HINT if data.past else START_HINT
        start = ButtonElement(
            text=START_BUTTON,
            action_id=HOME_START,
            style="primary",
            accessibility_label="Start a new mentorship",
        )
        head.append(_section(hint, start, block_id="start_hint"))
    else:
        another = ButtonElement(
            text=START_ANOTHER_BUTTON,
            action_id=HOME_START,
            accessibility_label="Start another mentorship",
        )
        head.append(
            _section(
                "Times show in your own time zone. Help is at the bottom of this page.",
                another,
                block_id="start_hint",
            )
        )
    if data.programs is not None:
        head += join_blocks(data.programs)
    budget = VIEW_BLOCKS - len(head) - len(tail) - 1  # one left for "more mentorships"
    room = VIEW_BYTES - _size(head) - _size(tail) - ENVELOPE
    body: list[Block] = []
    for i, card in enumerate(data.cards):
        for goals, items in ((GOAL_ROWS, HOME_ITEMS), (0, HOME_ITEMS), (0, 0)):
            blocks = card_blocks(card, goals, item_rows=items)
            if len(body) + len(blocks) > budget:
                continue  # too many blocks: no need to measure its bytes
            size = _size(blocks)
            if size <= room:
                break
        else:
            rest = ", ".join(f"{mrkdwn(c.partner_name)} ({c.status})" for c in data.cards[i:])
            more = f"*More mentorships*: {rest}"
            body.append(
                _section(clip(more, SECTION_TEXT - len(LIST_ALL)) + LIST_ALL, block_id="more")
            )
            break
        body += blocks
        room -= size
    return View(type="home", callback_id="home", blocks=[*head, *body, *tail])


def status_message(c: PairCard, admin_of: str | None = None) -> tuple[str, list[Block]]:
    """`/mentorship status`: one pair's card, read-only; `admin_of` ("Maya & Omar") when the
    reader is a program admin looking at someone else's pair."""
    if admin_of is None:
        return f"Your mentorship with {mrkdwn(c.partner_name)}", card_blocks(c, interactive=False)
    who = mrkdwn(admin_of)
    heading = _section(f"*{who}* (you're a program admin)")
    return f"The mentorship of {who}", [heading, *card_blocks(c, interactive=False)]
