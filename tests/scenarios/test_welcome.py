"""The first five minutes: the installer's welcome DM (OAuth install, or with a single token the
first person in a workspace never seen), the Home's how-it-works on a first empty visit, and
the Help section on every Home tab."""

from __future__ import annotations

from sqlalchemy import select

from bot.home.help import HELP_ID, INTRO_PILLARS_ID, INTRO_PRIVACY_ID
from bot.home.view import HOME_START
from bot.workspaces.welcome import welcome_message
from storage.models import Delivery, Workspace
from tests.kit.home import action_ids, home_text, open_home, start
from tests.kit.oauth import Org, install
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TEAM, Bot, wait_for, welcome_queued

WELCOME, _ = welcome_message()


def welcomes(bot: Bot, user: str) -> list[str]:
    return [m.text for m in bot.standin.dm_messages(user) if m.text == WELCOME]


def test_the_first_person_in_a_new_workspace_is_welcomed_once(bot: Bot) -> None:
    with bot.sessions() as s:
        assert s.get(Workspace, TEAM) is None  # never seen: the app was just installed
    assert bot.driver.slash_command(OMAR, "list").status == 200
    wait_for(lambda: welcome_queued(bot, OMAR), what="Omar's welcome")
    bot.tick()
    [dm] = [m for m in bot.standin.dm_messages(OMAR) if m.text == WELCOME]
    said = bot.standin.ws.render(dm)
    assert "/mentorship start @mentee" in said and "Start a mentorship" in said  # a pair
    assert "/mentorship admins add @name" in said and "/mentorship report" in said  # a program
    assert "*My Home tab:* open *Mentorship* under *Apps* in the sidebar" in said  # the Home
    with bot.sessions() as s:
        assert s.get(Workspace, TEAM).status == "active"  # type: ignore[union-attr]
    # Others, and Omar again, are not welcomed: the workspace is known now.
    bot.runtime.services.active_teams.forget(TEAM)
    bot.driver.slash_command(MAYA, "list")
    open_home(bot, LENA)
    bot.runtime.services.active_teams.forget(TEAM)
    bot.driver.slash_command(OMAR, "list")
    bot.tick()
    assert len(welcomes(bot, OMAR)) == 1 and welcomes(bot, MAYA) == welcomes(bot, LENA) == []


def test_slack_reporting_on_someone_is_not_a_person_arriving(bot: Bot) -> None:
    """A profile change arrives first: nobody acted, so nobody is welcomed yet; the first person
    who does something is."""
    assert bot.driver.change_user(MAYA, tz="Europe/Lisbon").status == 200
    bot.tick()
    with bot.sessions() as s:
        assert s.get(Workspace, TEAM) is None
        assert list(s.scalars(select(Delivery))) == []
    assert bot.driver.open_home(KAI).status == 200
    wait_for(lambda: welcome_queued(bot, KAI), what="Kai's welcome")
    bot.tick()
    assert welcomes(bot, KAI) == [WELCOME] and welcomes(bot, MAYA) == []


def test_a_known_workspace_welcomes_nobody(bot: Bot) -> None:
    """A workspace recorded before (an earlier install, or revision 0005's backfill of
    workspaces in use) is not new."""
    with bot.sessions.begin() as s:
        s.add(Workspace(team_id=TEAM, status="active"))
    bot.driver.slash_command(OMAR, "list")
    bot.tick()
    assert welcomes(bot, OMAR) == [] and not welcome_queued(bot, OMAR)


def test_the_installer_is_welcomed_after_an_oauth_install_and_not_again(org: Org) -> None:
    install(org, org.a, MAYA)
    org.tick()
    texts = [m.text for m in org.a.dm_messages(MAYA)]
    assert texts == [WELCOME]
    assert org.b.dm_messages(MAYA) == []  # the other workspace has not installed it
    install(org, org.a, MAYA)  # installed again (say, to add a scope): no second welcome
    org.tick()
    assert [m.text for m in org.a.dm_messages(MAYA)] == [WELCOME]
    install(org, org.a, OMAR)  # another admin installs it: they are new to it
    org.tick()
    assert [m.text for m in org.a.dm_messages(OMAR)] == [WELCOME]


def test_an_empty_home_explains_itself_once(bot: Bot) -> None:
    first = open_home(bot, LENA)
    text = home_text(bot, first)
    blocks = {b.get("block_id"): b for b in first.blocks}
    pillars = blocks[INTRO_PILLARS_ID]["text"]["text"]
    assert "*Goals &amp; Vision*" in pillars and "*Structure &amp; Communication*" in pillars
    assert "*Milestones &amp; Reflection*" in pillars
    assert "Start one yourself" in text and "Join a program" in text  # the two ways to start
    assert "only you read what you write" in blocks[INTRO_PRIVACY_ID]["elements"][0]["text"]
    assert action_ids(first) == {HOME_START}
    start_button = blocks["start_hint"]["accessory"]
    assert start_button["accessibility_label"] == "Start a new mentorship: open the plan form"
    again = home_text(bot, open_home(bot, LENA))
    assert "Two ways to start" not in again and "don't have a mentorship yet" in again
    assert "Help" in again  # the Help section stays


def test_someone_who_is_already_in_a_mentorship_never_sees_the_intro(bot: Bot) -> None:
    start(bot, OMAR)  # Omar mentors Maya
    text = home_text(bot, open_home(bot, MAYA))
    assert "Mentored by Omar" in text and "Two ways to start" not in text


def test_every_home_has_help_instead_of_a_pointer_to_the_command(bot: Bot) -> None:
    start(bot, OMAR)
    view = open_home(bot, OMAR)
    text = home_text(bot, view)
    assert "`/mentorship help` lists the commands" not in text
    assert "Help is at the bottom of this page" in text
    [helped] = [b for b in view.blocks if b.get("block_id") == HELP_ID]
    help_text = helped["text"]["text"]
    assert "*Add as a goal*" in help_text and "`/mentorship pause [weeks]`" in help_text
    assert "Running the program" not in help_text  # Omar is no program admin
    admin = open_home(bot, KAI)  # a workspace admin in the stand-in
    [admin_help] = [b for b in admin.blocks if b.get("block_id") == HELP_ID]
    assert "*Running the program*" in admin_help["text"]["text"]
    assert "`/mentorship report csv`" in admin_help["text"]["text"]
