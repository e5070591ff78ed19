"""Italian is complete and in one register: every string in both languages, the policy's
priorities, definitions, calendars and categories in Italian, no English label of the policy
in an Italian message, and the customer offered only the categories a customer chooses."""

from __future__ import annotations

import json
import re

import pytest

from slackops.notices.i18n import strings, t
from slackops.policy import list_presets, load

ROSSI_DESCRIPTION = "Le fatture di novembre non vengono generate da ieri sera e i clienti non possono pagare"


def _english_words(policy) -> list[str]:
    """The English labels of a policy that an Italian reader must never see."""
    words = [p.label for p in policy.priorities if p.label_in("it") != p.label]
    words += [p.definition for p in policy.priorities if p.definition_in("it") != p.definition]
    words += [c.labels["en"] for c in policy.categories if c.labels.get("it") != c.labels.get("en")]
    for name in policy.calendars:
        cal = policy.calendar(name)
        if getattr(cal, "descriptions", {}).get("it"):
            words.append(cal.description)
    return words


def _italian_text(*messages: dict) -> str:
    return "\n".join(json.dumps(m.get("blocks") or [], ensure_ascii=False) + "\n" + m.get("text", "") for m in messages)


def _contains_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text) is not None


def test_every_key_in_both_languages_and_the_italian_catalogue_in_one_register():
    en, it = strings("en"), strings("it")
    assert set(en) == set(it), sorted(set(en) ^ set(it))
    informal = re.compile(r"\b(tu|ti|te|tuo|tua|tuoi|tue|scrivi|scegli|chiedi|riprova|premi|cancella|lascialo)\b",
                          re.IGNORECASE)
    # buttons follow the Italian interface's convention (Invia, Annulla, as Slack's own); every
    # sentence addresses the reader with the formal "voi"
    offenders = {k: v for k, v in it.items() if informal.search(v) and not k.startswith(("btn.", "modal."))}
    assert not offenders, offenders
    # sentences built from parts: "entro <date token>", never "entro le <date token>"
    assert not [k for k, v in it.items() if "entro le {when}" in v or "alle {when}" in v]


@pytest.mark.parametrize("name", [n for n in list_presets() if "it" in load(n).languages])
def test_the_policy_speaks_italian_everywhere_a_customer_reads(name):
    policy = load(name)
    for p in policy.priorities:
        assert p.label_in("it") != p.label, f"{name} {p.id}: no Italian label"
        assert p.definition_in("it") != p.definition, f"{name} {p.id}: no Italian definition"
    catalogue = "\n".join(strings("it").values())
    for word in _english_words(policy):
        assert not _contains_word(catalogue, word), word


def test_interzen_severities_are_the_seeds_italian_words():
    policy = load("interzen")
    assert [p.label_in("it") for p in policy.priorities] == ["Bloccante", "Alta", "Media", "Bassa"]
    internal = {c.id for c in policy.categories if not c.customer}
    assert internal == {"to_be_invoiced", "not_accepted", "not_within_jurisdiction"}


def test_a_name_ending_with_a_period_ends_the_sentence_once():
    assert t("it", "home.customer_intro", accounts="Rossi S.p.A.") == "Supporto per Rossi S.p.A."
    assert "*Rossi S.p.A.* Descrivete" in t("it", "open.intro", account="Rossi S.p.A.")


def test_the_italian_customer_sees_italian_only(desk):
    policy = desk.store.policy("interzen")
    rid = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", title="Fatture mancanti",
                            description=ROSSI_DESCRIPTION, language="it")
    form = desk.last_view("slackops_open_request")
    offered = {o["value"] for b in form["blocks"] if b.get("block_id") == "category" for o in b["element"]["options"]}
    assert offered == {"bug", "evolutionary_modification", "help_desk", "vulnerability"}
    # the field that can refuse the form sits right under the priority, in sight
    ids = [b.get("block_id") for b in form["blocks"]]
    assert ids.index("justification") == ids.index("priority") + 1
    desk.press("req_take", rid, "U0AGENT1")
    desk.wait_thread(rid, "presa in carico")
    desk.settle()
    card = desk.card(rid)
    seen = _italian_text(form, card, *desk.thread(rid))
    assert "P3 — Media" in seen
    assert "Orario di lavoro Interzen" in seen
    for word in [*_english_words(policy), "Today", "Medium", "S.p.A.."]:
        assert not _contains_word(seen, word), word
    # the promise reads as Italian: "entro <date token>", the fallback in Rome's time, named
    promise = re.search(r"entro (<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+>)", seen)
    assert promise and re.search(r"\|[^>]*\d\d:\d\d CET>", promise.group(1)), seen


def test_a_category_for_agents_only_is_refused_from_the_customer(desk):
    before = {r.id for r in desk.store.list(open_only=False)}
    desk.driver.command("/support", "", user_id="U0ROSSI1", channel_id="C0ROSSISHARED")
    view = desk.wait_view("slackops_open_request")
    values = {
        "priority": {"value": {"type": "static_select", "selected_option": {"value": "P3"}}},
        "title": {"value": {"type": "plain_text_input", "value": "Fatture"}},
        "description": {"value": {"type": "plain_text_input", "value": ROSSI_DESCRIPTION}},
        "category": {"value": {"type": "static_select", "selected_option": {"value": "to_be_invoiced"}}},
    }
    r = desk.driver.view_submission("slackops_open_request", values, user_id="U0ROSSI1",
                                    private_metadata=view["private_metadata"])
    assert r.status == 200 and r.json().get("response_action") == "errors", r.text
    assert "category" in r.json()["errors"]
    assert {r.id for r in desk.store.list(open_only=False)} == before
