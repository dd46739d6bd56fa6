"""The App Home tab: each of the person's mentorships as a card with one-click actions, earlier
mentorships in a line each, and (for admins) the program overview. A pure builder that keeps
within Slack's 100 blocks however many pairs there are."""

from __future__ import annotations

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

from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local_date, slack_date, zone_offset_note
from bot.home.data import GoalItem, HomeData, PairCard, PastPair
from bot.pairs.messages import START_HINT, end_button
from bot.programs.home import join_blocks, lead_blocks
from bot.reports.view import overview_blocks

HOME_PAUSE, HOME_PAUSE_FOR, HOME_RESUME = "home_pause", "home_pause_for", "home_resume"
HOME_EDIT, HOME_END = "home_edit", "home_end"
HOME_START = "home_start"
HOME_GOAL_DONE, HOME_GOAL_REOPEN, HOME_GOAL_ADD = (
    "home_goal_done",
    "home_goal_reopen",
    "home_goal_add",
)
PAUSE_CHOICES = (1, 2, 4, 8, 12)
MAX_BLOCKS, GOAL_ROWS, PAST_SHOWN = 100, 6, 10
START_AGAIN_HINT = (
    "No mentorship is running for you right now. Start a new one here or with "
    "`/mentorship start @mentee`, or ask a program admin to pair you up."
)
START_BUTTON, START_ANOTHER_BUTTON = "➕ Start a mentorship", "➕ Start another"


def _section(
    text: str, accessory: ButtonElement | None = None, block_id: str | None = None
) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=text[:3000]), accessory=accessory, block_id=block_id
    )


def _title(c: PairCard) -> str:
    head = (
        f"*Mentoring {c.partner_name}*" if c.role == "mentor" else f"*Mentored by {c.partner_name}*"
    )
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
    return f"{when} ({theirs} for {c.partner_name})" if theirs else when


def _facts(c: PairCard) -> SectionBlock:
    ways = [CHANNELS.get(x, x).lower() for x in c.channels]
    talk = ", ".join(ways[:-1]) + f" and {ways[-1]}" if len(ways) > 1 else "".join(ways)
    fields = [
        f"*Next meeting*\n{_next(c)}",
        f"*Rhythm*\n{c.rhythm[0].upper()}{c.rhythm[1:]}",
        f"*Format*\n{FORMATS.get(c.format, c.format)}, by {talk}",
        f"*Ends*\n{format_local_date(c.end_date)}",
        f"*Shared vision*\n{c.vision[:1900] or '—'}",
    ]
    return SectionBlock(
        block_id=f"facts_{c.pair_id}", fields=[MarkdownTextObject(text=f) for f in fields]
    )


def _goal(c: PairCard, g: GoalItem) -> SectionBlock:
    if g.done:
        text, button = (
            f"✅ ~{g.text}~  _({g.owner_name})_",
            ButtonElement(text="Reopen", action_id=HOME_GOAL_REOPEN, value=str(g.goal_id)),
        )
    else:
        text, button = (
            f"◻️ {g.text}  _({g.owner_name})_",
            ButtonElement(text="✅ Mark done", action_id=HOME_GOAL_DONE, value=str(g.goal_id)),
        )
    return _section(text, button, f"goal_{g.goal_id}")


def _milestones(c: PairCard) -> str:
    done = [m for m in c.milestones if m.done]
    todo = [m for m in c.milestones if not m.done]
    lines = [f"✅ {m.label} · {format_local_date(m.due)}" for m in done[-3:]]
    if len(done) > 3:
        lines.insert(0, f"✅ {len(done) - 3} earlier")
    for i, m in enumerate(todo):
        if i == 0:
            lines.append(f"➡️ *{m.label}* · {format_local_date(m.due)} (next)")
        elif i < 3 or i == len(todo) - 1:
            lines.append(f"◻️ {m.label} · {format_local_date(m.due)}")
        elif i == 3:
            lines.append(f"◻️ {len(todo) - 4} more")
    return "*Milestones*\n" + ("\n".join(lines) or "—")


def _actions(c: PairCard) -> ActionsBlock:
    value = str(c.pair_id)
    elements: list[ButtonElement | StaticSelectElement] = []
    if c.status == "active":
        elements.append(ButtonElement(text="⏸ Pause 2 weeks", action_id=HOME_PAUSE, value=value))
        options = [
            Option(value=f"{c.pair_id}:{w}", label=f"{w} week{'s' if w > 1 else ''}")
            for w in PAUSE_CHOICES
        ]
        elements.append(
            StaticSelectElement(placeholder="Pause for…", action_id=HOME_PAUSE_FOR, options=options)
        )
    else:
        elements.append(
            ButtonElement(text="▶️ Resume", action_id=HOME_RESUME, value=value, style="primary")
        )
    elements += [
        ButtonElement(text="➕ Add a goal", action_id=HOME_GOAL_ADD, value=value),
        ButtonElement(text="✏️ Edit plan", action_id=HOME_EDIT, value=value),
        end_button(HOME_END, c.pair_id, "End mentorship", c.partner_name),
    ]
    return ActionsBlock(block_id=f"pair_{c.pair_id}", elements=elements)


def card_blocks(
    c: PairCard, goal_rows: int = GOAL_ROWS, *, interactive: bool = True
) -> list[Block]:
    """One mentorship: who, status, next meeting and rhythm, goals, milestones, actions."""
    blocks: list[Block] = [_section(_title(c), block_id=f"title_{c.pair_id}"), _facts(c)]
    goals = [g for g in c.goals]
    if interactive:
        blocks += [_goal(c, g) for g in goals[:goal_rows]]
        rest = goals[goal_rows:]
    else:
        rest = goals
    if rest:
        listed = "\n".join(f"{'✅' if g.done else '◻️'} {g.text}  _({g.owner_name})_" for g in rest)
        blocks.append(
            _section(
                ("*Goals*\n" if not interactive else "") + listed, block_id=f"goals_{c.pair_id}"
            )
        )
    blocks.append(_section(_milestones(c), block_id=f"milestones_{c.pair_id}"))
    if interactive:
        blocks += [_actions(c), DividerBlock()]
    return blocks


def _past(past: Sequence[PastPair]) -> SectionBlock:
    lines = [
        f"• {p.partner_name} ({'you mentored' if p.role == 'mentor' else 'your mentor'}) — "
        f"{p.status}, {format_local_date(p.end_date)}"
        for p in past[:PAST_SHOWN]
    ]
    return _section("*Earlier mentorships*\n" + "\n".join(lines), block_id="past")


def build_home(data: HomeData) -> View:
    """The whole Home tab, within 100 blocks: cards while they fit, then a one-line list."""
    head: list[Block] = [HeaderBlock(text="Your mentorships")]
    tail: list[Block] = [_past(data.past)] if data.past else []
    if data.programs is not None and data.programs.cards:
        tail += [DividerBlock(), *lead_blocks(data.programs)]
    if data.overview is not None:
        tail += [DividerBlock(), *overview_blocks(data.overview)]
    if not data.cards:
        hint = START_AGAIN_HINT if data.past else START_HINT
        start = ButtonElement(text=START_BUTTON, action_id=HOME_START, style="primary")
        head.append(_section(hint, start, block_id="start_hint"))
    else:
        another = ButtonElement(text=START_ANOTHER_BUTTON, action_id=HOME_START)
        head.append(
            _section(
                "Times show in your own time zone. `/mentorship help` lists the commands.",
                another,
                block_id="start_hint",
            )
        )
    if data.programs is not None:
        head += join_blocks(data.programs)
    budget = MAX_BLOCKS - len(head) - len(tail) - 1  # one left for "more mentorships"
    body: list[Block] = []
    for i, card in enumerate(data.cards):
        blocks = card_blocks(card)
        if len(body) + len(blocks) > budget:
            blocks = card_blocks(card, goal_rows=0)
        if len(body) + len(blocks) > budget:
            rest = ", ".join(f"{c.partner_name} ({c.status})" for c in data.cards[i:])
            body.append(
                _section(f"*More mentorships*: {rest}. `/mentorship list` shows them all."[:3000])
            )
            break
        body += blocks
    return View(type="home", callback_id="home", blocks=[*head, *body, *tail])
