"""Likely protected health information (Interopion: "no PHI will be provided by Customer").

A heuristic that errs on the side of asking: US Social Security numbers, medical record
numbers, and dates of birth written next to a name or a "DOB" label. It names what it
found so that the customer knows what to remove; it never echoes the value itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PhiFinding", "find_phi"]


@dataclass(frozen=True)
class PhiFinding:
    kind: str  # "ssn" | "mrn" | "dob"
    start: int
    end: int

    @property
    def reason(self) -> str:
        return {
            "ssn": "looks like a Social Security number",
            "mrn": "looks like a medical record number",
            "dob": "looks like a date of birth next to a name",
        }[self.kind]


# unlabelled, an SSN is written with its separators (123-45-6789, 123 45 6789); nine bare
# digits are one only next to a label ("SSN 123456789"): ids, orders and cases are digits too
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
# ... and not when the text names it as something else: "Job 825-25-4393", "case 302-72-6844"
_NOT_SSN_BEFORE = re.compile(
    r"(?:order|ticket|case|job|serial|invoice|incident|ref|reference|build|tracking|part|sku|code|shipment|"
    r"request|run)\W{0,3}(?:no\.?|num(?:ber)?|#|id)?\W{0,3}$", re.I)
_SSN_LABEL = re.compile(r"\b(?:SSN|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*\d{9}\b", re.I)
_MRN = re.compile(
    r"\b(?:MRN|medical\s+record(?:\s+(?:number|no\.?|num|#))?|patient\s+(?:id|number|no\.?|#)|chart\s+(?:number|no\.?|#))"
    r"\s*[:#=]?\s*[A-Z]{0,3}-?\d{5,12}\b",
    re.I,
)
_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}|\d{1,2}\s+(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2})"
_DOB_LABEL = re.compile(r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on)?|birth\s*date|birthday)\s*[:=]?\s*" + _DATE, re.I)
# "John Smith 03/04/1985", "Smith, John (1985-03-04)": two capitalised words close to a date
_NAME_DATE = re.compile(r"\b[A-Z][a-z]+,?\s+[A-Z][a-z]+\b[^\n\d]{0,20}?\(?" + _DATE)
_DIGIT = re.compile(r"\d")
_NAME_WORDS_NOT_NAMES = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Since", "Release", "Version", "Deployed", "Started", "Until", "From",
}


def find_phi(text: str) -> list[PhiFinding]:
    """Findings in ``text``, in order; [] when nothing looks like PHI."""
    if not text or not _DIGIT.search(text):
        return []  # every pattern needs a digit: most text is settled by one scan
    found: list[PhiFinding] = []
    for m in _SSN.finditer(text):
        if not _NOT_SSN_BEFORE.search(text[max(0, m.start() - 24):m.start()]):
            found.append(PhiFinding("ssn", m.start(), m.end()))
    for m in _SSN_LABEL.finditer(text):
        found.append(PhiFinding("ssn", m.start(), m.end()))
    for m in _MRN.finditer(text):
        found.append(PhiFinding("mrn", m.start(), m.end()))
    for m in _DOB_LABEL.finditer(text):
        found.append(PhiFinding("dob", m.start(), m.end()))
    for m in _NAME_DATE.finditer(text):
        words = re.findall(r"[A-Z][a-z]+", m.group(0))[:2]
        if not any(w in _NAME_WORDS_NOT_NAMES for w in words):
            found.append(PhiFinding("dob", m.start(), m.end()))
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
    from slackops.notices.i18n import t

    kinds = []
    for f in findings:
        if f.kind not in kinds:
            kinds.append(f.kind)
    what = ", ".join(t(lang, f"phi.{k}") for k in kinds)
    return t(lang, "phi.refused", what=what)
