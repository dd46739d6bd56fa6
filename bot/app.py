"""The app factory: the Bolt app with handlers and services (`create_app`), and a running bot
assembled from configuration: clock, database, app, server (`build_runtime`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot.core.clock import Clock, RealClock, SimulatedClock
from bot.core.config import ClockConfig, Config
from bot.core.services import CONTEXT_KEY, Services, Waker
from bot.core.slack import ClientPool, InstalledTokens, SingleToken, TokenSource, make_client
from bot.kinds import KINDS
from bot.server import BotServer, HealthExtra, make_wsgi
from bot.workspaces.activity import reactivate_on_traffic
from bot.workspaces.oauth import InstallFlow, build_oauth
from handlers.common import actor
from storage.db import check_schema, make_engine, make_sessions

log = logging.getLogger(__name__)


def create_app(
    config: Config,
    *,
    clock: Clock,
    sessions: sessionmaker[Session],
    client: WebClient | None = None,
) -> tuple[App, Services]:
    """Build the Bolt app with every handler registered; return it with its shared services.

    With SLACK_CLIENT_ID/SLACK_CLIENT_SECRET the app serves OAuth installs for many workspaces
    and keeps installations in the database; otherwise it uses the one SLACK_BOT_TOKEN.
    """
    slack = config.slack
    waker = Waker()
    oauth = build_oauth(config, sessions.kw["bind"], clock, waker) if slack.oauth_enabled else None
    tokens: TokenSource = (
        InstalledTokens(oauth.installation_store) if oauth else SingleToken(slack.bot_token)
    )
    client = client or make_client(None if oauth else slack.bot_token, slack.api_url)
    services = Services(
        config=config,
        clock=clock,
        sessions=sessions,
        client=client,
        clients=ClientPool(tokens, slack.api_url),
        post_clients=ClientPool(tokens, slack.api_url, retries=False),
        installation_store=oauth.installation_store if oauth else None,
        kinds=KINDS,
        waker=waker,
    )
    app = BotApp(
        signing_secret=slack.signing_secret,
        # Bolt copies the root logger's level onto each of its loggers when they are created,
        # overriding the WARNING floor bot/core/logs.py sets for "slack_bolt" (Bolt's DEBUG and
        # INFO lines carry request and response bodies). Loggers without a level inherit it.
        logger=logging.getLogger("slack_bolt.App"),
        client=client,
        oauth_flow=InstallFlow(settings=oauth) if oauth else None,
        token_verification_enabled=False,
        # bot/server.py verifies every signature before Bolt sees the request (Bolt's own check
        # logged the whole body, reflection text included, at INFO when it failed).
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def before_listeners(
        body: dict[str, Any], context: BoltContext, next: Callable[[], Any]
    ) -> BoltResponse | None:
        if body.get("type") == "app_rate_limited":
            return rate_limited(body)
        context[CONTEXT_KEY] = services
        if services.clients is not None and type(context.client) is WebClient:
            # Bolt gives each request a new slack_sdk client (urllib: a new connection, on
            # https a new TLS handshake, per call); listeners get the pooled one with the same
            # token, retry handlers and base URL, whose connections stay open.
            context["client"] = services.clients.for_token(context.client.token)
        reactivate_on_traffic(services, context, body)
        next()
        return None

    app.use(before_listeners)
    app.error(on_error)
    handlers.register(app)
    return app, services


class BotApp(App):
    """Bolt's App, except that a request no listener takes is answered 200 with one debug line
    (Bolt answers 404, which Slack retries and counts against the app's event subscriptions,
    and logs a warning of several lines)."""

    def _handle_unmatched_requests(self, req: BoltRequest, resp: BoltResponse) -> BoltResponse:
        log.debug("no listener for %s; answered 200", describe(req.body))
        return BoltResponse(status=200, body="")


def describe(body: dict[str, Any]) -> str:
    """What a request is, in a few words and no content: "event reaction_added", "block_actions
    nope", "view_submission plan_start", "command /other"."""
    if "command" in body:
        return f"command {body.get('command')}"
    kind = str(body.get("type") or "request")
    event, view, actions = body.get("event"), body.get("view"), body.get("actions")
    if kind == "event_callback" and isinstance(event, dict):
        subtype = f"/{event['subtype']}" if event.get("subtype") else ""
        return f"event {event.get('type')}{subtype}"
    if isinstance(view, dict):
        return f"{kind} {view.get('callback_id')}"
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"{kind} {actions[0].get('action_id')}"
    return kind


def rate_limited(body: dict[str, Any]) -> BoltResponse:
    """`app_rate_limited` (sent top-level, not as an event callback, while Slack throttles the
    app's events): answered 200, or Slack may disable the event subscriptions; logged once."""
    log.warning(
        "Slack is dropping this app's events for a minute (over 30,000 an hour): "
        "app_rate_limited for the minute starting at %s",
        body.get("minute_rate_limited"),
        extra={"team_id": body.get("team_id")},
    )
    return BoltResponse(status=200, body="")


SORRY = (
    "Sorry, something went wrong on my side and that didn't go through. "
    "Please try again in a moment."
)


def on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    context: BoltContext,
) -> None:
    """The one place listener and middleware errors end: logged with the traceback (never the
    body), and the person who acted hears that it didn't work, before or after the ack.

    Not acknowledged yet (`response` is Bolt's 500): a command or form gets a 200 that says so
    (a form keeps its answers, with the note beside its first field); an event keeps the 500,
    so Slack sends it again. Already acknowledged: the note goes to the response_url, or by DM.
    """
    kind = body.get("type") or body.get("command") or "request"
    log.error("unhandled error while handling %s", kind, exc_info=error)
    pending = response is not None and response.status >= 500
    if body.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
        if not pending and _dm_from_person(body):  # (a 500 is retried: no note before that)
            _tell(context, body, None)
        return
    if pending and response is not None:
        answer = _answer_instead(body)
        response.status, response.body = 200, json.dumps(answer) if answer else ""
        response.headers = {"content-type": ["application/json;charset=utf-8"]}
        if answer:
            return  # the person sees the note in the command's reply or beside the field
    _tell(context, body, body.get("response_url"))


def _answer_instead(body: dict[str, Any]) -> dict[str, Any] | None:
    """What to answer Slack instead of a 500: the note for a command, field errors for a form
    with an input (its answers stay), None when the reply must go elsewhere."""
    if "command" in body:
        return {"response_type": "ephemeral", "text": SORRY}
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        blocks = view.get("blocks") or []
        first = next((b for b in blocks if isinstance(b, dict) and b.get("type") == "input"), None)
        if first is not None and first.get("block_id"):
            return {"response_action": "errors", "errors": {first["block_id"]: SORRY}}
    return None


def _dm_from_person(body: dict[str, Any]) -> bool:
    event = body.get("event") or {}
    return (
        event.get("type") == "message"
        and event.get("channel_type") == "im"
        and not event.get("bot_id")
        and isinstance(event.get("user"), str)
    )


def _tell(context: BoltContext, body: dict[str, Any], response_url: Any) -> None:
    """The note to the person who acted: through the response_url, else by DM."""
    user_id = actor(body)[1] or str((body.get("event") or {}).get("user") or "")
    try:
        if isinstance(response_url, str) and response_url:
            WebhookClient(response_url, timeout=5).send_dict(
                {"response_type": "ephemeral", "replace_original": False, "text": SORRY}
            )
        elif user_id and context.client is not None:
            context.client.chat_postMessage(channel=user_id, text=SORRY)
    except (SlackApiError, OSError) as exc:
        log.warning("could not tell %s that it failed: %s", user_id, type(exc).__name__)


def make_clock(config: ClockConfig) -> Clock:
    """Real time, or the simulated clock configured under [clock]."""
    if config.start is None:
        return RealClock()
    return SimulatedClock(config.start, config.speed)


@dataclass
class Runtime:
    config: Config
    engine: Engine
    app: App
    services: Services

    def server(
        self,
        host: str | None = None,
        port: int | None = None,
        health: HealthExtra | None = None,
    ) -> BotServer:
        """A waitress server for this runtime's app."""
        wsgi = make_wsgi(self.app, self.services, health)
        return BotServer(
            wsgi,
            host or self.config.server.host,
            self.config.server.port if port is None else port,
            threads=self.config.server.threads,
        )


def build_runtime(config: Config, *, clock: Clock | None = None, check: bool = True) -> Runtime:
    """Engine, sessions, clock and app for `config`; refuses an outdated schema when `check`."""
    engine = make_engine(config.database_url)
    if check:
        check_schema(engine)
    app, services = create_app(
        config, clock=clock or make_clock(config.clock), sessions=make_sessions(engine)
    )
    return Runtime(config=config, engine=engine, app=app, services=services)
