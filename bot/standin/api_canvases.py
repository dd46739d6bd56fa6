"""canvases.* and conversations.canvases.create: canvases kept as sections addressable by id.

A canvas is created from Markdown (document_content {type: markdown, markdown}) and split into
sections (see canvas_markdown.py); canvases.edit applies exactly one change per call, as Slack's
docs say (insert_after / insert_before / insert_at_start / insert_at_end / replace / delete, and
rename); canvases.sections.lookup finds section ids by header type and text; canvases.access.set
grants read / write / owner to one user or one conversation. A free workspace
(`ws.free_team`) cannot create or edit standalone canvases, only canvases in a conversation.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from bot.standin.api_common import Handler, Params, json_param, text_param
from bot.standin.canvas_markdown import (
    MAX_MARKDOWN,
    CanvasContentError,
    parse_sections,
    section_text,
)
from bot.standin.models import JSON, ApiError, Canvas, CanvasSection, Channel
from bot.standin.state import Workspace

ACCESS_LEVELS = ("read", "write", "owner")
SECTION_TYPES = ("h1", "h2", "h3", "any_header")
NEEDS_SECTION = ("insert_after", "insert_before", "delete")
NEEDS_CONTENT = ("insert_after", "insert_before", "insert_at_start", "insert_at_end", "replace")
OPERATIONS = (*NEEDS_CONTENT, "delete", "rename")


def _err(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _invalid(message: str, pointer: str) -> ApiError:
    return ApiError("invalid_arguments", [_err(message, pointer)])


def _missing(name: str, pointer: str = "") -> ApiError:
    where = f" [json-pointer:{pointer}]" if pointer else ""
    return ApiError("invalid_arguments", [f"[ERROR] missing required field: {name}{where}"])


def _one_of(values: tuple[str, ...]) -> str:
    return "must be one of " + ", ".join(f'"{v}"' for v in values)


def _markdown_of(value: Any, pointer: str) -> str:
    """The Markdown of a {type: markdown, markdown: ...} argument."""
    if not isinstance(value, dict):
        raise _invalid("must provide an object", pointer)
    if value.get("type") != "markdown":
        raise _invalid(_one_of(("markdown",)), f"{pointer}/type")
    markdown = value.get("markdown")
    if not isinstance(markdown, str):
        raise _missing("markdown", pointer)
    return markdown


def _sections(markdown: str, error: str) -> list[CanvasSection]:
    try:
        pieces = parse_sections(markdown)
    except CanvasContentError as exc:
        raise ApiError(error, detail=exc.detail) from exc
    return [CanvasSection(f"temp:C:{secrets.token_hex(14)}", kind, md) for kind, md in pieces]


def _conversation(ws: Workspace, channel_id: str) -> Channel:
    """A conversation the bot is in, for a canvas to live in."""
    channel = ws.channel(channel_id)
    if ws.bot_user_id not in channel.members or channel.is_archived:
        raise ApiError("channel_not_found")
    return channel


def _canvas(ws: Workspace, params: Params, *, deleted_error: str = "canvas_not_found") -> Canvas:
    canvas_id = text_param(params, "canvas_id")
    if canvas_id is None:
        raise _missing("canvas_id")
    canvas = ws.canvases.get(canvas_id)
    if canvas is None:
        raise ApiError("canvas_not_found")
    if canvas.deleted:
        raise ApiError(deleted_error)
    return canvas


def _new_canvas(
    ws: Workspace, params: Params, channel: Channel | None, *, channel_canvas: bool
) -> Canvas:
    document = json_param(params, "document_content", "invalid_arguments")
    markdown = "" if document is None else _markdown_of(document, "/document_content")
    sections = _sections(markdown, "canvas_creation_failed")
    title = text_param(params, "title") or ("" if channel_canvas else "Untitled")
    access = {ws.bot_user_id: "owner"}
    if channel is not None:
        access[channel.id] = "write"
    canvas = Canvas(
        id=ws.next_id("F"),
        title=title,
        owner=ws.bot_user_id,
        created=ws.epoch(),
        sections=sections,
        channel_id=channel.id if channel else None,
        is_channel_canvas=channel_canvas,
        access=access,
    )
    ws.canvases[canvas.id] = canvas
    where = f" in {ws.where_channel(channel.id)}" if channel else ""
    kind = "channel canvas" if channel_canvas else "canvas"
    count = f"{len(sections)} section{'' if len(sections) == 1 else 's'}"
    ws.note(f"{kind} created{where}: {title or '(untitled)'} ({count})")
    return canvas


def canvases_create(ws: Workspace, params: Params) -> JSON:
    """canvases.create: a standalone canvas, or one tabbed in channel_id."""
    channel_id = text_param(params, "channel_id")
    with ws.lock:
        channel = _conversation(ws, channel_id) if channel_id else None
        if ws.free_team:
            if channel is None:
                raise ApiError("free_teams_cannot_create_standalone_canvases")
            tabbed = [
                c for c in ws.canvases.values() if c.channel_id == channel.id and not c.deleted
            ]
            if tabbed:
                raise ApiError("free_team_canvas_tab_already_exists")
        canvas = _new_canvas(ws, params, channel, channel_canvas=False)
        return {"ok": True, "canvas_id": canvas.id}


def conversations_canvases_create(ws: Workspace, params: Params) -> JSON:
    """conversations.canvases.create: the one canvas of a conversation."""
    channel_id = text_param(params, "channel_id")
    if channel_id is None:
        raise _missing("channel_id")
    with ws.lock:
        channel = _conversation(ws, channel_id)
        existing = [
            c
            for c in ws.canvases.values()
            if c.channel_id == channel.id and c.is_channel_canvas and not c.deleted
        ]
        if existing:
            raise ApiError("channel_canvas_already_exists")
        canvas = _new_canvas(ws, params, channel, channel_canvas=True)
        return {"ok": True, "canvas_id": canvas.id}


def _the_change(params: Params) -> JSON:
    changes = json_param(params, "changes", "invalid_arguments")
    if changes is None:
        raise _missing("changes")
    if not isinstance(changes, list):
        raise _invalid("must provide an array", "/changes")
    if not changes:
        raise _invalid("must provide at least 1 item", "/changes")
    if len(changes) > 1:
        raise _invalid("no more than 1 items allowed", "/changes")
    change = changes[0]
    if not isinstance(change, dict):
        raise _invalid("must provide an object", "/changes/0")
    operation = change.get("operation")
    if operation is None:
        raise _missing("operation", "/changes/0")
    if operation not in OPERATIONS:
        raise _invalid(_one_of(OPERATIONS), "/changes/0/operation")
    if operation in NEEDS_SECTION and not change.get("section_id"):
        raise _missing("section_id", "/changes/0")
    if operation in NEEDS_CONTENT and change.get("document_content") is None:
        raise _missing("document_content", "/changes/0")
    if operation == "rename" and change.get("title_content") is None:
        raise _missing("title_content", "/changes/0")
    return change


def _apply(canvas: Canvas, change: JSON) -> None:
    """Apply one checked change to the canvas (or raise the error Slack answers)."""
    operation = change["operation"]
    if operation == "rename":
        canvas.title = _markdown_of(change["title_content"], "/changes/0/title_content").strip()
        return
    section_id = change.get("section_id")
    index: int | None = None
    if section_id:
        found = canvas.section(str(section_id))
        if found is None:
            raise ApiError("canvas_editing_failed", detail=f"section_id not found: {section_id}")
        index = canvas.sections.index(found)
    new: list[CanvasSection] = []
    if operation in NEEDS_CONTENT:
        markdown = _markdown_of(change["document_content"], "/changes/0/document_content")
        if len(markdown) > MAX_MARKDOWN:
            raise ApiError("canvas_too_large")
        new = _sections(markdown, "canvas_editing_failed")
    sections = canvas.sections
    if operation == "insert_at_start":
        sections[0:0] = new
    elif operation == "insert_at_end":
        sections.extend(new)
    elif operation == "insert_before" and index is not None:
        sections[index:index] = new
    elif operation == "insert_after" and index is not None:
        sections[index + 1 : index + 1] = new
    elif operation == "replace":
        if index is None:
            sections[:] = new
        else:
            sections[index : index + 1] = new
    elif operation == "delete" and index is not None:
        del sections[index]
    if len(canvas.markdown) > MAX_MARKDOWN:
        raise ApiError("canvas_too_large")


def canvases_edit(ws: Workspace, params: Params) -> JSON:
    """canvases.edit: exactly one change."""
    change = _the_change(params)
    with ws.lock:
        canvas = _canvas(ws, params)
        if ws.free_team and canvas.standalone:
            raise ApiError("free_teams_cannot_edit_standalone_canvases")
        if canvas.locked_edits > 0:
            canvas.locked_edits -= 1
            raise ApiError("canvas_editing_locked")
        before = list(canvas.sections), canvas.title
        try:
            _apply(canvas, change)
        except ApiError:
            canvas.sections, canvas.title = before
            raise
        canvas.edits.append(copy.deepcopy(change))
        ws.note(f"canvas edited: {canvas.title or '(untitled)'} ({change['operation']})")
        return {"ok": True}


def canvases_sections_lookup(ws: Workspace, params: Params) -> JSON:
    """canvases.sections.lookup: ids of the sections matching section_types / contains_text."""
    criteria = json_param(params, "criteria", "invalid_arguments")
    if criteria is None:
        raise _missing("criteria")
    if not isinstance(criteria, dict):
        raise _invalid("must provide an object", "/criteria")
    types = criteria.get("section_types")
    text = criteria.get("contains_text")
    if types is None and text is None:
        raise _invalid("must provide section_types or contains_text", "/criteria")
    if types is not None:
        if not isinstance(types, list) or not types:
            raise _invalid("must provide at least 1 item", "/criteria/section_types")
        for i, kind in enumerate(types):
            if kind not in SECTION_TYPES:
                raise _invalid(_one_of(SECTION_TYPES), f"/criteria/section_types/{i}")
    if text is not None and not isinstance(text, str):
        raise _invalid("must be a string", "/criteria/contains_text")
    with ws.lock:
        canvas = _canvas(ws, params, deleted_error="canvas_deleted")
        found = [
            {"id": section.id}
            for section in canvas.sections
            if (
                types is None
                or section.kind in types
                or ("any_header" in types and section.is_header)
            )
            and (text is None or text in section_text(section.markdown))
        ]
        return {"ok": True, "sections": found}


def _ids(params: Params, key: str) -> list[str] | None:
    """A list argument given as JSON, a JSON string, or comma-separated ids."""
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json_param({key: text}, key, "invalid_arguments")
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid("must provide an array of strings", f"/{key}")
    return [str(v) for v in value]


def canvases_access_set(ws: Workspace, params: Params) -> JSON:
    """canvases.access.set: read / write / owner for one user or one conversation."""
    level = text_param(params, "access_level")
    if level is None:
        raise _missing("access_level")
    if level not in ACCESS_LEVELS:
        raise _invalid(_one_of(ACCESS_LEVELS), "/access_level")
    user_ids, channel_ids = _ids(params, "user_ids"), _ids(params, "channel_ids")
    if (user_ids is None) == (channel_ids is None):
        raise ApiError("invalid_parameters")
    key = "user_ids" if user_ids is not None else "channel_ids"
    ids = user_ids if user_ids is not None else channel_ids
    assert ids is not None
    if len(ids) > 1:
        raise _invalid("no more than 1 items allowed", f"/{key}")
    with ws.lock:
        canvas = _canvas(ws, params)
        if canvas.is_channel_canvas:
            raise ApiError("canvas_not_found")  # a channel canvas follows its channel
        if user_ids is not None:
            for user_id in user_ids:
                ws.user(user_id)
            refused = [u for u in user_ids if ws.users[u].deleted]
            if refused:
                raise ApiError("failed_to_update_user_ids", failed_to_update_user_ids=refused)
            names = [ws.display(u) for u in user_ids]
        else:
            names = [ws.where_channel(ws.channel(c).id) for c in ids]
            ids = [ws.channel(c).id for c in ids]
        for grantee in ids:
            canvas.access[grantee] = level
        title = canvas.title or "(untitled)"
        ws.note(f"canvas {title} shared with {', '.join(names)} ({level})")
        return {"ok": True}


def canvases_delete(ws: Workspace, params: Params) -> JSON:
    """canvases.delete: the canvas is gone for everyone."""
    with ws.lock:
        canvas = _canvas(ws, params)
        canvas.deleted = True
        ws.note(f"canvas deleted: {canvas.title or '(untitled)'}")
        return {"ok": True}


HANDLERS: dict[str, Handler] = {
    "canvases.create": canvases_create,
    "canvases.edit": canvases_edit,
    "canvases.sections.lookup": canvases_sections_lookup,
    "canvases.access.set": canvases_access_set,
    "canvases.delete": canvases_delete,
    "conversations.canvases.create": conversations_canvases_create,
}
