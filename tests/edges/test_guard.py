"""Unauthenticated and malformed requests over real HTTP: every unsigned one is refused
with 401, every signed one that is not what Slack sends with 400 or 404, bodies over the
limit with 413; none causes a Web API call; each adds at most one line to the log."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackops.slack.guard import MAX_BODY, excerpt, verify
from tests.slack.conftest import SECRET
from tests.slack.driver import sign

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def _payload(obj: object) -> bytes:
    return _form(payload=json.dumps(obj))


def _action(**over: object) -> dict:
    p = {"type": "block_actions", "user": {"id": "U0ACME1", "team_id": "T0ACME"}, "team": {"id": "T0VENDOR"},
         "trigger_id": "1.2.t", "channel": {"id": "C0ACMESHARED"},
         "actions": [{"action_id": "req_take", "block_id": "b", "type": "button", "value": '{"r":"ACME-1"}'}]}
    p.update(over)
    return p


def _submission(**view_over: object) -> dict:
    view = {"id": "V1", "callback_id": "slackops_open_request", "type": "modal", "private_metadata": "{}",
            "state": {"values": {"title": {"value": {"type": "plain_text_input", "value": "x"}}}}}
    view.update(view_over)
    return {"type": "view_submission", "user": {"id": "U0ACME1"}, "team": {"id": "T0VENDOR"}, "view": view}


def _event(event: object, **over: object) -> bytes:
    body = {"type": "event_callback", "team_id": "T0VENDOR", "api_app_id": "A0", "event_id": "Ev1", "event": event}
    body.update(over)
    return json.dumps(body).encode()


COMMAND = {"command": "/support", "user_id": "U0ACME1", "team_id": "T0VENDOR", "channel_id": "C0ACMESHARED",
           "text": "", "trigger_id": "1.2.t"}
MESSAGE = {"type": "message", "channel": "C0ACMESHARED", "user": "U0ACME1", "text": "hi", "ts": "1.2"}

# (name, body, content type, statuses a signed request may get)
MALFORMED: list[tuple[str, bytes, str, tuple[int, ...]]] = [
    ("non-UTF-8 bytes", b"\xff\xfe\x00\x81garbage", FORM, (400,)),
    ("non-UTF-8 JSON", b'{"type": "\xff"}', JSON, (400,)),
    ("an open brace", b"{", JSON, (400,)),
    ("an empty array", b"[]", JSON, (400,)),
    ("null", b"null", JSON, (400,)),
    ("a number", b"42", JSON, (400,)),
    ("a string", b'"event_callback"', JSON, (400,)),
    ("an empty JSON body", b"", JSON, (400,)),
    ("NaN in JSON", b'{"type": "event_callback", "n": NaN}', JSON, (400,)),
    ("JSON nested 100000 deep", b"[" * 100_000, JSON, (400,)),
    ("an object nested 200 deep", b'{"a":' * 200 + b"1" + b"}" * 200, JSON, (400,)),
    ("payload= with bad JSON", b"payload=%7B", FORM, (400,)),
    ("payload= empty", b"payload=", FORM, (400,)),
    ("payload= an array", _form(payload="[]"), FORM, (400,)),
    ("payload= null", _form(payload="null"), FORM, (400,)),
    ("payload= a number", _form(payload="1e10"), FORM, (400,)),
    ("payload= nested deep", _form(payload="[" * 5000 + "]" * 5000), FORM, (400,)),
    ("payload given twice", _payload(_action()) + b"&" + _payload(_action()), FORM, (400,)),
    ("payload with another field", _payload(_action()) + b"&token=x", FORM, (400,)),
    ("a command field given twice", _form(**COMMAND) + b"&user_id=U0OTHER", FORM, (400,)),
    ("a form that is not a form", b"just some text", FORM, (400,)),
    ("a percent-encoded lone byte", b"command=%2Fsupport&text=%ED%A0%80", FORM, (400,)),
    ("text/plain", b"hello", "text/plain", (400,)),
    ("no content type", _payload(_action()), "", (400,)),
    ("multipart", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--", "multipart/form-data; boundary=x",
     (400,)),
    ("XML", b"<payload/>", "application/xml", (400,)),
    ("JSON sent as a form", _event(MESSAGE), FORM, (400,)),
    ("a form sent as JSON", _form(**COMMAND), JSON, (400,)),
    ("a command without user_id", _form(**{k: v for k, v in COMMAND.items() if k != "user_id"}), FORM, (400,)),
    ("a command not starting with /", _form(**{**COMMAND, "command": "support"}), FORM, (400,)),
    ("a form of nothing Slack sends", _form(hello="world"), FORM, (400,)),
    ("button value a number", _payload(_action(actions=[{"action_id": "slackops_take", "value": 5}])), FORM, (400,)),
    ("button value an object", _payload(_action(actions=[{"action_id": "slackops_take", "value": {"r": 1}}])), FORM,
     (400,)),
    ("actions empty", _payload(_action(actions=[])), FORM, (400,)),
    ("actions [null]", _payload(_action(actions=[None])), FORM, (400,)),
    ("actions an object", _payload(_action(actions={"action_id": "x"})), FORM, (400,)),
    ("action_id a number", _payload(_action(actions=[{"action_id": 7}])), FORM, (400,)),
    ("selected_option.value a list", _payload(_action(actions=[{"action_id": "a", "selected_option": {"value": []}}])),
     FORM, (400,)),
    ("user missing", _payload({k: v for k, v in _action().items() if k != "user"}), FORM, (400,)),
    ("user a string", _payload(_action(user="U0ACME1")), FORM, (400,)),
    ("user.id a number", _payload(_action(user={"id": 12})), FORM, (400,)),
    ("channel a string", _payload(_action(channel="C0ACMESHARED")), FORM, (400,)),
    ("team a list", _payload(_action(team=["T0VENDOR"])), FORM, (400,)),
    ("container.channel_id a number", _payload(_action(container={"channel_id": 1})), FORM, (400,)),
    ("message.ts a number", _payload(_action(message={"ts": 1.5})), FORM, (400,)),
    ("view a string", _payload(_submission() | {"view": "V1"}), FORM, (400,)),
    ("view null", _payload(_submission() | {"view": None}), FORM, (400,)),
    ("private_metadata an object", _payload(_submission(private_metadata={"r": "ACME-1"})), FORM, (400,)),
    ("view without id", _payload(_submission(id=None)), FORM, (400,)),
    ("state.values a string", _payload(_submission(state={"values": "x"})), FORM, (400,)),
    ("a field value a number", _payload(_submission(state={"values": {"title": {"value": {"value": 3}}}})), FORM,
     (400,)),
    ("a field element a list", _payload(_submission(state={"values": {"title": {"value": []}}})), FORM, (400,)),
    ("a block action's view a list", _payload(_action(view=[])), FORM, (400,)),
    ("a shortcut without callback_id", _payload({"type": "shortcut", "user": {"id": "U0ACME1"}}), FORM, (400,)),
    ("a message shortcut without message", _payload({"type": "message_action", "callback_id": "open_support_request",
                                                      "user": {"id": "U0ACME1"}, "channel": {"id": "C0A"}}), FORM,
     (400,)),
    ("an interaction type not handled", _payload(_action(type="dialog_submission")), FORM, (404,)),
    ("an interaction type a number", _payload(_action(type=3)), FORM, (400,)),
    ("an event type not handled", json.dumps({"type": "app_rate_limited"}).encode(), JSON, (404,)),
    ("an event body without type", json.dumps({"event": MESSAGE}).encode(), JSON, (400,)),
    ("event a string", _event("message"), JSON, (400,)),
    ("event_id missing", _event(MESSAGE, event_id=None), JSON, (400,)),
    ("event.user an object", _event({**MESSAGE, "user": {"id": "U0ACME1"}}), JSON, (400,)),
    ("event.channel a number", _event({**MESSAGE, "channel": 5}), JSON, (400,)),
    ("event.text a list", _event({**MESSAGE, "text": ["hi"]}), JSON, (400,)),
    ("event.item a string", _event({"type": "reaction_added", "user": "U0ACME1", "reaction": "ticket",
                                    "item": "C0A"}), JSON, (400,)),
    ("event without type", _event({"user": "U0ACME1"}), JSON, (400,)),
    ("an event not subscribed to", _event({"type": "user_change", "user": {"id": "U0ACME1"}}), JSON, (404,)),
    ("authorizations an object", _event(MESSAGE, authorizations={}), JSON, (400,)),
    ("url_verification without a challenge", json.dumps({"type": "url_verification"}).encode(), JSON, (400,)),
    ("url_verification with a numeric challenge", json.dumps({"type": "url_verification", "challenge": 1}).encode(),
     JSON, (400,)),
    ("a body over the limit", b"a=" + b"x" * (MAX_BODY + 10), FORM, (413,)),
]

VALID = _payload(_action())


def _unsigned_headers() -> list[tuple[str, dict[str, str], bytes]]:
    """(name, headers, body): requests Slack did not sign, each wrong in its own way."""
    now = int(time.time())
    good = sign(SECRET, str(now), VALID)
    out = [
        ("no signature headers", {}, VALID),
        ("timestamp abc", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": good}, VALID),
        ("timestamp 1e10", {"X-Slack-Request-Timestamp": "1e10", "X-Slack-Signature": sign(SECRET, "1e10", VALID)}, VALID),
        ("timestamp empty", {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": good}, VALID),
        ("timestamp negative", {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": sign(SECRET, "-1", VALID)}, VALID),
        ("timestamp with spaces", {"X-Slack-Request-Timestamp": f" {now} ",
                                   "X-Slack-Signature": sign(SECRET, f" {now} ", VALID)}, VALID),
        ("timestamp with an underscore", {"X-Slack-Request-Timestamp": f"{now // 1000}_{now % 1000:03d}",
                                          "X-Slack-Signature": sign(SECRET, f"{now // 1000}_{now % 1000:03d}", VALID)},
         VALID),
        ("timestamp a float", {"X-Slack-Request-Timestamp": f"{now}.0", "X-Slack-Signature": sign(SECRET, f"{now}.0", VALID)},
         VALID),
        ("timestamp six minutes old", {"X-Slack-Request-Timestamp": str(now - 360),
                                       "X-Slack-Signature": sign(SECRET, str(now - 360), VALID)}, VALID),
        ("timestamp six minutes ahead", {"X-Slack-Request-Timestamp": str(now + 360),
                                         "X-Slack-Signature": sign(SECRET, str(now + 360), VALID)}, VALID),
        ("timestamp huge", {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": sign(SECRET, "9" * 40, VALID)},
         VALID),
        ("signature of another timestamp", {"X-Slack-Request-Timestamp": str(now),
                                            "X-Slack-Signature": sign(SECRET, str(now - 1), VALID)}, VALID),
        ("signature with another secret", {"X-Slack-Request-Timestamp": str(now),
                                           "X-Slack-Signature": sign("not-the-secret", str(now), VALID)}, VALID),
        ("signature of another body", {"X-Slack-Request-Timestamp": str(now),
                                       "X-Slack-Signature": sign(SECRET, str(now), b"payload=%7B%7D")}, VALID),
        ("signature in upper case", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good.upper()}, VALID),
        ("signature v1", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1=" + good[3:]}, VALID),
        ("signature truncated", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good[:-2]}, VALID),
        ("signature given twice", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": f"{good}, {good}"}, VALID),
        ("signature empty", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": ""}, VALID),
        ("signature only v0=", {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0="}, VALID),
    ]
    for name, body, ctype, statuses in MALFORMED:
        hdr = {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "0" * 64}
        out.append((f"{name}, unsigned", hdr, body) if 413 not in statuses else (f"{name}, unsigned", hdr, body))
        out[-1][1]["Content-Type"] = ctype
    return out


def _send(desk, body: bytes, headers: dict[str, str]):
    import urllib.error
    import urllib.request

    req = urllib.request.Request(desk.server.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def _check_quiet(desk, caplog, before_calls: int, before_lines: int, name: str) -> None:
    lines = _lines(caplog)[before_lines:]
    assert len(lines) <= 1, (name, lines)
    assert all("\n" not in line and len(line) < 600 for line in lines), (name, lines)
    assert len(desk.fake.calls) == before_calls, (name, [c.method for c in desk.fake.calls[before_calls:]])


def test_the_table_is_large_enough():
    assert len(MALFORMED) + len(_unsigned_headers()) >= 60
    assert len(MALFORMED) >= 60


def test_unsigned_requests_get_401_and_nothing_else(desk, caplog):
    caplog.set_level(logging.DEBUG)
    start = len(desk.fake.calls)
    for name, headers, body in _unsigned_headers():
        headers.setdefault("Content-Type", FORM)
        calls, lines = len(desk.fake.calls), len(_lines(caplog))
        status, answer = _send(desk, body, headers)
        expected = 413 if len(body) > MAX_BODY else 401
        assert status == expected, (name, status, answer[:200])
        assert b"ACME" not in answer and len(answer) < 100, name  # no echo of the body
        _check_quiet(desk, caplog, calls, lines, name)
    time.sleep(0.5)  # anything a listener might have started after its answer
    assert len(desk.fake.calls) == start
    assert not desk.fake.ephemerals and not desk.fake.messages()


@pytest.mark.parametrize("name,body,ctype,statuses", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_signed_malformed_requests_get_400_and_nothing_else(desk, caplog, name, body, ctype, statuses):
    caplog.set_level(logging.DEBUG)
    calls, lines = len(desk.fake.calls), len(_lines(caplog))
    ts = str(int(time.time()))
    status, answer = _send(desk, body, {"Content-Type": ctype, "X-Slack-Request-Timestamp": ts,
                                        "X-Slack-Signature": sign(SECRET, ts, body)})
    assert status in statuses, (status, answer[:200])
    _check_quiet(desk, caplog, calls, lines, name)
    time.sleep(0.05)
    assert len(desk.fake.calls) == calls and not desk.fake.ephemerals


def test_a_signed_good_request_still_gets_through(desk):
    r = desk.driver.url_verification("the-challenge")
    assert r.status == 200 and b"the-challenge" in r.body


def test_a_refusal_logs_at_most_200_bytes_of_the_body(desk, caplog):
    caplog.set_level(logging.INFO)
    body = b"payload=" + b"\n<script>" * 20_000
    status, _ = _send(desk, body, {"Content-Type": FORM})
    assert status == 401
    (line,) = [m for m in _lines(caplog) if "refused" in m]
    assert "\n" not in line and len(line) < 400 and "\\n<script>" in line
    assert not any("Invalid request signature" in m for m in _lines(caplog))  # Bolt's own INFO line
    # and were one to get past the guard, Bolt would not write that line with the body
    assert logging.getLogger("slack_bolt.RequestVerification").getEffectiveLevel() >= logging.WARNING


def test_verify_and_excerpt():
    body = b"x=1"
    assert verify("s", "100", sign("s", "100", body), body, now=100) == ""
    assert "integer" in verify("s", "1e10", sign("s", "1e10", body), body, now=100)
    assert "five minutes" in verify("s", "100", sign("s", "100", body), body, now=401)
    assert "match" in verify("s", "100", sign("t", "100", body), body, now=100)
    assert verify("", "100", sign("", "100", body), body, now=100)  # no secret: nothing verifies
    raw = b"a\nb" * 200
    assert excerpt(raw) == repr(raw[:200])[2:-1] + "..." and "\n" not in excerpt(raw)


# -- generated shapes ------------------------------------------------------------------------
_ODD = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2))
_PATHS = [
    ("interactive", ("type",)), ("interactive", ("user",)), ("interactive", ("user", "id")),
    ("interactive", ("actions",)), ("interactive", ("actions", 0)), ("interactive", ("actions", 0, "value")),
    ("interactive", ("actions", 0, "action_id")), ("interactive", ("channel",)), ("interactive", ("container",)),
    ("view", ("view",)), ("view", ("view", "private_metadata")), ("view", ("view", "id")),
    ("view", ("view", "state")), ("view", ("view", "state", "values")),
    ("view", ("view", "state", "values", "title", "value", "value")),
    ("event", ("event",)), ("event", ("event", "type")), ("event", ("event", "user")), ("event", ("event", "text")),
    ("event", ("event_id",)), ("event", ("type",)),
]


def _template(kind: str) -> dict:
    if kind == "interactive":
        return _action()
    if kind == "view":
        return _submission()
    return json.loads(_event(dict(MESSAGE)))


def _set(d: object, path: tuple, value: object) -> None:
    for k in path[:-1]:
        d = d[k]  # type: ignore[index]
    d[path[-1]] = value  # type: ignore[index]


def _odd_for(path: tuple) -> st.SearchStrategy:
    """Values of the wrong type for ``path`` (strings are right almost everywhere)."""
    if path[-1] == "type":
        return st.one_of(_ODD, st.text(max_size=8).filter(lambda s: s not in (
            "block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion",
            "event_callback", "url_verification", "message", "reaction_added", "app_home_opened", "member_joined_channel")
            and s))
    if path[-1] in ("actions", "state"):
        return st.one_of(st.none().filter(lambda _: path[-1] == "actions"), st.integers(), st.text(max_size=5),
                         st.just([]).filter(lambda _: path[-1] == "actions"), st.lists(st.integers(), max_size=2))
    if path[-1] == 0:
        return st.one_of(st.none(), st.integers(), st.text(max_size=4), st.lists(st.none(), max_size=2))
    required = {("user",), ("user", "id"), ("view",), ("view", "id"), ("event",), ("event_id",),
                ("actions", 0, "action_id")}
    return _ODD.filter(lambda v: v is not None or path in required)


@st.composite
def _malformed(draw) -> tuple[str, bytes, str]:
    kind, path = draw(st.sampled_from(_PATHS))
    body = _template(kind)
    value = draw(_odd_for(path))
    _set(body, path, value)
    if kind == "event":
        return f"{path}={value!r}", json.dumps(body).encode(), JSON
    return f"{path}={value!r}", _payload(body), FORM


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_malformed())
def test_generated_malformed_shapes_are_refused(desk, caplog, case):
    name, body, ctype = case
    calls, lines = len(desk.fake.calls), len(caplog.records)
    ts = str(int(time.time()))
    status, answer = _send(desk, body, {"Content-Type": ctype, "X-Slack-Request-Timestamp": ts,
                                        "X-Slack-Signature": sign(SECRET, ts, body)})
    assert status in (400, 404), (name, status, answer[:200])
    _check_quiet(desk, caplog, calls, lines, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), _malformed().map(lambda c: c[1])),
       ctype=st.sampled_from([FORM, JSON, "text/plain", ""]),
       ts=st.one_of(st.text(max_size=12), st.integers(-10**12, 10**12).map(str)))
def test_generated_unsigned_requests_are_refused(desk, caplog, body, ctype, ts):
    calls, lines = len(desk.fake.calls), len(caplog.records)
    headers = {"Content-Type": ctype, "X-Slack-Signature": sign("not-the-secret", "0", body)}
    if ts.isascii() and ts.isprintable():
        headers["X-Slack-Request-Timestamp"] = ts
    status, _ = _send(desk, body, headers)
    assert status == 401
    _check_quiet(desk, caplog, calls, lines, repr(body[:50]))
