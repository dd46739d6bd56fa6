"""views.* methods of the stand-in: modals (with a stack of up to 3) and App Home tabs."""

from __future__ import annotations

import secrets

from bot.standin.api_common import Handler, Params, json_param, normalize_blocks, text_param
from bot.standin.blockkit import view_errors, view_too_large
from bot.standin.models import JSON, ApiError, StoredView
from bot.standin.state import Workspace

MAX_STACK = 3
DEFAULT_CLOSE = {"type": "plain_text", "text": "Cancel", "emoji": True}


def _view_arg(params: Params) -> JSON:
    view = json_param(params, "view", "invalid_arguments")
    if view is None:
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: view"])
    if view_too_large(view):
        raise ApiError("view_too_large")
    errors = view_errors(view)
    if errors:
        raise ApiError("invalid_arguments", errors)
    return dict(view)


def _new_hash() -> str:
    return f"{secrets.randbelow(10**10)}.{secrets.token_hex(4)}"


def view_json(ws: Workspace, given: JSON, *, view_id: str, root: str, previous: str | None) -> JSON:
    """The view object Slack answers: the given view plus ids, hash, state and defaults."""
    body: JSON = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": given["type"],
        "blocks": normalize_blocks(list(given.get("blocks", []))),
        "private_metadata": str(given.get("private_metadata") or ""),
        "callback_id": str(given.get("callback_id") or ""),
        "external_id": str(given.get("external_id") or ""),
        "state": {"values": {}},
        "hash": _new_hash(),
        "clear_on_close": bool(given.get("clear_on_close", False)),
        "notify_on_close": bool(given.get("notify_on_close", False)),
        "submit_disabled": bool(given.get("submit_disabled", False)),
        "root_view_id": root,
        "app_id": ws.app_id,
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
    }
    if given["type"] == "modal":
        body["title"] = given["title"]
        body["close"] = given.get("close") or DEFAULT_CLOSE
        if given.get("submit") is not None:
            body["submit"] = given["submit"]
    if previous is not None:
        body["previous_view_id"] = previous
    return body


def _check_external_id(ws: Workspace, view: JSON, except_id: str | None = None) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for stored in ws.views.values():
        same = stored.view.get("external_id") == external_id and stored.id != except_id
        if same and stored.is_open:
            raise ApiError("duplicate_external_id")


def _modal_only(view: JSON) -> None:
    if view["type"] != "modal":
        raise ApiError("invalid_arguments", ['[ERROR] must be "modal" [json-pointer:/view/type]'])


def views_open(ws: Workspace, params: Params) -> JSON:
    """views.open: open a modal for the user a fresh trigger_id belongs to."""
    view = _view_arg(params)
    _modal_only(view)
    with ws.lock:
        _check_external_id(ws, view)
        user_id = ws.use_trigger(text_param(params, "trigger_id") or "")
        for stored in ws.open_modals(user_id):
            ws.close_modal(stored.id, whole_stack=True)
        view_id = ws.next_id("V")
        stored = StoredView(
            view_id, user_id, view_json(ws, view, view_id=view_id, root=view_id, previous=None)
        )
        ws.views[view_id] = stored
        ws.modal_stacks[user_id] = [view_id]
        ws.note_view("opened", stored)
        return {"ok": True, "view": stored.view}


def push_view(ws: Workspace, user_id: str, view: JSON, verb: str = "pushed") -> StoredView:
    """Push a modal onto a user's stack (used by views.push and response_action=push)."""
    with ws.lock:
        stack = ws.modal_stacks.get(user_id, [])
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        view_id = ws.next_id("V")
        body = view_json(ws, view, view_id=view_id, root=stack[0], previous=stack[-1])
        stored = StoredView(view_id, user_id, body)
        ws.views[view_id] = stored
        stack.append(view_id)
        ws.note_view(verb, stored)
        return stored


def views_push(ws: Workspace, params: Params) -> JSON:
    """views.push: put a modal on top of the user's open modal."""
    view = _view_arg(params)
    _modal_only(view)
    with ws.lock:
        _check_external_id(ws, view)
        user_id = ws.use_trigger(text_param(params, "trigger_id") or "")
        return {"ok": True, "view": push_view(ws, user_id, view).view}


def replace_view(ws: Workspace, stored: StoredView, view: JSON) -> None:
    """Replace a view's content in place, keeping its id (views.update, response_action=update)."""
    with ws.lock:
        old = stored.view
        previous = old.get("previous_view_id")
        body = view_json(
            ws, view, view_id=stored.id, root=str(old["root_view_id"]), previous=previous
        )
        stored.view = body
        ws.note_view("updated", stored)


def views_update(ws: Workspace, params: Params) -> JSON:
    """views.update: replace an open view found by view_id or external_id, checking hash."""
    view = _view_arg(params)
    with ws.lock:
        view_id, external_id = text_param(params, "view_id"), text_param(params, "external_id")
        stored = ws.views.get(view_id or "")
        if stored is None and external_id is not None:
            found = [v for v in ws.views.values() if v.view.get("external_id") == external_id]
            stored = found[-1] if found else None
        if stored is None or not (stored.is_open or stored.type == "home"):
            raise ApiError("not_found")
        given_hash = text_param(params, "hash")
        if given_hash is not None and given_hash != stored.view["hash"]:
            raise ApiError("hash_conflict")
        _check_external_id(ws, view, except_id=stored.id)
        replace_view(ws, stored, view)
        return {"ok": True, "view": stored.view}


def views_publish(ws: Workspace, params: Params) -> JSON:
    """views.publish: set a user's App Home tab, checking hash when given."""
    view = _view_arg(params)
    if view["type"] != "home":
        raise ApiError("invalid_arguments", ['[ERROR] must be "home" [json-pointer:/view/type]'])
    with ws.lock:
        user_id = text_param(params, "user_id")
        if user_id is None:
            raise ApiError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        ws.user(user_id)
        current = ws.views.get(ws.homes.get(user_id, ""))
        given_hash = text_param(params, "hash")
        if current is not None and given_hash is not None and given_hash != current.view["hash"]:
            raise ApiError("hash_conflict")
        view_id = current.id if current else ws.next_id("V")
        stored = StoredView(
            view_id, user_id, view_json(ws, view, view_id=view_id, root=view_id, previous=None)
        )
        ws.views[view_id] = stored
        ws.homes[user_id] = view_id
        ws.note_view("published", stored)
        return {"ok": True, "view": stored.view}


HANDLERS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
