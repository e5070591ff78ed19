"""The sandbox's page in Firefox (Debian's firefox-esr, headless, over WebDriver BiDi): a
customer opens a request with /support typed on the keyboard, fills the form, submits,
and sees the card; an agent takes it from the priority channel; no script error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.bidi import ENTER, FIREFOX, Firefox
from tests.sandbox.conftest import ARTIFACTS


@pytest.fixture
def firefox() -> Iterator[Firefox]:
    if not Path(FIREFOX).exists():
        pytest.skip(f"no Firefox at {FIREFOX}")
    ff = Firefox()
    try:
        yield ff
    finally:
        ff.close()


def header_with(ff: Firefox, text: str) -> str:
    return (f"[...document.querySelectorAll('#log .bk-header')].some((h) => h.textContent.includes({json.dumps(text)}))")


def test_a_request_opened_and_taken_in_firefox(firefox, sandbox):  # noqa: ANN001
    ff = firefox
    ff.goto(sandbox.url + "?as=U0ACME1")
    ff.wait_for("document.getElementById('me').textContent.includes('Carla Acme')", what="Carla's view")
    ff.click_text("#sidebar .nav", "acme-support")
    ff.click("#compose")
    ff.type("/support" + ENTER)
    ff.wait_for("(document.querySelector('.modal h2') || {}).textContent === 'Open a request'", what="the form")
    ff.evaluate(f"(() => {{ const s = document.querySelector({json.dumps(ff.labelled('Priority', '.modal'))});"
                " s.value = 'P2'; s.dispatchEvent(new Event('change', {bubbles: true})); })()")
    ff.click(ff.labelled("Title", ".modal"))
    ff.type("Reports are empty in Firefox")
    ff.click(ff.labelled("Description of the problem", ".modal"))
    ff.type("Every report shows no rows since this morning.")
    ff.click_text(".modal button", "Submit")
    ff.wait_for("document.querySelectorAll('.modal').length === 0", what="the form to close")
    ff.wait_for(header_with(ff, "Reports are empty in Firefox"), what="the card")
    rid = ff.evaluate("[...document.querySelectorAll('#log .bk-header')].map((h) => h.textContent)"
                      ".find((t) => t.includes('Reports are empty in Firefox')).match(/[A-Z]+-\\d+/)[0]")
    assert rid.startswith("ACME-")
    # the customer card has no agent's button
    assert ff.evaluate("[...document.querySelectorAll('#log button')].some((b) => b.textContent.trim() === 'Take')") is False
    ff.screenshot(ARTIFACTS / "firefox-01-customer-sees-card.png")

    ff.goto(sandbox.url + "?as=U0AGENT1")
    ff.wait_for("document.getElementById('me').textContent.includes('Alice Park')", what="Alice's view")
    ff.click_text("#sidebar .nav", "support-p2")
    ff.wait_for(header_with(ff, rid), what="the agents' card")
    ff.evaluate(f"(() => {{ document.querySelectorAll('[data-bidi]').forEach((e) => e.removeAttribute('data-bidi'));"
                f" const card = [...document.querySelectorAll('#log article.msg')].find((a) =>"
                f" (a.querySelector('.bk-header') || {{}}).textContent?.includes({json.dumps(rid)}));"
                " [...card.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Take')"
                ".setAttribute('data-bidi', '1'); })()")
    ff.click("[data-bidi='1']")
    ff.wait_for(f"[...document.querySelectorAll('#log article.msg')].some((a) =>"
                f" a.textContent.includes({json.dumps(rid)}) && a.textContent.includes('Alice Park'))",
                what="the card to name Alice")
    ff.screenshot(ARTIFACTS / "firefox-02-agent-took-it.png")
    assert ff.errors == []
