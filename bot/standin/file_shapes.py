"""JSON shapes of files and canvases-as-files, keyed like Slack's recorded files.* answers.

Every key here exists in java-slack-sdk/api/files.completeUploadExternal.json and files.info.json.
Values Slack's recordings mask (file types, modes) follow Slack's conventions as far as known.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from urllib.parse import quote

from bot.standin.models import JSON, Canvas, StoredFile
from bot.standin.state import Workspace

# extension -> (filetype, mimetype, pretty_type)
_TYPES: dict[str, tuple[str, str, str]] = {
    "csv": ("csv", "text/csv", "CSV"),
    "md": ("markdown", "text/markdown", "Markdown (raw)"),
    "markdown": ("markdown", "text/markdown", "Markdown (raw)"),
    "txt": ("text", "text/plain", "Plain Text"),
    "ics": ("text", "text/calendar", "Plain Text"),
    "json": ("json", "application/json", "JSON"),
    "pdf": ("pdf", "application/pdf", "PDF"),
    "png": ("png", "image/png", "PNG"),
}
_BINARY = ("binary", "application/octet-stream", "Binary")
FILES_PATH = "/files-pri/"


def file_type(name: str, snippet_type: str = "") -> tuple[str, str, str]:
    """(filetype, mimetype, pretty_type) of a file name."""
    found = _TYPES.get(PurePosixPath(name).suffix.lstrip(".").lower(), _BINARY)
    return (snippet_type, found[1], found[2]) if snippet_type else found


def private_url(ws: Workspace, stored: StoredFile, *, download: bool = False) -> str:
    """url_private / url_private_download: served by the stand-in, with the bot token only."""
    middle = "download/" if download else ""
    return f"{ws.base_url}{FILES_PATH}{ws.team_id}-{stored.id}/{middle}{quote(stored.name)}"


def _share_entry(ws: Workspace, channel_id: str, ts: str, user: str) -> JSON:
    channel = ws.channels.get(channel_id)
    message = ws.find_message(channel_id, ts)
    entry: JSON = {
        "reply_users": [],
        "reply_users_count": 0,
        "reply_count": 0,
        "ts": ts,
        "channel_name": channel.name if channel else "",
        "team_id": ws.team_id,
        "share_user_id": user,
        "date_last_shared": int(float(ts)),
    }
    if message is not None and message.thread_ts and message.thread_ts != ts:
        entry["thread_ts"] = message.thread_ts
    return entry


def _sharing(ws: Workspace, stored: StoredFile) -> JSON:
    """channels / groups / ims and shares {public, private}, as files.info answers them."""
    channels: list[str] = []
    groups: list[str] = []
    ims: list[str] = []
    public: dict[str, list[JSON]] = {}
    private: dict[str, list[JSON]] = {}
    for channel_id, ts in stored.shares:
        channel = ws.channels.get(channel_id)
        if channel is None:
            continue
        hidden = channel.is_private or channel.is_im or channel.is_mpim
        listed = ims if channel.is_im else groups if hidden else channels
        if channel_id not in listed:
            listed.append(channel_id)
        bucket = private if hidden else public
        bucket.setdefault(channel_id, []).append(_share_entry(ws, channel_id, ts, stored.user))
    shares: JSON = {}
    if public:
        shares["public"] = public
    if private:
        shares["private"] = private
    return {
        "channels": channels,
        "groups": groups,
        "ims": ims,
        "shares": shares,
        "has_more_shares": False,
        "is_public": bool(public),
    }


def file_json(ws: Workspace, stored: StoredFile, *, sharing: bool) -> JSON:
    """A file object: as files.info answers it with `sharing`, else as completeUploadExternal
    answers it (Slack shares asynchronously, so its answer carries no shares yet) and as messages
    carry it."""
    filetype, mimetype, pretty = file_type(stored.name, stored.snippet_type)
    secret = hashlib.sha1(f"{ws.team_id}{stored.id}".encode()).hexdigest()[:10]
    body: JSON = {
        "id": stored.id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": stored.name,
        "title": stored.title or stored.name,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": pretty,
        "user": stored.user,
        "user_team": ws.team_id,
        "editable": False,
        "size": stored.size,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": private_url(ws, stored),
        "url_private_download": private_url(ws, stored, download=True),
        "permalink": f"https://{ws.team_domain}.slack.com/files/{stored.user}/{stored.id}/"
        + quote(stored.name),
        "permalink_public": f"https://slack-files.com/{ws.team_id}-{stored.id}-{secret}",
        "has_rich_preview": False,
        "file_access": "visible",
        "media_display_type": "unknown",
        "comments_count": 0,
        "is_starred": False,
    }
    if stored.alt_txt:
        body["alt_txt"] = stored.alt_txt
    if sharing:
        body.update(_sharing(ws, stored))
    return body


def canvas_file_json(ws: Workspace, canvas: Canvas) -> JSON:
    """A canvas as files.info answers it (canvases are files)."""
    size = len(canvas.markdown.encode())
    body: JSON = {
        "id": canvas.id,
        "created": canvas.created,
        "timestamp": canvas.created,
        "name": canvas.title,
        "title": canvas.title,
        "mimetype": "application/vnd.slack-docs",
        "filetype": "quip",
        "pretty_type": "Canvas",
        "user": canvas.owner,
        "user_team": ws.team_id,
        "editable": True,
        "size": size,
        "mode": "quip",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://{ws.team_domain}.slack.com/docs/{ws.team_id}/{canvas.id}",
        "permalink": f"https://{ws.team_domain}.slack.com/docs/{ws.team_id}/{canvas.id}",
        "has_rich_preview": False,
        "file_access": "visible",
        "comments_count": 0,
        "is_starred": False,
        "is_channel_space": canvas.is_channel_canvas,
    }
    if canvas.channel_id is not None:
        body["linked_channel_id"] = canvas.channel_id
    return body
