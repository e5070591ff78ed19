"""Interzen answers in the language of the request: detected from the customer's own words
(lingua, restricted to the policy's languages) when they did not choose, by the form, the
:ticket: reaction and the shortcut alike; and every string exists in both languages."""

from __future__ import annotations

import re

import pytest

from slackops.notices.i18n import strings
from slackops.policy import load
from slackops.slack.language import detect, request_language
from tests.slack.conftest import form, wait_for

ITALIAN = "Le fatture di novembre non vengono generate da ieri sera e i clienti non possono pagare"
ENGLISH = "November invoices have not been generated since last night and customers cannot pay"


def test_every_english_string_has_an_italian_one_with_the_same_placeholders():
    en, it = strings("en"), strings("it")
    missing = sorted(set(en) - set(it))
    assert not missing, f"it.yml lacks {missing}"
    for key, text in en.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", it[key])), key
    assert not sorted(set(it) - set(en)), "it.yml has keys en.yml does not"


@pytest.mark.parametrize(("text", "lang"), [
    (ITALIAN, "it"), (ENGLISH, "en"),
    ("Errore 500 sulla pagina di accesso", "it"), ("Login page returns error 500", "en"),
])
def test_detection_among_the_policys_languages(text, lang):
    assert detect(text, ["en", "it"]) == lang


def test_detection_only_where_the_policy_answers_in_the_request_language():
    interzen, interopion = load("interzen"), load("interopion")
    assert request_language(interzen, ITALIAN, "en") == "it"
    assert request_language(interzen, "ok", "en") == "en"  # too short to call: the account's
    assert request_language(interopion, ITALIAN, "en") == "en"  # English only
    assert detect(ITALIAN, ["en"]) == "en"


def add_english_interzen_account(desk):
    desk.config.accounts.append(type(desk.config.accounts[0]).model_validate(
        {"id": "bianchi", "name": "Bianchi Ltd", "channel": "C0BIANCHISHARED", "policy": "interzen",
         "language": "en", "contacts": ["U0BIANCHI1"]}))
    desk.fake.add_user("U0BIANCHI1", team_id="T0BIANCHI", is_stranger=True)
    desk.store.ensure_groups("publish")


def test_an_italian_request_by_ticket_reaction_is_answered_in_italian(desk):
    add_english_interzen_account(desk)
    posted = desk.app.client.chat_postMessage(channel="C0BIANCHISHARED", text=ITALIAN)
    desk.driver.event({"type": "reaction_added", "user": "U0BIANCHI1", "reaction": "ticket", "item_user": "U0BIANCHI1",
                       "item": {"type": "message", "channel": "C0BIANCHISHARED", "ts": posted["ts"]}})
    rid = wait_for(lambda: [r.id for r in desk.store.list(account="bianchi", open_only=False)], timeout=15)[0]
    assert desk.store.get(rid).language == "it"
    desk.wait_thread(rid, "abbiamo ricevuto")
    reply = wait_for(lambda: desk.fake.messages("C0BIANCHISHARED", thread_ts=posted["ts"]))
    assert reply[0]["text"].startswith(f"Aperta *{rid}*")
    # agents' actions answer in Italian too
    desk.press("req_take", rid, "U0AGENT1")
    desk.wait_thread(rid, "è stata presa in carico")


def test_the_form_left_without_a_language_detects_it(desk):
    # Rossi's account language is Italian; this customer writes in English
    rid = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", title="Invoices missing", description=ENGLISH)
    assert desk.store.get(rid).language == "en"
    desk.wait_thread(rid, "we have received")
    select = next(b for b in desk.last_view("slackops_open_request")["blocks"] if b.get("block_id") == "language")
    assert select["optional"] is True and "initial_option" not in select["element"]
    # chosen explicitly, the choice wins over the text
    rid2 = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", title="Invoices", description=ENGLISH,
                            language="it")
    assert desk.store.get(rid2).language == "it"


def test_the_shortcut_prefills_the_form_that_then_detects(desk):
    msg = desk.app.client.chat_postMessage(channel="C0ROSSISHARED", text=ENGLISH)
    r = desk.driver.message_shortcut("open_support_request", user_id="U0ROSSI1", user_team_id="T0ROSSI",
                                     channel_id="C0ROSSISHARED", message={"ts": msg["ts"], "text": ENGLISH,
                                                                          "user": "U0ROSSI1"})
    assert r.status == 200
    view = desk.wait_view("slackops_open_request")
    before = {x.id for x in desk.store.list(open_only=False)}
    r = desk.submit("slackops_open_request", form(priority="P3", title="Invoices missing", description=ENGLISH),
                    "U0ROSSI1", user_team_id="T0ROSSI", view=view)
    assert r.status == 200 and not r.body, r.text
    rid = wait_for(lambda: sorted({x.id for x in desk.store.list(open_only=False)} - before))[0]
    assert desk.store.get(rid).language == "en"


def test_string_keys_are_strings():
    """YAML reads an unquoted on/off/yes/no key as a boolean: such a key would never be found."""
    import yaml

    from slackops.notices import i18n

    def keys(d, path=""):
        for k, v in d.items():
            assert isinstance(k, str), f"{path}{k!r}: quote this key"
            if isinstance(v, dict):
                keys(v, f"{path}{k}.")

    for lang in ("en", "it"):
        keys(yaml.safe_load((i18n._DIR / f"{lang}.yml").read_text(encoding="utf-8")))
