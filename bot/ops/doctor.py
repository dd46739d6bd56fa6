"""`mentorship-bot doctor`: check configuration, database, token and scopes; say how to fix each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.core.config import Config
from bot.core.slack import make_client
from bot.workspaces.manifest import BOT_SCOPES
from storage.db import make_engine, schema_state
from storage.workspaces import installed_bots


@dataclass(frozen=True)
class Finding:
    """One check: passed or not, what was seen, and the fix when it failed."""

    ok: bool
    what: str
    fix: str = ""

    def line(self) -> str:
        """ "✓ what" or "✗ what — fix: ..."."""
        return f"✓ {self.what}" if self.ok else f"✗ {self.what}\n    fix: {self.fix}"


def check_secrets(config: Config) -> list[Finding]:
    """Secrets come from the environment: the signing secret, and the bot token unless the
    app serves OAuth installs (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)."""
    found = []
    if not config.slack.signing_secret:
        found.append(
            Finding(
                False,
                "SLACK_SIGNING_SECRET is not set",
                "export it from your app's Basic Information page",
            )
        )
    if not config.slack.oauth_enabled and not config.slack.bot_token:
        found.append(
            Finding(
                False,
                "SLACK_BOT_TOKEN is not set",
                "export the Bot User OAuth Token (xoxb-...) from OAuth & Permissions",
            )
        )
    return found or [Finding(True, "Slack secrets are set in the environment")]


def check_database(config: Config) -> list[Finding]:
    """The database answers and this version can run on its schema (the newest migration, or
    a newer one whose changes are additive). Never creates a database: a SQLite file that is
    not there is reported, not made."""
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if not path.exists():
            return [
                Finding(
                    False,
                    f"the database file {path} does not exist",
                    "run `mentorship-bot db upgrade` (it creates it), or check [database] url "
                    "/ DATABASE_URL and the working directory",
                )
            ]
    engine = make_engine(config.database_url)
    try:
        state = schema_state(engine)
    except SQLAlchemyError as exc:
        return [
            Finding(
                False,
                f"cannot reach the database: {type(exc).__name__}",
                "check [database] url / DATABASE_URL and that the server is running",
            )
        ]
    finally:
        engine.dispose()
    if not state.usable:
        return [Finding(False, state.note, state.fix)]
    return [Finding(True, state.note or f"database reachable, schema at {state.revision}")]


def check_token(config: Config) -> list[Finding]:
    """The token works (auth.test) and carries every scope the bot needs."""
    client = make_client(config.slack.bot_token, config.slack.api_url)
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        return [
            Finding(
                False,
                f"Slack rejected the bot token: {error}",
                "copy the Bot User OAuth Token again (OAuth & Permissions) into SLACK_BOT_TOKEN",
            )
        ]
    except OSError as exc:
        return [
            Finding(
                False,
                f"cannot reach Slack at {config.slack.api_url}: {type(exc).__name__}",
                "check [slack] api_url / SLACK_API_URL, proxies and outbound HTTPS",
            )
        ]
    team = response.get("team") or response.get("team_id")
    findings = [Finding(True, f"token works for workspace {team} as @{response.get('user')}")]
    header = next((v for k, v in response.headers.items() if k.lower() == "x-oauth-scopes"), None)
    if header is None:
        findings.append(
            Finding(True, "Slack did not report the token's scopes; skipped the scope check")
        )
        return findings
    granted = {s.strip() for s in str(header).split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in granted]
    if missing:
        findings.append(
            Finding(
                False,
                f"the token lacks scope{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                "add them under OAuth & Permissions → Bot Token Scopes (or recreate the app from "
                "`mentorship-bot manifest --url ...`), then reinstall the app to the workspace",
            )
        )
    else:
        findings.append(Finding(True, "the token has every scope the bot needs"))
    return findings


def check_calendar_links(config: Config) -> list[Finding]:
    """Private calendar links need the address people reach the server at, over HTTPS."""
    url = config.server.public_url
    if not url:
        return [
            Finding(True, "calendar links are off ([server] public_url unset); files still work")
        ]
    if not url.startswith("https://"):
        return [
            Finding(
                False,
                f"[server] public_url is not HTTPS: {url}",
                "calendar links carry a secret token: serve them behind HTTPS only",
            )
        ]
    return [Finding(True, f"calendar links are served at {url}/calendar/<token>.ics")]


def check_installations(config: Config) -> list[Finding]:
    """OAuth mode: some workspace installed the app, and each installation was granted every
    scope the bot needs (an install from before a scope was added lacks it)."""
    engine = make_engine(config.database_url)
    try:
        with Session(engine) as session:
            bots = installed_bots(session)
    finally:
        engine.dispose()
    if not bots:
        return [
            Finding(
                False,
                "no workspace has installed the app yet",
                "open https://YOUR-HOST/slack/install and press Add to Slack (the app's "
                "Redirect URL must be https://YOUR-HOST/slack/oauth_redirect)",
            )
        ]
    findings = []
    for team_id, (name, granted) in sorted(bots.items()):
        missing = [s for s in BOT_SCOPES if s not in granted]
        if missing:
            findings.append(
                Finding(
                    False,
                    f"workspace {name} ({team_id}) was installed without "
                    f"scope{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                    "add them under OAuth & Permissions → Bot Token Scopes, then install again "
                    "from https://YOUR-HOST/slack/install in that workspace",
                )
            )
    count = f"{len(bots)} workspace{'s' if len(bots) > 1 else ''}"
    if not findings:
        findings.append(Finding(True, f"{count} installed, each with every scope the bot needs"))
    return findings


def run_doctor(config: Config, out: Callable[[str], None]) -> int:
    """Run every check for the mode configured (one bot token, or OAuth installs), print the
    findings, return 0 when all passed."""
    database = check_database(config)
    findings = check_secrets(config) + database + check_calendar_links(config)
    if config.slack.oauth_enabled:
        if all(f.ok for f in database):  # the installations live in the database
            findings += check_installations(config)
    elif config.slack.bot_token:
        findings += check_token(config)
    for finding in findings:
        out(finding.line())
    problems = sum(not f.ok for f in findings)
    out("All good." if not problems else f"{problems} problem{'s' if problems > 1 else ''} found.")
    return 0 if not problems else 1
