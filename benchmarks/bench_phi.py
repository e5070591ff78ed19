"""How well the likely-PHI detector (slackops.slack.phi) tells PHI from look-alikes.

A labelled set of running text, built here from hand-written sentences of support
requests and thread replies with values filled in (seeded, so every run sees the same
texts): PHI (US Social Security numbers in their written forms, medical record numbers,
dates of birth with a label or next to a person's name) and look-alikes that share their
shapes (ticket numbers, order ids, phone numbers, version strings, dates without a name,
invoice numbers, error codes, IP addresses). Prints recall (PHI found) and the
false-positive rate (look-alikes flagged), overall and per kind, and the same for a
baseline measured in the same run: a bare nine-digit/``ddd-dd-dddd`` pattern, the shape
a pattern-only recognizer keys on.

The targets: recall >= 95 %, false positives <= 2 %.

Why not presidio-analyzer: its recognizers for these kinds lean on a spaCy NER model
(a few hundred MB to download) to find names next to dates, and it has no medical record
number recognizer; its US SSN pattern recognizer alone is the baseline's shape. The
detector here needs no model, runs in microseconds per text on the form's hot path, and
names what it found without echoing it.

Run: ``python benchmarks/bench_phi.py`` (``--show`` lists the misses and false alarms).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slackops.slack.phi import find_phi  # noqa: E402

FIRST = ["John", "Maria", "Ahmed", "Li", "Sofia", "James", "Priya", "Carlos", "Emma", "Olusegun", "Anna", "David",
         "Keiko", "Lucas", "Fatima", "Robert"]
LAST = ["Smith", "Garcia", "Khan", "Wang", "Rossi", "Johnson", "Patel", "Lopez", "Brown", "Adeyemi", "Novak",
        "Miller", "Tanaka", "Silva", "Haddad", "Taylor"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

PHI = {
    "ssn": [
        "Patient {name} SSN {ssn} cannot access the portal",
        "ssn: {ssn9}",
        "The social security number {ssn} shows up in the CSV export",
        "Her SSN is {ssn_sp}, can you check why billing rejects it?",
        "SSN#{ssn9} was entered in the notes field by mistake",
        "Member record lists social security no. {ssn9} twice",
        "We imported {ssn} as the subscriber id, please purge it",
        "Eligibility check fails for SSN {ssn}",
    ],
    "mrn": [
        "MRN {mrn} shows the wrong allergies after the upgrade",
        "Medical record number: {mrn_p}{mrn}",
        "patient id #{d6} is missing from the discharge list",
        "Chart no. {mrn} was merged into another chart",
        "MRN:{mrn} duplicated after the nightly merge",
        "The medical record {mrn_p}-{mrn} opens someone else's labs",
        "Patient number {d7} has no insurance on file",
        "Search by MRN {mrn} returns nothing since Monday",
    ],
    "dob": [
        "DOB: {us}",
        "date of birth {iso} is shown as 1900-01-01",
        "She was born on {long_dmy} and the age field says 2",
        "Birthdate {us} rejected by the validator",
        "D.O.B. {us} needs correcting for this member",
        "{first} {last} {us} cannot be found in the roster",
        "{last}, {first} ({long_mdy}) was registered twice",
        "Please check {first} {last}, {us}, in ward 4",
        "Appointment for {first} {last} born {long_dmy} vanished",
        "{first} {last} (DOB {iso}) sees another patient's results",
    ],
}

LOOK_ALIKES = {
    "ticket": [
        "Ticket #{d6} was reopened by the customer",
        "See case {d9} for the earlier discussion",
        "Duplicate of SUP-{d5}, closing this one",
        "Incident {d8} is still open in your portal",
    ],
    "order": [
        "Order {o3}-{o3}-{o3} is stuck in fulfilment",
        "Purchase order PO{d9} was not invoiced",
        "The shipment {d3}-{d2}-{d5} never arrived",
        "Order number {d10} shows twice in the report",
    ],
    "phone": [
        "Call me at +1 555 {d3} {d4} after 3pm",
        "Our support line (303) 555-{d4} goes to voicemail",
        "Reach the on-call engineer on 555-{d3}-{d4}",
        "SMS alerts to +39 02 {d4} {d4} do not arrive",
    ],
    "version": [
        "Version {v} since Monday breaks the export",
        "After upgrading to v{v} the login page is blank",
        "Build {y}.{m2}.{dd2} fails the health check",
        "Agent {v} reports error 0x{hex}",
    ],
    "date": [
        "Export failed on {us_recent} at 10:00",
        "Since {iso_recent} the sync lags by an hour",
        "Release {month} {day}, {year_recent} broke the API",
        "The invoice dated {us_recent} is missing",
        "Maintenance on {long_dmy_recent} ran late",
        "Report for Monday {us_recent} shows no data",
    ],
    "other": [
        "Invoice INV-{year_recent}-{d5} has the wrong VAT",
        "Error code 000-12-{d4} on checkout",
        "Host 10.0.{d2}.{d2} refuses connections on port 8443",
        "Customer account {d7} cannot add users",
        "Job {d3}-{d2}-{d4} took 45 minutes instead of 5",
        "Serial number 900-{d2}-{d4} on the appliance",
    ],
}


def _values(rng: random.Random) -> dict[str, str]:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    y, m, d = rng.randint(1930, 2012), rng.randint(1, 12), rng.randint(1, 28)
    yr, mr, dr = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)

    def digits(n: int) -> str:
        return str(rng.randint(10 ** (n - 1), 10 ** n - 1))

    return {
        "ssn": f"{area:03d}-{group:02d}-{serial:04d}", "ssn9": f"{area:03d}{group:02d}{serial:04d}",
        "ssn_sp": f"{area:03d} {group:02d} {serial:04d}", "mrn": digits(rng.choice([6, 7, 8])),
        "mrn_p": rng.choice(["", "AB", "MR", "H"]), "first": rng.choice(FIRST), "last": rng.choice(LAST),
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "us": f"{m:02d}/{d:02d}/{y}", "iso": f"{y}-{m:02d}-{d:02d}", "long_dmy": f"{d} {MONTHS[m - 1]} {y}",
        "long_mdy": f"{MONTHS[m - 1]} {d}, {y}",
        "us_recent": f"{mr:02d}/{dr:02d}/{yr}", "iso_recent": f"{yr}-{mr:02d}-{dr:02d}",
        "long_dmy_recent": f"{dr} {MONTHS[mr - 1]} {yr}", "month": MONTHS[mr - 1], "day": str(dr),
        "year_recent": str(yr), "y": str(yr), "m2": f"{mr:02d}", "dd2": f"{dr:02d}",
        "v": f"{rng.randint(1, 20)}.{rng.randint(0, 12)}.{rng.randint(0, 30)}", "hex": f"{rng.randint(0, 2**32):08X}",
        "o3": digits(3), "d2": str(rng.randint(10, 99)), "d3": digits(3), "d4": digits(4), "d5": digits(5),
        "d6": digits(6), "d7": digits(7), "d8": digits(8), "d9": digits(9), "d10": digits(10),
    }


def labelled_set(per_template: int = 4, seed: int = 7) -> list[tuple[str, str, bool]]:
    """(kind, text, is_phi), every template filled ``per_template`` times."""
    rng = random.Random(seed)
    out: list[tuple[str, str, bool]] = []
    for table, is_phi in ((PHI, True), (LOOK_ALIKES, False)):
        for kind, templates in table.items():
            for template in templates:
                for _ in range(per_template):
                    out.append((kind, template.format(**_values(rng)), is_phi))
    return out


_BASELINE = re.compile(r"(?<!\d)\d{3}-?\d{2}-?\d{4}(?!\d)")


def baseline(text: str) -> bool:
    """A bare SSN shape: what a pattern-only recognizer without context keys on."""
    return bool(_BASELINE.search(text))


def measure(judge, texts: list[tuple[str, str, bool]]) -> dict[str, object]:
    per: dict[str, list[int]] = {}
    misses, alarms = [], []
    for kind, text, is_phi in texts:
        flagged = judge(text)
        hit = flagged == is_phi
        per.setdefault(kind, [0, 0])
        per[kind][0] += hit
        per[kind][1] += 1
        if is_phi and not flagged:
            misses.append(text)
        if flagged and not is_phi:
            alarms.append(text)
    pos = sum(1 for _k, _t, p in texts if p)
    neg = len(texts) - pos
    return {"recall": (pos - len(misses)) / pos, "fp_rate": len(alarms) / neg, "per": per,
            "misses": misses, "alarms": alarms, "pos": pos, "neg": neg}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", action="store_true", help="list the misses and the false alarms")
    args = ap.parse_args(argv)
    texts = labelled_set()
    t0 = time.perf_counter()
    ours = measure(lambda s: bool(find_phi(s)), texts)
    elapsed = time.perf_counter() - t0
    base = measure(baseline, texts)
    print(f"labelled texts: {len(texts)} ({ours['pos']} PHI, {ours['neg']} look-alikes)")
    for name, r in (("slackops.slack.phi", ours), ("baseline (bare SSN shape)", base)):
        print(f"{name:28s} recall {r['recall']:6.1%}   false positives {r['fp_rate']:5.1%}")
    print("per kind (slackops.slack.phi, correct/total): " + ", ".join(
        f"{k} {v[0]}/{v[1]}" for k, v in ours["per"].items()))
    print(f"time: {elapsed / len(texts) * 1e6:.1f} µs per text")
    ok = ours["recall"] >= 0.95 and ours["fp_rate"] <= 0.02
    print("targets (recall >= 95 %, false positives <= 2 %): " + ("met" if ok else "NOT met"))
    if args.show:
        for t in ours["misses"]:
            print("  missed:", t)
        for t in ours["alarms"]:
            print("  false alarm:", t)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
