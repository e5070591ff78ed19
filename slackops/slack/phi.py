"""Likely protected health information (Interopion: "no PHI will be provided by Customer").

A heuristic that errs on the side of asking, in English and Italian: US Social Security
numbers (with their separators, or after a label: "SSN", "SS#", "social"); medical record,
patient, chart, patient account, encounter, admission and visit numbers after their label,
with the separators and prefixes clinical systems print ("MRN: 00-123-456", "Pt# 4471.229",
"Enc# 2024-0581177", "cartella clinica n. 2023/00451", "n. nosologico 24.011.873"); dates
of birth, after a label ("DOB", "born", "nata il", "data di nascita", "classe") or right
next to a person's name, title or initials ("Mr. J. Smith 03/14/1962", "Sig.ra Bianchi
12/03/1958"), written with digits in either order or in words ("4 March 1957", "12 marzo
1960", "the twelfth of May 1948", "primo agosto millenovecentoquaranta"); and a patient
named by title or initials close to the date of a visit, a stay or a test, in a sentence
that speaks of care ("Mr. Hendricks was seen on 03/12/2024", "Sig.ra Esposito, visita del
05.06.2024"). The patterns are in :mod:`slackops.slack.phi_patterns`.

Numbers that only share a shape stay unflagged: orders, invoices, tickets, builds,
versions, tracking numbers, release dates and IP addresses carry no such cue, and a phone
number (recognised by ``phonenumbers``, as the US and Italy write them) is left alone.

It names what it found so that the customer knows what to remove; it never echoes the
value itself. ``benchmarks/bench_phi.py`` measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slackops.notices.i18n import t
from slackops.slack import phi_patterns as P

__all__ = ["PhiFinding", "find_phi"]


@dataclass(frozen=True)
class PhiFinding:
    kind: str  # "ssn" | "mrn" | "dob" | "care_date"
    start: int
    end: int

    @property
    def reason(self) -> str:
        return {
            "ssn": "looks like a Social Security number",
            "mrn": "looks like a medical record number",
            "dob": "looks like a date of birth next to a name",
            "care_date": "looks like a patient's name next to the date of a visit, a stay or a test",
        }[self.kind]


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a phone number valid in the US or Italy (the desk's accounts')."""
    import phonenumbers

    spans: list[tuple[int, int]] = []
    for region in ("US", "IT"):
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.append((m.start, m.end))
    return spans


def _care_dates(text: str) -> list[PhiFinding]:
    """A person by title or initials and a date close by in one sentence that speaks of care."""
    out: list[PhiFinding] = []
    dates = [(m.start(), m.end()) for m in P.DATE_RE.finditer(text)]
    if not dates:
        return out
    for person in P.PERSON.finditer(text):
        for a, b in dates:
            if a - person.end() > 45 or person.start() - b > 45:
                continue  # too far apart (the gap allows 45 characters): settled without slicing
            trail = ""
            if a >= person.end():  # "Mr. Hendricks was seen on 03/12/2024"
                gap, start, end = text[person.end():a], person.start(), b
                purpose = P.CARE_FOR.match(text, b)
                if purpose:  # "... on 02/10/2024 for his follow-up"
                    trail = text[purpose.end():purpose.end() + 25]
            elif b <= person.start():  # "on 03/12/2024 Mr. Hendricks was seen": what he underwent follows
                gap, start, end = text[b:person.start()], a, person.end()
                trail = re.split(r"[,:]|" + P.SENTENCE_END.pattern, text[end:end + 30], maxsplit=1)[0]
            else:
                continue
            if not P.CARE_GAP.fullmatch(gap) or P.ACTOR.search(gap if a >= person.end() else text[end:end + 30]):
                continue
            lead = text[max(0, start - 50):start]  # the sentence's words before them, if any
            ends = list(P.SENTENCE_END.finditer(lead))
            lead = lead[ends[-1].end():] if ends else lead
            words = lead + " " + text[start:end] + " " + trail  # not after a date that follows: another clause
            if any(not P.CARE_TOOL.match(words, w.end() + 1) and not P.CARE_TOOL_BEFORE.search(words[:w.start()])
                   for w in P.CARE_WORD.finditer(words)):
                out.append(PhiFinding("care_date", start, end))
    return out


def find_phi(text: str) -> list[PhiFinding]:
    """Findings in ``text``, in order; [] when nothing looks like PHI."""
    if not text or not (P.DIGIT.search(text) or P.YEAR_IN_WORDS.search(text)):
        return []  # every pattern needs a digit or a year in words: most text is settled by a scan
    labelled: list[PhiFinding] = []  # a label names the value: it stands even inside a phone-like run
    found: list[PhiFinding] = []  # a shape or a person beside a date: not when it is a phone number
    for m in P.SSN.finditer(text):
        if not P.NOT_SSN_BEFORE.search(text[max(0, m.start() - 24):m.start()]):
            found.append(PhiFinding("ssn", m.start(), m.end()))
    for pattern, kind in ((P.X12_SSN, "ssn"), (P.X12_DOB, "dob"), (P.HL7_PID, "mrn")):
        labelled += [PhiFinding(kind, m.start(), m.end()) for m in pattern.finditer(text)]
    for m in P.SSN_LABEL_AFTER.finditer(text):
        if not P.NOT_SSN_BEFORE.search(text[max(0, m.start() - 24):m.start()]):
            labelled.append(PhiFinding("ssn", m.start(), m.end()))
    for m in P.SSN_LABEL.finditer(text):
        if m.group("gap") and P.NOT_SSN_BEFORE.search(m.group("gap")):
            continue  # "SSN check fails for order 123456789": the value is named as something else
        labelled.append(PhiFinding("ssn", m.start(), m.end()))
    for m in P.MRN.finditer(text):
        value = m.group(1)
        if len(P.DIGIT.findall(value)) >= P.MRN_MIN_DIGITS and not P.DATE_ONLY.fullmatch(value):
            labelled.append(PhiFinding("mrn", m.start(), m.end()))
    for m in P.ACCOUNT.finditer(text):
        value = m.group(1)
        sentence = text[max(0, m.start() - 60):m.end() + 60]
        if len(P.DIGIT.findall(value)) >= P.MRN_MIN_DIGITS and P.PATIENT_WORD.search(sentence):
            labelled.append(PhiFinding("mrn", m.start(), m.end()))
    for m in P.DOB_LABEL.finditer(text):
        labelled.append(PhiFinding("dob", m.start(), m.end()))
    for pattern in (P.TITLE_DATE, P.INITIALS_DATE):
        for m in pattern.finditer(text):
            found.append(PhiFinding("dob", m.start(), m.end()))
    found += _care_dates(text)
    if P.PATIENT_WORD.search(text) or P.CARE_WORD.search(text):
        for m in P.ONLY_INITIALS_DATE.finditer(text):
            if not P.STAFF_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
                found.append(PhiFinding("care_date", m.start(), m.end()))
    for m in P.POSSESSED_CARE_DATE.finditer(text):
        if P.CARE_WORD.match(text, m.end()) or P.CARE_WORD.match(text[m.end():m.end() + 30].split(" ", 1)[0]):
            found.append(PhiFinding("care_date", m.start(), m.end()))
    for m in P.NAME_DATE.finditer(text):
        words = P.CAPITALISED.findall(m.group(0))[:2]
        if not any(w in P.NAME_WORDS_NOT_NAMES for w in words) and not P.ACTOR.match(m.group("gap")):
            # "Jane Lane reported on 02/11/2025": a caller and the day she called
            found.append(PhiFinding("dob", m.start(), m.end()))
    if found:
        phones = _phone_spans(text)
        # a phone number that reaches beyond the finding ("+39 347 12 3456") makes it one; one
        # within it does not: to phonenumbers 02-14-1983 is a Milan number and 332-20-6469 a mobile
        found = [f for f in found if not any(a < f.end and f.start < b and (a < f.start or b > f.end)
                                             for a, b in phones)]
    found += labelled
    found.sort(key=lambda f: f.start)
    out: list[PhiFinding] = []
    for f in found:  # drop overlaps: the first finding of a span speaks for it
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


def phi_reason(text: str, lang: str = "en") -> str | None:
    """A plain sentence for the form field, or None."""
    findings = find_phi(text)
    if not findings:
        return None
    kinds = []
    for f in findings:
        if f.kind not in kinds:
            kinds.append(f.kind)
    what = ", ".join(t(lang, f"phi.{k}") for k in kinds)
    return t(lang, "phi.refused", what=what)
