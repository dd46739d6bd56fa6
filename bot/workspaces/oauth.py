"""Multi-workspace installs: Bolt's OAuth flow with slack_sdk's SQLAlchemy stores, and our own
install, success and failure pages (bot/workspaces/pages.py) served through Bolt's hooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.core.clock import Clock
from bot.core.config import Config
from bot.workspaces.manifest import BOT_SCOPES
from bot.workspaces.pages import failure_page, install_page, success_page
from bot.workspaces.welcome import queue_welcome
from storage.db import write_session
from storage.models import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE
from storage.workspaces import reactivate_workspace

log = logging.getLogger(__name__)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"


def build_oauth(
    config: Config,
    engine: Engine,
    clock: Clock | None = None,
    waker: Callable[[], None] | None = None,
) -> OAuthSettings:
    """OAuth settings whose installations and states live in the bot's own database; an install
    queues the welcome DM for the installer and wakes the scheduler (`waker`)."""
    store = SQLAlchemyInstallationStore(
        client_id=config.slack.client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )
    states = SQLAlchemyOAuthStateStore(
        expiration_seconds=600, engine=engine, table_name=OAUTH_STATES_TABLE
    )

    def installed(args: SuccessArgs) -> BoltResponse:
        team_id, installer = args.installation.team_id, args.installation.user_id
        if team_id:
            now = clock.now() if clock else datetime.now(UTC)
            with write_session(engine) as session:
                # A reinstall picks its schedules up again.
                revived = reactivate_workspace(session, team_id, now)
                welcomed = bool(installer) and queue_welcome(session, team_id, installer, now)
            log.info(
                "installed (%d stopped messages revived%s)",
                revived,
                ", welcome DM queued" if welcomed else "",
                extra={"team_id": team_id},
            )
            if waker is not None:
                waker()
        page = success_page(team_id, args.installation.app_id)
        return _page_response(200, page, args.settings)

    def failed(args: FailureArgs) -> BoltResponse:
        # The reason and any exception go to the log; the page says it in plain words.
        log.warning("OAuth install failed: %s", args.reason, exc_info=args.error)
        page = failure_page(args.reason, args.settings.install_path)
        return _page_response(args.suggested_status_code, page, args.settings)

    return OAuthSettings(
        client_id=config.slack.client_id,
        client_secret=config.slack.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=store,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=config.slack.authorize_url,
        callback_options=CallbackOptions(success=installed, failure=failed),
    )


class InstallFlow(OAuthFlow):
    """Bolt's OAuth flow with our "Add to Slack" page instead of Bolt's default one."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)

    def handle_installation(self, request: BoltRequest) -> BoltResponse:
        response = super().handle_installation(request)
        response.headers["cache-control"] = ["no-store"]  # the page carries a one-time state
        return response


def _page_response(status: int, page: str, settings: OAuthSettings) -> BoltResponse:
    """An HTML page that also clears the state cookie, as Bolt's own pages do."""
    return BoltResponse(
        status=status,
        body=page,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Set-Cookie": settings.state_utils.build_set_cookie_for_deletion(),
        },
    )
