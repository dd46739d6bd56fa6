"""files.* methods of the stand-in, the upload URL they hand out, and url_private downloads.

Slack's upload is three steps: files.getUploadURLExternal (filename, length) answers an upload URL
and a file id; the bytes are POSTed to that URL (raw or multipart) and Slack answers 200
"OK - <bytes>"; files.completeUploadExternal then titles the files and shares them in one
conversation (channel_id, a C/G/D id: a user id is invalid_arguments) with an initial comment.
Bytes whose size differs from the declared length never complete (file_not_found), nor does a
file whose bytes never arrived.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import secrets
from typing import Any
from urllib.parse import unquote

from bot.standin.api_common import (
    Handler,
    Params,
    int_param,
    json_param,
    message_content,
    postable_channel,
    text_param,
)
from bot.standin.file_shapes import FILES_PATH, canvas_file_json, file_json, file_type
from bot.standin.models import JSON, ApiError, Channel, RecordedMessage, StoredFile
from bot.standin.state import Workspace

UPLOAD_PATH = "/upload/v1/"
CHANNEL_ID = re.compile(r"^[CGDZ][A-Z0-9]{8,}$")
MAX_ALT_TXT = 1000
MAX_CHANNELS = 100
FILE_FIELDS = ("file", "filename")  # multipart fields that may carry the bytes
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


def _missing(*names: str) -> ApiError:
    return ApiError("invalid_arguments", [f"[ERROR] missing required field: {n}" for n in names])


def get_upload_url(ws: Workspace, params: Params) -> JSON:
    """files.getUploadURLExternal: a one-file upload URL on the stand-in, and the file's id."""
    missing = [k for k in ("filename", "length") if params.get(k) in (None, "")]
    if missing:
        raise _missing(*missing)
    length = int_param(params, "length", 0)
    if length == 0:
        raise ApiError("missing_argument")
    if length < 0:
        raise ApiError(
            "invalid_arguments",
            ["[ERROR] must be greater than or equal to 1 [json-pointer:/length]"],
        )
    alt_txt = text_param(params, "alt_txt") or ""
    if len(alt_txt) > MAX_ALT_TXT:
        raise ApiError("alt_txt_too_large")
    with ws.lock:
        file_id = ws.next_id("F")
        ticket = secrets.token_urlsafe(24)
        ws.files[file_id] = StoredFile(
            id=file_id,
            name=text_param(params, "filename") or "",
            length=length,
            user=ws.bot_user_id,
            created=ws.epoch(),
            ticket=ticket,
            alt_txt=alt_txt,
            snippet_type=text_param(params, "snippet_type") or "",
        )
        ws.upload_tickets[ticket] = file_id
        return {"ok": True, "upload_url": f"{ws.base_url}{UPLOAD_PATH}{ticket}", "file_id": file_id}


def _multipart_file(raw: bytes, content_type: str) -> bytes | None:
    """The file part of a multipart/form-data body (the part with a filename, else `file`)."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    parts = list(message.iter_parts())
    named = [p for p in parts if p.get_param("name", header="content-disposition") in FILE_FIELDS]
    chosen = next((p for p in parts if p.get_filename()), None) or next(iter(named), None)
    if chosen is None:
        return None
    payload = chosen.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None


def receive_upload(ws: Workspace, ticket: str, raw: bytes, content_type: str) -> tuple[int, str]:
    """A POST to an upload URL: keep the bytes; answer (status, text) like Slack's upload host."""
    data = raw
    if content_type.lower().startswith("multipart/form-data"):
        part = _multipart_file(raw, content_type)
        if part is None:
            return 400, "Bad Request"
        data = part
    with ws.lock:
        stored = ws.files.get(ws.upload_tickets.get(ticket, ""))
        if stored is None or stored.completed:
            return 404, "Not Found"
        stored.content = data
        return 200, f"OK - {len(data)}"


def _file_entries(value: Any) -> list[JSON]:
    if value is None:
        raise _missing("files")
    if not isinstance(value, list):
        raise ApiError("invalid_arguments", ["[ERROR] must provide an array [json-pointer:/files]"])
    if not value:
        raise ApiError(
            "invalid_arguments", ["[ERROR] must provide at least 1 item [json-pointer:/files]"]
        )
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ApiError(
                "invalid_arguments",
                [f"[ERROR] missing required field: id [json-pointer:/files/{i}]"],
            )
    return value


def _targets(ws: Workspace, params: Params) -> list[Channel]:
    """The conversations to share in: channel_id (a conversation id) and/or channels."""
    channel_id = text_param(params, "channel_id")
    if channel_id is not None and not CHANNEL_ID.match(channel_id):
        raise ApiError(
            "invalid_arguments",
            [
                "[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ "
                "[json-pointer:/channel_id]"
            ],
        )
    wanted = [channel_id] if channel_id else []
    wanted += [c.strip() for c in (text_param(params, "channels") or "").split(",") if c.strip()]
    if len(wanted) > MAX_CHANNELS:
        raise ApiError("channels_limit_exceeded")
    targets: list[Channel] = []
    for target in dict.fromkeys(wanted):
        channel = postable_channel(ws, target)
        if channel not in targets:
            targets.append(channel)
    return targets


def complete_upload(ws: Workspace, params: Params) -> JSON:
    """files.completeUploadExternal: title the uploaded files and share them in a conversation."""
    entries = _file_entries(json_param(params, "files", "invalid_arguments"))
    comment = text_param(params, "initial_comment")
    blocks: list[Any] = []
    if comment is None and params.get("blocks") not in (None, ""):
        _, blocks = message_content(params, require_content=False)
    with ws.lock:
        files: list[StoredFile] = []
        for entry in entries:
            stored = ws.files.get(entry["id"])
            if (
                stored is None
                or stored.deleted
                or stored.completed
                or stored.content is None
                or stored.size != stored.length
            ):
                raise ApiError("file_not_found")
            files.append(stored)
        targets = _targets(ws, params)
        for entry, stored in zip(entries, files, strict=True):
            stored.title = str(entry.get("title") or stored.name)
            stored.completed = True
        thread_ts = text_param(params, "thread_ts")
        for channel in targets:
            message = RecordedMessage(
                channel=channel.id,
                user=ws.bot_user_id,
                text=comment or "",
                blocks=blocks,
                ts=ws.next_ts(),
                thread_ts=thread_ts,
                subtype="file_share",
                bot_id=ws.bot_id,
                files=[file_json(ws, f, sharing=False) for f in files],
            )
            ws.record_message(message)
            for stored in files:
                stored.shares.append((channel.id, message.ts))
        if not targets:
            names = ", ".join(f.name for f in files)
            ws.note(f"files uploaded without sharing: {names}")
        return {"ok": True, "files": [file_json(ws, f, sharing=False) for f in files]}


def files_info(ws: Workspace, params: Params) -> JSON:
    """files.info: a completed upload (with where it is shared), or a canvas."""
    file_id = text_param(params, "file")
    if file_id is None:
        raise _missing("file")
    with ws.lock:
        canvas = ws.canvases.get(file_id)
        if canvas is not None:
            if canvas.deleted:
                raise ApiError("file_deleted")
            return {"ok": True, "file": canvas_file_json(ws, canvas), "comments": []}
        stored = ws.files.get(file_id)
        if stored is None or not stored.completed:
            raise ApiError("file_not_found")
        if stored.deleted:
            raise ApiError("file_deleted")
        return {"ok": True, "file": file_json(ws, stored, sharing=True), "comments": []}


def download(ws: Workspace, path: str, token: str | None, bot_token: str) -> tuple[int, bytes, str]:
    """GET of url_private(_download): the bytes with the bot token; Slack's sign-in page without."""
    if token != bot_token:
        return 200, LOGIN_PAGE, "text/html; charset=utf-8"
    rest = path[len(FILES_PATH) :]
    owner, _, name = rest.partition("/")
    file_id = owner.removeprefix(f"{ws.team_id}-")
    with ws.lock:
        stored = ws.files.get(file_id)
        name = unquote(name.removeprefix("download/"))
        if stored is None or not stored.completed or stored.deleted or name != stored.name:
            return 404, b"Not Found", "text/plain; charset=utf-8"
        return 200, stored.content or b"", file_type(stored.name)[1]


HANDLERS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": files_info,
}
