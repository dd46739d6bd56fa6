"""The web pages of an OAuth install: "Add to Slack", installed, and what went wrong.

Pure functions from plain data to HTML strings. Every page is self-contained: inline CSS, system
fonts, no images, fonts or scripts from anywhere, and a Content-Security-Policy that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from bot.workspaces.manifest import APP_DESCRIPTION, APP_NAME, BOT_SCOPE_REASONS

# Nothing but the page's own inline styles may load; links still navigate.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f2f5; color: #1d1c1d;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 42rem; margin: 2.5rem auto; padding: 2.5rem 2.75rem; background: #fff;
  border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 8px 24px rgba(0,0,0,.06); }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .4rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
p { margin: 0 0 1rem; }
.lead { font-size: 1.2rem; color: #454245; margin-bottom: 1.5rem; }
.pillars { list-style: none; padding: 0; margin: 0 0 1rem; }
.pillars li { margin: 0 0 .6rem; padding: .6rem 1rem; background: #f8f5f9;
  border-left: 4px solid #4a154b; border-radius: 0 8px 8px 0; }
.pillars strong, .steps strong { color: #4a154b; }
.steps { padding-left: 1.4rem; }
.steps li { margin: 0 0 .6rem; }
.cta { margin: 1.75rem 0 .5rem; }
.button { display: inline-block; padding: .8rem 1.7rem; border-radius: 8px; background: #4a154b;
  color: #fff; font-weight: 700; font-size: 1.1rem; text-decoration: none; }
.button:hover { background: #611f69; }
.button:focus-visible { outline: 3px solid #1264a3; outline-offset: 3px; }
.fine { font-size: .92rem; color: #5e5d60; }
a { color: #1264a3; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .55rem 1rem; margin: 0; }
dt { padding-top: .1rem; }
dd { margin: 0; color: #454245; }
code { font: .92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f0edf1;
  padding: .1em .35em; border-radius: 4px; }
footer { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid #e8e6e9; }
@media (max-width: 40rem) { main { margin: 0; padding: 1.5rem; border-radius: 0; }
  dl { grid-template-columns: 1fr; gap: .2rem; } dd { margin-bottom: .5rem; } }
"""

PILLARS = (
    (
        "Goals & Vision",
        "the goals you set together and the vision every meeting serves. "
        "Each meeting nudge brings one goal as the focus.",
    ),
    (
        "Structure & Communication",
        "how often, how and where you meet. Both of you get a nudge before every meeting, "
        "each in your own time zone, and one question afterwards: did it happen?",
    ),
    (
        "Milestones & Reflection",
        "a kickoff, feedback checkpoints and a final review, "
        "with short reflection prompts in a direct message.",
    ),
)


def install_page(
    authorize_url: str,
    *,
    name: str = APP_NAME,
    description: str = APP_DESCRIPTION,
    scopes: Mapping[str, str] = BOT_SCOPE_REASONS,
) -> str:
    """The "Add to Slack" page: what the app does, what it asks for, and the button."""
    pillars = "".join(
        f"<li><strong>{escape(title)}</strong> — {escape(text)}</li>" for title, text in PILLARS
    )
    asks = "".join(
        f"<dt><code>{escape(scope)}</code></dt><dd>{escape(why)}</dd>"
        for scope, why in scopes.items()
    )
    body = f"""
<h1>{escape(name)}</h1>
<p class="lead">{escape(description)}</p>
<p>A mentor and a mentee agree on a plan that rests on three pillars,
and {escape(name)} keeps each one going inside Slack:</p>
<ul class="pillars">{pillars}</ul>
<p>The app's <strong>Home tab</strong> shows each of your mentorships: the next meeting in your
time zone, your goals and the milestones ahead.</p>
<p class="cta"><a class="button" href="{escape(authorize_url)}">Add to Slack</a></p>
<p class="fine">Slack asks you to pick a workspace and approve the permissions below.</p>
<h2>What {escape(name)} asks Slack for, and why</h2>
<dl>{asks}</dl>
<h2>Your privacy</h2>
<p>{escape(name)} stores mentorship plans, answers to meeting questions and each person's time
zone. Reflections stay private to the person who writes them, and to their partner if they choose
to share them. They never appear in channels or in program reports.</p>
<footer class="fine">Already installed? Type <code>/mentorship help</code> in Slack.</footer>"""
    return _page(f"Add {name} to Slack", body)


def success_page(team_id: str | None, app_id: str | None, *, name: str = APP_NAME) -> str:
    """The page after an install: where to go in Slack and the first command to type."""
    web = _web_link(team_id, app_id)
    if team_id and app_id:
        home = "slack://app?" + urlencode({"team": team_id, "id": app_id, "tab": "home"})
        buttons = (
            f'<p class="cta"><a class="button" href="{escape(home)}">Open {escape(name)} in Slack'
            "</a></p>"
            f'<p class="fine">Slack doesn\'t open? <a href="{escape(web)}">Open it in your '
            "browser</a> instead.</p>"
        )
    else:
        buttons = f'<p class="cta"><a class="button" href="{escape(web)}">Open Slack</a></p>'
    body = f"""
<h1>{escape(name)} is installed</h1>
<p class="lead">Your workspace is ready. Here is how to begin.</p>
<ol class="steps">
<li><strong>Open the app's Home tab</strong> in Slack: find {escape(name)} under Apps in the
sidebar. It lists your mentorships.</li>
<li><strong>Start a mentorship</strong> with the Home tab's button, or type
<code>/mentorship start</code> in any message box. <code>/mentorship help</code> shows everything
else.</li>
</ol>
{buttons}"""
    return _page(f"{name} is installed", body)


@dataclass(frozen=True)
class Failure:
    """What went wrong, in words for the person installing, and what to try."""

    heading: str
    what: str
    fix: str


CANCELLED = Failure(
    "Nothing was installed",
    "You pressed Cancel on Slack's page, so {name} wasn't added and nothing changed "
    "in your workspace.",
    "Changed your mind? You can add it at any time.",
)
STALE_LINK = Failure(
    "This install link has expired",
    "An install link works once, for a few minutes, in the browser where it was opened. "
    "This one expired, was already used, or was opened in another browser.",
    "Starting again makes a fresh link.",
)
SLACK_ERROR = Failure(
    "Slack couldn't finish the install",
    "Slack stopped the installation before {name} was added. Nothing changed in your workspace.",
    "This is usually temporary, so start again. If it keeps happening, ask a workspace admin "
    "whether apps need their approval first.",
)
OUR_ERROR = Failure(
    "Something went wrong on our side",
    "Slack approved the install, but {name} couldn't save it. Nothing was posted in your "
    "workspace.",
    "Start again in a few minutes. If it keeps failing, tell whoever runs {name} for your "
    "organization.",
)


def failure_for(reason: str) -> Failure:
    """The plain-words failure for a reason code from Bolt or an `error` Slack sent back."""
    if reason == "access_denied":
        return CANCELLED
    if reason in ("invalid_browser", "invalid_state", "missing_code"):
        return STALE_LINK
    if reason == "storage_error":
        return OUR_ERROR
    return SLACK_ERROR  # any other error Slack redirected with, or a code it refused


def failure_page(reason: str, install_path: str, *, name: str = APP_NAME) -> str:
    """The page after a failed install; it never shows the reason code itself."""
    failure = failure_for(reason)
    body = f"""
<h1>{escape(failure.heading)}</h1>
<p class="lead">{escape(failure.what.format(name=name))}</p>
<p>{escape(failure.fix.format(name=name))}</p>
<p class="cta"><a class="button" href="{escape(install_path)}">Start again from the install page</a></p>"""
    return _page(f"{name} wasn't installed", body)


def _web_link(team_id: str | None, app_id: str | None) -> str:
    """The https way into Slack, for browsers without the desktop app."""
    if app_id:
        query = {"app": app_id} | ({"team": team_id} if team_id else {})
        return "https://slack.com/app_redirect?" + urlencode(query)
    return "https://app.slack.com/client" + (f"/{quote(team_id, safe='')}" if team_id else "")


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>{body}
</main>
</body>
</html>
"""
