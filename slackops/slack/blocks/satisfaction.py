"""The survey's form and the rating on the agents' card (the survey message itself is
:mod:`slackops.notices.survey`). Pure: a request in, Block Kit out (a customer's comment
escaped and cut)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slackops.notices.i18n import t
from slackops.notices.text import escaped_cut, plain
from slackops.requests.satisfaction import csat_of
from slackops.slack.blocks.modals import _modal, select_input, text_input
from slackops.slack.ids import BlockId, CallbackId

if TYPE_CHECKING:
    from slackops.requests import Request
    from slackops.slack.metadata import ViewMeta

__all__ = ["card_lines", "survey_modal"]

def survey_modal(req: Request, meta: ViewMeta, lang: str) -> dict[str, Any]:
    """The rating with a comment; the current rating and comment filled in."""
    current = csat_of(req) or {}
    options = [{"text": plain(str(n), 75), "value": str(n)} for n in range(1, 6)]
    blocks = [
        select_input(BlockId.RATING, t(lang, "csat.rating", id=req.id), options,
                     initial=str(current["rating"]) if current.get("rating") else None, radio=True),
        text_input(BlockId.TEXT, t(lang, "csat.comment_label"), multiline=True, optional=True,
                   initial=current.get("comment") or None),
    ]
    return _modal(CallbackId.CSAT_COMMENT, t(lang, "csat.title"), blocks, meta, lang)


def card_lines(req: Request, lang: str) -> list[str]:
    """The agents' card's line for the customer's rating (none until rated)."""
    csat = csat_of(req)
    if not csat:
        return []
    rating = int(csat.get("rating") or 0)
    lines = [t(lang, "csat.card", stars="★" * rating + "☆" * (5 - rating), rating=rating)]
    if csat.get("comment"):
        lines.append(t(lang, "csat.card_comment", comment=escaped_cut(str(csat["comment"]), 500)))
    return lines
