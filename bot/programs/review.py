"""The lead's review in Slack: `/mentorship program match` (or Review matches on the Home tab)
opens it at once and fills it in once the proposal is ready; every click in it is checked
against the lead and against the proposal being current, then the review is redrawn."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.core.payload import metadata_of, parse_id
from bot.core.services import Services
from bot.core.text import clip, mrkdwn
from bot.domain.matching import Priority
from bot.programs import messages as say
from bot.programs import review_view as rv
from bot.programs.access import can_lead
from bot.programs.manage import led_program
from bot.programs.publish import plan_published, publish
from bot.programs.runs import change_setting, compute_run, decide, reason_of, stale_reason, swap
from storage.match_runs import get_run, latest_run, proposals_of
from storage.people import get_people
from storage.program_models import MatchRun, Program
from storage.programs import get_program

log = logging.getLogger(__name__)
REASON_CHARS = 600
CALLS = {rv.APPROVE: "approve", rv.PIN: "pin", rv.REJECT: "reject"}
SETTINGS = {rv.PRIORITY: "priority", **{a: k for k, a in rv.WEIGHT_ACTIONS.items()}}


@dataclass
class Reviewed:
    """What a click in the review did: the Home tabs to refresh afterwards."""

    people: list[str] = field(default_factory=list)
    refusal: str | None = None


def review_of(services: Services, run: MatchRun, program: Program) -> rv.Review:
    """A stored run as the review shows it (names from the people cache)."""
    with services.sessions() as session:
        rows = proposals_of(session, run.team_id, run.id)
        ids = {u for r in rows for u in (r.mentee_id, r.mentor_id) if u}
        names = {p.user_id: p.name for p in get_people(session, run.team_id, ids) if p.name}

    def rendered(reasons: list[dict[str, Any]]) -> tuple[str, ...]:
        return tuple(clip(reason_of(r).render(escape=mrkdwn), REASON_CHARS) for r in reasons)

    settings: Mapping[str, Any] = run.settings or {}
    return rv.Review(
        run_id=run.id,
        program=program.name,
        rows=tuple(
            rv.Row(
                proposal_id=r.id,
                mentee=names.get(r.mentee_id, r.mentee_id),
                mentor=names.get(r.mentor_id, r.mentor_id) if r.mentor_id else None,
                status=r.status,
                pinned=r.pinned,
                reasons=rendered(r.reasons),
                runners_up=tuple(
                    rv.RunnerUp(str(x["mentor_id"]), str(x["name"]), bool(x["has_room"]))
                    for x in r.runners_up
                ),
                note=mrkdwn(r.note or ""),
            )
            for r in rows
        ),
        refused=rendered(list(run.stats.get("refused", []))),
        mentors=int(run.stats.get("mentors", 0)),
        priority=str(settings.get("priority", Priority.BEST_MATCHES.value)),
        weights=dict(settings.get("weights") or {}),
    )


def _current_run(services: Services, team_id: str, user_id: str, program: Program) -> int | None:
    """The program's draft run while it is current, else a new one (keeping its calls)."""
    with services.sessions() as session:
        run = latest_run(session, team_id, program.id)
    if run is not None and stale_reason(run, program) is None:
        return run.id
    return compute_run(services, team_id, user_id, program.id, base=run)


def _show(services: Services, team_id: str, run_id: int, page: int = 0) -> View:
    """The review of a run, or what became of it."""
    with services.sessions() as session:
        run = get_run(session, team_id, run_id)
        program = get_program(session, team_id, run.program_id) if run else None
    if run is None or program is None:
        return rv.message_view(run_id, "", "This proposal is gone.", rerun=False)
    why = stale_reason(run, program)
    if why == "published":
        return rv.message_view(
            run.id, program.name, _published(services, run, program), rerun=False
        )
    if why == "superseded":  # a click that crossed a newer run (a double click): show that one
        with services.sessions() as session:
            newest = latest_run(session, team_id, program.id)
        if newest is not None and newest.id != run.id and stale_reason(newest, program) is None:
            return rv.review_view(review_of(services, newest, program), 0)
    if why:
        return rv.message_view(run.id, program.name, rv.stale_text(why), rerun=True)
    return rv.review_view(review_of(services, run, program), page)


def _published(services: Services, run: MatchRun, program: Program) -> str:
    """What a published run made (the same words whichever click published it)."""
    review = review_of(services, run, program)
    made = [
        f"*{mrkdwn(r.mentee)}* with *{mrkdwn(r.mentor or '')}*"
        for r in review.rows
        if r.status == "published"
    ]
    skipped = [
        f"*{mrkdwn(r.mentee)}* with *{mrkdwn(r.mentor or '')}*: {r.note}"
        for r in review.rows
        if r.status == "skipped"
    ]
    told = int(run.stats.get("told", 0))
    return rv.published_text(program.name, made, told, skipped)


def open_review(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    which: str | int,
    trigger_id: str,
) -> str | None:
    """`/mentorship program match [NAME]`: the review for a lead, or a refusal. The modal opens
    at once (the trigger lives 3 s) and is filled in when the proposal is ready."""
    program = led_program(services, client, team_id, user_id, which, "program match")
    if isinstance(program, str):
        return program
    working = rv.message_view(0, program.name, "Matching everyone enrolled…", rerun=False)
    try:
        opened = client.views_open(trigger_id=trigger_id, view=working)
    except SlackApiError as exc:
        log.error("views.open failed (%s): the review did not open", exc.response.get("error"))
        return say.FORM_FAILED
    run_id = _current_run(services, team_id, user_id, program)
    view = (
        _show(services, team_id, run_id)
        if run_id
        else rv.message_view(0, "", "The program is gone.", rerun=False)
    )
    _update(client, str(opened["view"]["id"]), view)
    return None


def _update(client: WebClient, view_id: str, view: View) -> None:
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.warning("views.update of the review failed: %s", exc.response.get("error"))


def review_action(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    action: Mapping[str, Any],
    view: Mapping[str, Any],
) -> Reviewed:
    """One click in the review, by a lead of the run's program, then the review redrawn."""
    meta = metadata_of(view)
    with services.sessions() as session:
        run = get_run(session, team_id, parse_id(meta.get("run")) or 0)
        program = get_program(session, team_id, run.program_id) if run else None
    if run is None or program is None:
        return Reviewed(refusal="That proposal is gone. Run `/mentorship program match` again.")
    if not can_lead(services, client, team_id, user_id, program):
        return Reviewed(refusal=say.not_lead(program.name))
    action_id = str(action.get("action_id"))
    value = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    page = int(meta.get("page") or 0) if str(meta.get("page", "0")).isdigit() else 0
    why = stale_reason(run, program)
    result = Reviewed()
    shown: View
    if action_id == rv.PAGE:
        shown = _show(services, team_id, run.id, int(value) if value.isdigit() else 0)
    elif action_id == rv.RERUN:
        with services.sessions() as session:
            base = latest_run(session, team_id, program.id)
        new = compute_run(services, team_id, user_id, program.id, base=base)
        shown = _show(services, team_id, new or run.id)
    elif why:
        shown = _show(services, team_id, run.id)
    elif action_id in CALLS:
        proposal, _, state = value.partition(":")
        call = CALLS[action_id]
        decide(services, team_id, user_id, run.id, parse_id(proposal) or 0, call, state == "on")
        shown = _show(services, team_id, run.id, page)
    elif action_id == rv.SWAP:
        proposal, _, mentor = value.partition(":")
        new = swap(services, team_id, user_id, run.id, parse_id(proposal) or 0, mentor)
        shown = _show(services, team_id, new or run.id, page)
    elif action_id in SETTINGS:
        new = change_setting(services, team_id, user_id, run, SETTINGS[action_id], value)
        shown = _show(services, team_id, new or run.id)
    elif action_id == rv.PUBLISH:
        working = rv.message_view(run.id, program.name, "Publishing the matches…", rerun=False)
        _update(client, str(view.get("id", "")), working)
        done = publish(services, client, team_id, user_id, run.id)
        shown = _show(services, team_id, run.id)
        if not done.stale:
            result.people = [user_id]
        _update(client, str(view.get("id", "")), shown)
        plan_published(services, done)
        return result
    else:
        return result
    _update(client, str(view.get("id", "")), shown)
    return result
