"""Every agent button refuses customers (ephemerally, nothing changes); customers' buttons
refuse other people; unsigned requests are refused."""

from __future__ import annotations

import json
import time

import pytest

from tests.slack.conftest import form

AGENT_BUTTONS = ["req_take", "req_assign", "req_acknowledge", "req_reclassify", "req_categorize", "req_request_info",
                 "req_feature_request", "req_critical_notice", "req_resolve", "req_reopen", "req_escalate"]


@pytest.mark.parametrize("action_id", AGENT_BUTTONS)
def test_a_customer_pressing_an_agents_button_is_refused_and_nothing_changes(desk, action_id):
    rid = desk.open_request()
    before = desk.store.get(rid)
    views_before = len(desk.fake.calls_to("views.open"))
    # the customer never sees an agents' button: a payload crafted in their shared channel
    r = desk.press(action_id, rid, "U0ACME1", user_team_id="T0ACME", on="customer")
    assert r.status == 200
    e = desk.wait_ephemeral("U0ACME1", "Only support agents")
    assert e["channel"] == "C0ACMESHARED"
    time.sleep(0.2)
    assert desk.store.get(rid).version == before.version
    assert len(desk.fake.calls_to("views.open")) == views_before


def test_when_the_payload_does_not_name_a_team_users_info_decides(desk):
    """Events may carry no team: then users.info's team_id / is_stranger decide (cached)."""
    from slackops.slack.auth import Role

    d = desk.app._slackops_desk.directory
    desk.fake.add_user("U0AGENT9", team_id="T0VENDOR", is_stranger=True)
    desk.config.agents.append("U0AGENT9")  # even if listed as an agent by mistake
    assert d.role("U0AGENT9") is Role.CUSTOMER
    assert d.role("U0ACME1") is Role.CUSTOMER  # another team
    assert d.role("U0AGENT1") is Role.AGENT
    assert d.role("U0AGENT3") is Role.AGENT  # via the user group
    assert d.role("U0MGR1") is Role.MANAGER and d.role("U0STAFF1") is Role.STAFF
    assert d.role("U0NOBODY") is Role.CUSTOMER  # unknown to our workspace: least privilege
    calls = len(desk.fake.calls_to("users.info"))
    d.role("U0AGENT9"), d.role("U0ACME1")
    assert len(desk.fake.calls_to("users.info")) == calls  # cached
    assert len(desk.fake.calls_to("usergroups.users.list")) == 1


def test_enterprise_grid_same_org_is_ours_other_org_is_external(desk):
    from slackops.slack.auth import Role

    desk.config.enterprise_id = "E0VENDOR"
    d = desk.app._slackops_desk.directory
    assert d.role("U0AGENT1", "T0VENDOR2", "E0VENDOR") is Role.AGENT  # another workspace of our org
    assert d.role("U0AGENT1", "T0ACME", "E0ACME") is Role.CUSTOMER
    assert d.role("U0AGENT1", "T0VENDOR", "E0ACME") is Role.CUSTOMER


def test_a_vendor_user_who_is_not_an_agent_is_refused(desk):
    rid = desk.open_request()
    desk.press("req_acknowledge", rid, "U0STAFF1")
    desk.wait_ephemeral("U0STAFF1", "Only support agents")
    assert str(desk.store.get(rid).status) == "submitted"


def test_customer_buttons_refuse_other_customers_and_agents(desk):
    rid = desk.open_request()
    desk.press("req_customer_escalate", rid, "U0GLOBEX1", user_team_id="T0GLOBEX")
    desk.wait_ephemeral("U0GLOBEX1", "Acme Health's contacts")
    desk.press("req_add_info", rid, "U0AGENT1")
    desk.wait_ephemeral("U0AGENT1", "Acme Health's contacts")
    assert not [c for c in desk.fake.calls_to("views.open") if "customer_escalate" in str(c.params)]


def test_a_customer_submitting_an_agents_form_changes_nothing(desk):
    rid = desk.open_request()
    meta = json.dumps({"r": rid, "channel": "C0ACMESHARED"})
    r = desk.driver.view_submission("slackops_resolve", form(resolution="fix", note="done"), user_id="U0ACME1",
                                    user_team_id="T0ACME", private_metadata=meta)
    assert r.json()["response_action"] == "errors"
    assert desk.store.get(rid).is_open


def test_manager_buttons_refuse_customers(desk):
    rid = desk.open_request()
    desk.driver.block_action("esc_acknowledge", json.dumps({"r": rid, "l": 1}), user_id="U0ACME1", user_team_id="T0ACME",
                             channel_id="C0ACMESHARED")
    desk.wait_ephemeral("U0ACME1", "agents and managers")


def test_requests_with_a_bad_signature_are_refused(desk):
    r = desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED", signature="v0=" + "0" * 64)
    assert r.status == 401
    old = int(time.time()) - 3600
    r = desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED", timestamp=old)
    assert r.status == 401
    assert not desk.fake.calls_to("views.open")
