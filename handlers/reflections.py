"""Reflection replies in the bot's DMs, the reflection form, and sharing with the partner."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import Services, services_of
from bot.domain.reflection import parse_rating
from bot.pairs.access import reply_privately
from bot.people.lookup import lookup_person
from bot.reflections import messages as say
from bot.reflections.conversation import (
    close_prompt,
    handle_delete,
    handle_dm,
    handle_edit,
    milestone_label,
    qa_items,
    questions_of,
)
from bot.reflections.modal import CALLBACK_ID, build_reflection_modal, parse_reflection_form
from storage.models import Milestone, Pair, PromptStatus, ReflectionAnswer, ReflectionPrompt
from storage.reflections import answers_of

log = logging.getLogger(__name__)


# ---- matchers: small named predicates instead of if-ladders in the listeners
def is_im(event: dict[str, Any]) -> bool:
    """A message in a 1:1 DM with the bot."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def is_user_reply(event: dict[str, Any]) -> bool:
    """A person's own top-level DM (no subtype, not a bot, not in a thread)."""
    thread = event.get("thread_ts")
    return (
        is_im(event)
        and event.get("subtype") in (None, "file_share")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and (thread is None or thread == event.get("ts"))
    )


def is_edit(event: dict[str, Any]) -> bool:
    """A person edited one of their DMs."""
    message = event.get("message") or {}
    return is_im(event) and event.get("subtype") == "message_changed" and not message.get("bot_id")


def is_delete(event: dict[str, Any]) -> bool:
    """A DM was deleted."""
    return is_im(event) and event.get("subtype") == "message_deleted"


def _team(body: dict[str, Any], context: BoltContext) -> str:
    return str(body.get("team_id") or context.team_id or "")


def on_dm(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A reply in the DM answers the open prompt's current question."""
    services = services_of(context)
    text = str(event.get("text") or "")
    if event.get("subtype") == "file_share" and not text.strip():
        text = ""
    handle_dm(
        services,
        client,
        _team(body, context),
        event["user"],
        event["channel"],
        event["ts"],
        text,
        files_only=not text.strip() and bool(event.get("files")),
    )


def on_dm_edited(event: dict[str, Any], context: BoltContext) -> None:
    """An edited reply updates its stored answer."""
    message = event.get("message") or {}
    if message.get("ts"):
        handle_edit(
            services_of(context), event["channel"], message["ts"], str(message.get("text") or "")
        )


def on_dm_deleted(event: dict[str, Any], context: BoltContext) -> None:
    """A deleted reply removes its stored answer."""
    ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
    if ts:
        handle_delete(services_of(context), event["channel"], str(ts))


def ignore_message(event: dict[str, Any]) -> None:
    """Bot messages, thread chatter and channel messages need no answer."""


def _own_prompt(services: Services, team_id: str, raw: Any, user_id: str) -> ReflectionPrompt | str:
    try:
        prompt_id = int(raw)
    except (TypeError, ValueError):
        return "I couldn't tell which reflection that was."
    with services.sessions() as session:
        prompt = session.get(ReflectionPrompt, prompt_id)
    if prompt is None or prompt.team_id != team_id or prompt.user_id != user_id:
        return "That reflection belongs to someone else, so I left it alone."
    return prompt


def on_open_form(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """ "Answer in a form": the open prompt's questions in a modal."""
    ack()
    services = services_of(context)
    found = _own_prompt(services, body["team"]["id"], action.get("value"), body["user"]["id"])
    if isinstance(found, str):
        reply_privately(respond, found)
        return
    if found.status != PromptStatus.OPEN.value:
        reply_privately(respond, "This reflection is already closed — thank you!")
        return
    with services.sessions() as session:
        milestone = session.get(Milestone, found.milestone_id)
        label = milestone_label(session, milestone) if milestone else "Reflection"
        earlier = {
            str(a.question_key): (str(a.rating) if a.rating is not None else a.text or "")
            for a in answers_of(session, found.id)
            if not a.skipped and not a.deleted
        }
    view = build_reflection_modal(found.id, label, questions_of(found), earlier)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_form_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the form's answers (replacing earlier ones) and close the prompt."""
    services = services_of(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    prompt_id, answers = parse_reflection_form(view)
    found = _own_prompt(services, team_id, prompt_id, user_id)
    if isinstance(found, str):
        ack(response_action="errors", errors={next(iter(answers), "x"): found} if answers else {})
        return
    questions = questions_of(found)
    for q in questions:
        if q.kind == "rating" and q.key in answers and parse_rating(answers[q.key]) is None:
            ack(response_action="errors", errors={q.key: "Pick a number from 1 to 5."})
            return
    now = services.clock.now()
    with services.sessions.begin() as session:
        prompt = session.get(ReflectionPrompt, found.id)
        if prompt is None or prompt.status != PromptStatus.OPEN.value:
            ack()
            return
        for q in questions:
            row = (
                session.query(ReflectionAnswer)
                .filter_by(channel="form", ts=f"{prompt.id}:{q.key}")
                .first()
            )
            if row is None:
                row = ReflectionAnswer(
                    team_id=team_id,
                    user_id=user_id,
                    channel="form",
                    ts=f"{prompt.id}:{q.key}",
                    created_at=now,
                )
                session.add(row)
            row.prompt_id, row.question_key, row.edited_at = prompt.id, q.key, now
            value = answers.get(q.key)
            row.skipped = value is None
            row.text = value
            row.rating = parse_rating(value) if value and q.kind == "rating" else None
        prompt.position = len(questions)
        close_prompt(session, prompt, PromptStatus.DONE.value, services)
        session.flush()
        pair = session.get(Pair, prompt.pair_id)
        items = qa_items(session, prompt)
    ack()
    partner = (
        lookup_person(services, client, team_id, pair.partner_of(user_id)).name
        if pair
        else "your partner"
    )
    text, blocks = say.thanks(found.id, partner, items)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def on_share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """The author chose to share a finished reflection with their partner."""
    ack()
    services = services_of(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    found = _own_prompt(services, team_id, action.get("value"), user_id)
    if isinstance(found, str):
        reply_privately(respond, found)
        return
    with services.sessions.begin() as session:
        prompt = session.get(ReflectionPrompt, found.id)
        pair = session.get(Pair, found.pair_id)
        milestone = session.get(Milestone, found.milestone_id)
        if prompt is None or pair is None or milestone is None:
            return
        first_time = prompt.shared_at is None
        prompt.shared_at = prompt.shared_at or services.clock.now()
        items = qa_items(session, prompt)
        label = milestone_label(session, milestone)
    partner_id = pair.partner_of(user_id)
    partner = lookup_person(services, client, team_id, partner_id).name
    if first_time:
        me = lookup_person(services, client, team_id, user_id).name
        text, blocks = say.shared_with_partner(me, label, items)
        client.chat_postMessage(channel=partner_id, text=text, blocks=blocks)
    reply_privately(
        respond,
        f"✅ Shared with {partner}." if first_time else f"You already shared this with {partner}.",
    )


def register(app: App) -> None:
    """Wire DM replies, edits, deletions, the form and sharing."""
    app.event("message", matchers=[is_user_reply])(on_dm)
    app.event("message", matchers=[is_edit])(on_dm_edited)
    app.event("message", matchers=[is_delete])(on_dm_deleted)
    app.event("message")(ignore_message)
    app.action(say.OPEN_FORM)(on_open_form)
    app.action(say.SHARE)(on_share)
    app.view(CALLBACK_ID)(on_form_submitted)
