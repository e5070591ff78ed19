"""The sandbox's Grid demo (``slackops sandbox --grid``) in a browser: a vendor on Enterprise
Grid with the app installed org-wide. An agent of the organisation's second workspace takes
a customer's request and answers in its thread, which is the first response; a customer of
another organisation pressing the same button is refused, only to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.sandbox.conftest import Running, shot, start_sandbox, stop_sandbox
from tests.sandbox.test_story import WAIT, as_, card, modal, open_p2, open_pane


@pytest.fixture(scope="module")
def grid_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("grid")
    running = start_sandbox(["--grid", "--data-dir", str(folder / "data")], folder)
    try:
        yield running
    finally:
        stop_sandbox(running.proc)


@pytest.fixture
def grid_page(browser: Any, grid_sandbox: Running) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(grid_sandbox.url)
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


def test_an_agent_of_the_orgs_second_workspace_answers_and_takes(grid_page: Any) -> None:
    pg = grid_page
    as_(pg, "U0ACME1", "Carla Acme")
    rid = open_p2(pg, "acme-support", "Badges do not print", "The badge printer queue is stuck since 8am.")

    as_(pg, "W0AGENT3", "Hana Weber")
    expect(pg.locator("#me")).to_contain_text("workspace T0VENDOR2")
    open_pane(pg, "support-p2")
    expect(card(pg, rid)).to_contain_text("first response", timeout=WAIT)
    expect(card(pg, rid)).not_to_contain_text("first response: met")

    # her reply in the customer's thread (Slack names her organisation, not her workspace,
    # as the poster's side) is the first response
    open_pane(pg, "acme-support")
    card(pg, rid).locator(".tool.reply").click()
    pg.fill("#thread-compose", "Looking at the print queue now.")
    pg.press("#thread-compose", "Enter")
    expect(pg.locator("#thread-log")).to_contain_text("print queue now", timeout=WAIT)
    open_pane(pg, "support-p2")
    expect(card(pg, rid)).to_contain_text("first response: met", timeout=WAIT)
    shot(pg, "20-grid-first-response-from-the-second-workspace")

    card(pg, rid).get_by_role("button", name="Take").click()
    expect(card(pg, rid)).to_contain_text("Hana Weber", timeout=WAIT)
    expect(pg.locator("#log article.msg.ephemeral")).to_have_count(0)
    shot(pg, "21-grid-agent-of-the-second-workspace-took-it")


def test_a_customer_of_another_organisation_is_refused_and_the_agent_is_not(grid_page: Any) -> None:
    """Globex (on Grid, another organisation) has one card with everyone's buttons."""
    pg = grid_page
    as_(pg, "U0GLOBEX1", "Grace Globex")
    rid = open_p2(pg, "globex-support", "Recordings are silent", "Calls since noon have no audio.", priority="S3")
    card(pg, rid).get_by_role("button", name="Take").click()
    refusal = pg.locator("#log article.msg.ephemeral", has_text="Only support agents can do that")
    expect(refusal).to_be_visible(timeout=WAIT)
    expect(card(pg, rid)).not_to_contain_text("Hana Weber")

    as_(pg, "W0AGENT3", "Hana Weber")
    open_pane(pg, "globex-support")
    card(pg, rid).get_by_role("button", name="Take").click()
    m = modal(pg, "Accept")  # Globex's contract: the severity is recorded at acceptance
    m.get_by_role("button", name="Submit").click()
    expect(pg.locator(".modal")).to_have_count(0, timeout=WAIT)
    expect(card(pg, rid)).to_contain_text("Hana Weber", timeout=WAIT)
    expect(pg.locator("#log article.msg.ephemeral")).to_have_count(0)
    shot(pg, "22-grid-other-org-refused-agent-takes")
