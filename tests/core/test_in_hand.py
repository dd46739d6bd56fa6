"""The new pairs a process has in hand (bot/core/services.py `InHand`): what its scheduler's
tick leaves to the first weeks' planner."""

from __future__ import annotations

from bot.core.services import InHand


def test_pairs_are_in_hand_until_let_go_and_letting_go_twice_is_harmless() -> None:
    in_hand = InHand()
    for pair in (1, 2, 3):
        in_hand.add(pair)
    in_hand.discard([2])
    assert in_hand.ids() == {1, 3}
    in_hand.discard([2, 3])  # the planner let 3 go at its commit, then the batch's end does
    assert in_hand.ids() == {1}


def test_a_tick_is_given_at_most_max_held_pairs() -> None:
    """Past that, its queries would list thousands of ids: a tick may take the others, which
    is safe (the first planning is claimed once, a claimed row is sent once)."""
    in_hand = InHand()
    for pair in range(InHand.MAX_HELD + 5):
        in_hand.add(pair)
    held = in_hand.ids()
    assert len(held) == InHand.MAX_HELD and held <= set(range(InHand.MAX_HELD + 5))
    in_hand.discard(range(InHand.MAX_HELD))
    assert len(in_hand.ids()) == 5
