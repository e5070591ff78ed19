"""The language of a request, from the customer's own words (Interzen: assistance is
"provided ... using the same language (Italian/English) in which it was initially
formulated").

lingua-language-detector restricted to the policy's languages does the judging: it reads
short texts well (a title and a few sentences) and, asked about English and Italian
only, never answers with a third language. A text too short or too mixed to call keeps
the account's language. lingua loads its models on first use (seconds): :func:`warm`
does that in the background when the app starts, so no form waits on it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["detect", "warm", "request_language"]

_CODES = {"en": "ENGLISH", "it": "ITALIAN"}
MIN_CONFIDENCE = 0.6
"""Below this share of lingua's confidence the text is too short or mixed to call."""


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, _CODES[c]) for c in languages)).build()


def detect(text: str, languages: Iterable[str]) -> str | None:
    """The language (``en``/``it``) ``text`` is written in, among ``languages``; None when unsure."""
    langs = tuple(sorted(c for c in set(languages) if c in _CODES))
    if not langs:
        return None
    if len(langs) == 1:
        return langs[0]
    words = (text or "").strip()
    if len(words) < 3:
        return None
    values = _detector(langs).compute_language_confidence_values(words)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    name = values[0].language.name
    return next((code for code, n in _CODES.items() if n == name), None)


def request_language(policy: Any, text: str, default: str) -> str:
    """What a new request is answered in: where the policy answers in the request's language,
    the language of the customer's text (among the policy's), else the account's."""
    if not getattr(policy.intake, "answer_in_request_language", False):
        return default
    found = detect(text, policy.languages)
    return found or (default if default in policy.languages else policy.languages[0])


def warm(language_sets: Iterable[Iterable[str]]) -> threading.Thread | None:
    """Load lingua's models for these sets of languages in a daemon thread."""
    sets = sorted({tuple(sorted(s)) for s in language_sets if len(set(s)) > 1})
    if not sets:
        return None

    def run() -> None:
        for langs in sets:
            detect("warming up the language models", langs)

    th = threading.Thread(target=run, name="slackops-lingua-warm", daemon=True)
    th.start()
    return th
