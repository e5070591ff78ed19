"""The likely-PHI detector: table-driven, both ways."""

from __future__ import annotations

import pytest

from slackops.slack.phi import find_phi, phi_reason


@pytest.mark.parametrize("text,kind", [
    ("patient SSN 123-45-6789 cannot log in", "ssn"),
    ("ssn: 123456789", "ssn"),
    ("his number is 123 45 6789", "ssn"),
    ("MRN 00123456 shows the wrong ward", "mrn"),
    ("Medical record number: AB-1234567", "mrn"),
    ("patient id #884422 missing", "mrn"),
    ("DOB: 03/04/1985", "dob"),
    ("date of birth 1985-03-04 is wrong", "dob"),
    ("John Smith 03/04/1985 cannot be found", "dob"),
    ("Smith, John (March 4, 1985)", "dob"),
    ("born on 4 March 1985", "dob"),
])
def test_likely_phi(text, kind):
    assert [f.kind for f in find_phi(text)][:1] == [kind]


@pytest.mark.parametrize("text", [
    "Export failed on 03/04/2025 at 10:00",
    "Version 12.3.4 since Monday",
    "Release March 4, 2025 broke the API",
    "Order 123-456-789 is stuck",
    "Error code 000-12-3456",
    "Call +1 555 123 4567",
    "",
])
def test_not_phi(text):
    assert find_phi(text) == []


def test_reason_names_the_kind_not_the_value():
    reason = phi_reason("SSN 123-45-6789 and DOB 01/02/1990", "en")
    assert "Social Security" in reason and "date of birth" in reason and "6789" not in reason
    assert "previdenza" in phi_reason("SSN 123-45-6789", "it")
