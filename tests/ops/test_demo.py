"""The demo plays a whole mentorship and shows what each person saw."""

from __future__ import annotations

import re

from bot.ops.demo import run_demo


def test_demo_plays_the_whole_mentorship(capsys) -> None:
    assert run_demo(quiet=False) == 0
    out = capsys.readouterr().out
    # Start: a field error, then the plan summaries in each reader's zone.
    assert "Omar saw errors in 'Start a mentorship'" in out
    assert "DM to Maya: 📅 Your mentorship with *Omar* is set up" in out
    assert "First meeting Tue 9 Mar at 09:00" in out and "First meeting Tue 9 Mar at 15:00" in out
    # Maya adds the series to her calendar from her summary: a file in her DM, with the caveat.
    assert "Maya clicked '📅 Add to calendar'" in out
    assert "Google Calendar's import doesn't update an event it already has" in out
    assert "[file mentorship.ics]" in out and "[📅 Get the updated calendar file]" in out
    # Nudges across both daylight-saving changes, a reschedule, a skip, follow-ups.
    assert "Tue 9 Mar at 09:00 (15:00 for Omar)" in out
    assert "Tue 23 Mar at 10:00 (15:00 for Omar)" in out
    assert "Tue 6 Apr at 09:00 (15:00 for Omar)" in out
    assert "Omar moved your mentorship session to Wed 24 Mar at 11:00" in out
    assert "the Tue 4 May session was skipped" in out
    assert "Recorded: you met on Tue 9 Mar" in out
    # Maya answers for both: Omar's nudge and follow-up show it at once, without buttons.
    assert "DM to Omar (edited): Did your session with *Maya* Tue 9 Mar at 15:00 happen?" in out
    assert "✅ Maya recorded: you met on Tue 9 Mar. Thanks!" in out
    # A DM with nothing open gets a helpful answer.
    assert "nothing for you to answer right now" in out
    # Reflections by DM and by form, a rating asked again, a share, a stop, a reminder.
    assert "has kicked off. 3 quick questions" in out
    assert "modal opened for Omar: Reflection" in out
    assert "Just a number from 1 to 5" in out
    assert "*Maya* shared their reflection on checkpoint 1 of 3 with you" in out
    assert "No problem, I've stopped here." in out
    assert "are still open — 4 to go" in out
    # Channel announcements name the pair and the milestone only.
    assert "#mentoring: 🎉 *Maya* and *Omar* kicked off their mentorship" in out
    assert "#mentoring: 🎉 *Maya* and *Omar* reached checkpoint 2 of 3" in out
    assert "#mentoring: 🎉 *Maya* and *Omar* completed their mentorship" in out
    for line in out.splitlines():
        if line.strip().startswith("#mentoring"):
            assert "review" not in line.lower().replace("final review", "")
    # The final review and the journey summary.
    assert "Final review of your mentorship with *Omar*" in out
    assert "Your mentorship with *Omar* is complete" in out
    assert "6 held of 7 planned (1 skipped)" in out
    # Maya marked her first goal done in the Home tab; the journey summary says so.
    assert "Maya clicked '✅ Mark done'" in out and "✅ ~Lead a design review~" in out
    assert "• ✅ done: Lead a design review" in out
    assert "• ◻️ open: Learn Rust async programming" in out
    assert "*Shared vision*: Maya leads her team's next launch" in out
    assert "• ◻️ Maya leads" not in out  # the vision is not a goal to tick off
    # Channel mentions render as Slack shows them; follow-ups say when they come.
    assert "Milestones will be announced in #mentoring." in out
    assert "I ask after a meeting when neither of you has said how it went" in out
    assert "No mentorship is running for you right now" in out
    assert "Traceback" not in out
    # The App Home a week in, and the program report for an admin at the end.
    assert "App Home published for Maya: Your mentorships" in out and "Mentored by Omar" in out
    assert "[⏸ Pause 2 weeks]" in out and "➡️ *Kickoff* · Tue 9 Mar 2027 (next)" in out
    assert "ephemeral to Kai: Mentorship program" in out and "6 of 7 planned (86%)" in out
    # Sessions: a topic added before the first meeting shows on Omar's nudge at once...
    assert "Maya submitted 'Add to agenda'" in out
    assert "• How to prepare for my first design review _(Maya)_" in out
    # ...notes after it (Omar is told, and reads her shared notes on his Home)...
    assert "Maya submitted 'Session notes'" in out
    assert "DM to Omar: 📝 *Maya* wrote notes on your Tue 9 Mar session." in out
    assert "*Maya*: We planned my first design review" in out
    # ...and the next nudges carry the items: one done, one carried over, then done.
    assert (
        "◻️ *Draft the review agenda* — you · due Fri 19 Mar 2027 | [✅ Done] [↪ Carry over]" in out
    )
    assert "↪ Share two example reviews — Omar · carried to the next session" in out
    assert "◻️ *Share two example reviews* — you · carried 1× | [✅ Done]" in out
    assert "✅ ~Share two example reviews~ — Omar · done by Omar" in out
    assert "*Sessions with notes* / 1 of 6 held" in out
    assert "*Action items*: 2 of 2 done" in out  # the journey quotes the totals and lists them
    assert "*What you got done* / • ✅ Draft the review agenda _(you)_" in out
    # Maya's private note is shown to her alone (her Home tab), never to Omar or the channel.
    entries = re.split(r"\n(?=  \S)", out)
    private = [e for e in entries if "Nervous about leading it" in e]
    assert private and all(e.startswith("  App Home published for Maya") for e in private)
    # The first five minutes: Omar, first in the new workspace, is welcomed; Kai's first visit
    # to an empty Home explains how it works; a message becomes a goal; the report as a CSV.
    assert "DM to Omar: 👋 Thanks for adding *Mentorship*." in out
    assert "Kai opened App Home" in out and "👋 Welcome! With *Mentorship*" in out
    assert "Maya used 'Add as a goal' on a message in #mentoring" in out
    assert "◻️ Next I'd like to present our design system at the all-hands  _(Maya)_" in out
    assert "DM to Kai: 📎 The mentorship program on Fri 11 Jun 2027: 1 pair" in out
    assert "[file mentorship-report-2027-06-11.csv]" in out
    # The program act: eight people enrol, the whole cohort is matched, the pairs are published.
    program = out[out.index("── A program") :]
    assert "Kai ran /mentorship program new" in program and "Omar ran /mentorship join" in program
    assert "*Lee* with *Kim* / • Lee wants *Kubernetes / k8s*; Kim offers it" in program
    assert "*Ben* with *Ana* / • Ben wants *Go (golang)*; Ana offers it" in program
    assert "DM to Lee: 📅 Your mentorship with *Kim* is set up" in program
    assert "🤝 *Why you two* (matched in *Summer engineering mentorship*)" in program
    assert "DM to Pia: No match for you in *Summer engineering mentorship* this round" in program
    assert "• *Summer engineering mentorship*: 4 active" in program
