"""The words of goals and offers of help, with the program's skill list as one vocabulary.

Text is lower-cased and split into words; every spelling of a listed skill ("Kubernetes / k8s",
"Go (golang)", "public-speaking") becomes one term, so a goal that says "k8s" meets an offer that
says "Kubernetes". Other words lose stop words and a plural "s".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

# Words that say nothing about what a goal is about; learning verbs included, since every goal
# and every offer of help is full of them.
STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be been being better but by can could do
    does doing for from get getting go going good got had has have help helping how i if in into
    is it its just learn learning like make me more most my need new of on one or our out over
    really so some start such than that the their them then there these they thing things this
    those to understand up us use using want wants was way we well what when where which while
    who will with work working would you your""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*")


@dataclass(frozen=True)
class Vocabulary:
    """The program's skill list as phrases: every spelling of a skill becomes one term."""

    phrases: Mapping[tuple[str, ...], str]  # words of a spelling -> the skill as listed
    longest: int

    def skill_key(self, name: str) -> str:
        """The term for a chosen skill: its listed skill when it is one, else its own words."""
        words = tuple(_words(name))
        return "skill:" + self.phrases.get(words, " ".join(words)).casefold()

    def terms(self, lines: Iterable[str]) -> dict[str, str]:
        """Each term in the text, mapped to the first word (or skill name) that gave it."""
        found: dict[str, str] = {}
        for line in lines:
            words = _words(line)
            i = 0
            while i < len(words):
                for size in range(min(self.longest, len(words) - i), 0, -1):
                    skill = self.phrases.get(tuple(words[i : i + size]))
                    if skill is not None:
                        found.setdefault("skill:" + skill.casefold(), skill)
                        i += size
                        break
                else:
                    word = words[i]
                    if word not in STOP_WORDS and not word.isdigit():
                        found.setdefault(_stem(word), word)
                    i += 1
        return found


@lru_cache(maxsize=64)
def vocabulary(skills: tuple[str, ...]) -> Vocabulary:
    """The program's skill list as a Vocabulary (cached: a run asks for it many times)."""
    phrases: dict[tuple[str, ...], str] = {}
    for skill in skills:
        for spelling in _spellings(skill):
            words = tuple(_words(spelling))
            if words:
                phrases.setdefault(words, skill)
    return Vocabulary(phrases, max((len(p) for p in phrases), default=0))


def _spellings(skill: str) -> list[str]:
    """ "Kubernetes / k8s" and "Go (golang)" list their synonyms in the name itself."""
    outside = re.sub(r"\([^)]*\)", " ", skill)
    inside = re.findall(r"\(([^)]*)\)", skill)
    return [skill, outside, *outside.split(" / "), *inside]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _stem(word: str) -> str:
    """A plural's singular, roughly: enough for "talks" to meet "talk"."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
