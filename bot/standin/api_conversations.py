"""auth.*, team.*, users.* and conversations.* methods of the stand-in."""

from __future__ import annotations

from bot.standin.api_common import Handler, Params, bool_param, page, text_param
from bot.standin.models import JSON, ApiError, Channel
from bot.standin.shapes import channel_json, im_json, user_json
from bot.standin.state import Workspace

MAX_MPIM_USERS = 8


def auth_test(ws: Workspace, params: Params) -> JSON:
    """auth.test: who the bot token belongs to."""
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def team_info(ws: Workspace, params: Params) -> JSON:
    """team.info: the one workspace."""
    icon = {f"image_{n}": f"https://a.slack-edge.com/team-{n}.png" for n in (34, 44, 68, 88, 102)}
    team = {
        "id": ws.team_id,
        "name": ws.team_name,
        "domain": ws.team_domain,
        "email_domain": f"{ws.team_domain}.example",
        "icon": {**icon, "image_default": True},
        "url": f"https://{ws.team_domain}.slack.com/",
        "avatar_base_url": "https://ca.slack-edge.com/",
        "is_verified": False,
    }
    return {"ok": True, "team": team}


def _user(ws: Workspace, user_id: str) -> JSON:
    return user_json(ws.user(user_id), ws.team_id, ws.now(), bot_id=ws.bot_id, app_id=ws.app_id)


def users_info(ws: Workspace, params: Params) -> JSON:
    """users.info: one person, with time zone facts for the current instant."""
    with ws.lock:
        return {"ok": True, "user": _user(ws, text_param(params, "user") or "")}


def users_list(ws: Workspace, params: Params) -> JSON:
    """users.list: everyone, paginated by limit/cursor."""
    with ws.lock:
        members, cursor = page([_user(ws, u) for u in ws.users], params)
        return {
            "ok": True,
            "members": members,
            "cache_ts": ws.epoch(),
            "response_metadata": {"next_cursor": cursor},
        }


def _visible(ws: Workspace, channel_id: str | None) -> Channel:
    channel = ws.channel(channel_id or "")
    hidden = channel.is_private or channel.is_im or channel.is_mpim
    if hidden and ws.bot_user_id not in channel.members:
        raise ApiError("channel_not_found")
    return channel


def conversations_open(ws: Workspace, params: Params) -> JSON:
    """conversations.open: the bot's DM with one user, or a group DM with several."""
    with ws.lock:
        channel_id = text_param(params, "channel")
        users_arg = text_param(params, "users")
        if channel_id is not None:
            channel = _visible(ws, channel_id)
            if not (channel.is_im or channel.is_mpim):
                raise ApiError("method_not_supported_for_channel_type")
            already = True
        else:
            if users_arg is None:
                raise ApiError("users_list_not_supplied")
            ids = [u.strip() for u in users_arg.split(",") if u.strip()]
            ids = [u for u in dict.fromkeys(ids) if u != ws.bot_user_id]
            if not ids:
                raise ApiError("not_enough_users")
            if len(ids) > MAX_MPIM_USERS:
                raise ApiError("too_many_users")
            for user_id in ids:
                if ws.user(user_id).deleted:
                    raise ApiError("user_disabled")
            probe = "D" + ids[0][1:] if len(ids) == 1 else None
            already = probe is not None and probe in ws.channels
            channel = ws.ensure_im(ids[0]) if len(ids) == 1 else ws.ensure_mpim(ids)
        full = bool_param(params, "return_im")
        body: JSON = {"ok": True, "channel": im_json(channel, team_id=ws.team_id, full=full)}
        if already:
            body.update({"no_op": True, "already_open": True})
        return body


def conversations_info(ws: Workspace, params: Params) -> JSON:
    """conversations.info: a conversation the bot can see."""
    with ws.lock:
        channel = _visible(ws, text_param(params, "channel"))
        num = bool_param(params, "include_num_members")
        body = channel_json(
            channel, team_id=ws.team_id, bot_user_id=ws.bot_user_id, num_members=num
        )
        return {"ok": True, "channel": body}


def conversations_join(ws: Workspace, params: Params) -> JSON:
    """conversations.join: the bot joins a public, unarchived channel."""
    with ws.lock:
        channel = ws.channel(text_param(params, "channel") or "")
        if channel.is_private or channel.is_im or channel.is_mpim:
            raise ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise ApiError("is_archived")
        already = ws.bot_user_id in channel.members
        channel.members.add(ws.bot_user_id)
        body: JSON = {
            "ok": True,
            "channel": channel_json(
                channel, team_id=ws.team_id, bot_user_id=ws.bot_user_id, num_members=False
            ),
        }
        if already:
            body["warning"] = "already_in_channel"
            body["response_metadata"] = {"warnings": ["already_in_channel"]}
        return body


def conversations_members(ws: Workspace, params: Params) -> JSON:
    """conversations.members: member ids, paginated by limit/cursor."""
    with ws.lock:
        channel = _visible(ws, text_param(params, "channel"))
        members, cursor = page(sorted(channel.members), params)
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": cursor}}


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "team.info": team_info,
    "users.info": users_info,
    "users.list": users_list,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.join": conversations_join,
    "conversations.members": conversations_members,
}
