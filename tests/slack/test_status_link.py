"""The status page link is always given: without ``public_url`` the app takes its public
address from Slack's own requests, only from those whose signature verified."""

from __future__ import annotations

from slackops.operations.address import from_headers, learned
from tests.slack.conftest import reply


def _status(desk, **headers):
    return desk.driver.command("/support", "status", user_id="U0ACME1", channel_id="C0ACMESHARED", headers=headers)


def test_the_link_uses_the_address_slacks_signed_requests_came_to(desk):
    assert desk.config.public_url is None
    # the address a proxy in front of the app passes on (waitress drops X-Forwarded-* from
    # proxies it is not told to trust; the Host header stays)
    r = _status(desk, Host="desk.example.com")
    assert r.status == 200, r.text
    text = reply(r)
    assert "Status page: https://desk.example.com/status/acme?token=" in text, text
    # the workers' notices use it as well: it is kept in Redis
    assert learned(desk.store.redis, desk.store.keys.prefix) == "https://desk.example.com"


def test_a_forged_host_on_an_unsigned_request_never_reaches_a_link(desk):
    _status(desk, Host="desk.example.com")
    body = b"command=%2Fsupport&text=status&user_id=U0ACME1&channel_id=C0ACMESHARED&team_id=T0VENDOR"
    for signature in ("v0=" + "0" * 64, ""):
        r = desk.driver.send(body, "application/x-www-form-urlencoded", signature=signature,
                             headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        assert r.status in (401, 403), r.status
    assert learned(desk.store.redis, desk.store.keys.prefix) == "https://desk.example.com"
    assert "evil.example" not in reply(_status(desk, Host="desk.example.com"))


def test_the_configured_public_url_wins(desk):
    desk.config.public_url = "https://status.vendor.example/"
    text = reply(_status(desk, Host="desk.example.com"))
    assert "Status page: https://status.vendor.example/status/acme?token=" in text, text


def test_the_address_from_headers():
    assert from_headers({"host": ["desk.example.com"]}) == "https://desk.example.com"  # Slack calls https only
    assert from_headers({"host": ["127.0.0.1:8123"]}) == "http://127.0.0.1:8123"  # this machine: the sandbox
    assert from_headers({"host": ["a"], "x-forwarded-host": ["b.example, c"], "x-forwarded-proto": ["http"]}) == \
        "http://b.example"
    for bad in ("evil.example/path", "a b", "<script>", ""):
        assert from_headers({"host": [bad]}) is None
