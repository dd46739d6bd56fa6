"""`serve` knows which requests from Slack it is answering (`Services.answering`), so that work
nobody waits on (a new pair's first weeks and summaries) lets a burst of them go first."""

from __future__ import annotations

from typing import Any

import pytest

import bot.server as server
from tests.kit.workspace import OMAR, Bot


def test_a_request_from_slack_counts_while_it_is_answered(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering = bot.runtime.services.answering
    calm_inside: list[bool] = []
    admit = server._admit

    def watched(environ: dict[str, Any], secret: str) -> Any:
        with answering.request():  # with this one being answered, a burst of two
            calm_inside.append(answering.wait_out_burst(0))
        return admit(environ, secret)

    monkeypatch.setattr(server, "_admit", watched)
    assert bot.driver.slash_command(OMAR, "start").status == 200
    assert calm_inside == [False]  # it was being answered
    with answering.request():
        assert answering.wait_out_burst(0)  # and no longer is, once answered


def test_a_refused_request_counts_no_longer_than_its_answer(bot: Bot) -> None:
    response = bot.driver.post(b"{}", "application/json", signature_override="v0=" + "0" * 64)
    assert response.status == 401
    with bot.runtime.services.answering.request():
        assert bot.runtime.services.answering.wait_out_burst(0)
