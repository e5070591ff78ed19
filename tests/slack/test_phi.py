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


# -- formats real clinical text uses (one row per format) ------------------------------------
@pytest.mark.parametrize("text,kind", [
    # record, patient, chart and account numbers with separators and prefixes
    ("MRN: 10-552-873 opens the wrong patient", "mrn"),  # hyphens inside
    ("Pt# 5580.113 is still on the board", "mrn"),  # dot inside, 'Pt#'
    ("Medical record no. 03 117 542 has no allergies", "mrn"),  # spaces inside
    ("chart #C-41-2209 does not load", "mrn"),  # letter prefix
    ("Patient acct # 62-18-3310-4 billed twice", "mrn"),  # patient account
    ("Hospital number H-221-0934 was reused", "mrn"),
    ("cartella clinica n. 2022/00918 non si apre", "mrn"),  # Italian, year/number
    ("n. cartella 31-8842/C non collegata", "mrn"),  # Italian, number before the label
    ("Codice paziente PZ-20417 duplicato", "mrn"),
    # a person's title or initials next to a bare date
    ("Mrs. K. Bauer 06/21/1951 shows as inactive", "dob"),
    ("Sig.ra Galli 14/02/1947 non vede i referti", "dob"),  # Italian title, European order
    ("Mr Alvarez (09.10.1969) was merged", "dob"),  # dotted date in brackets
    ("il dott. Villa 3/5/1962 non risulta", "dob"),  # lower-case Italian title
    ("K.L. Moss 10-28-1948 has two charts", "dob"),  # initials, no title
    # dates of birth in words and in European order, with English and Italian labels
    ("born 17 October 1955 but shown as 1995", "dob"),
    ("born on the 3rd of May 1962", "dob"),
    ("birthday is Feb 9th, 1973", "dob"),
    ("DOB 23.11.1958 stored the wrong way round", "dob"),
    ("nata il 4 settembre 1951", "dob"),
    ("nato a Torino il 2/9/1940", "dob"),
    ("data di nascita: 30/06/1966", "dob"),
    ("b. 02/17/1980 on the wristband", "dob"),
])
def test_likely_phi_in_the_formats_clinical_systems_print(text, kind):
    assert [f.kind for f in find_phi(text)][:1] == [kind]


# -- look-alikes that share those shapes (one row per class) --------------------------------
@pytest.mark.parametrize("text", [
    "Order 10-552-873 shipped to the wrong site",  # order
    "Fattura n. 2022/00918 non pagata",  # invoice
    "Build 5580.113 fails the smoke test",  # build
    "Version 23.11.1 breaks the export",  # version
    "Tracking 1Z 999 AA1 01 2345 6784 stuck in customs",  # tracking number
    "Call Mrs. Bauer at +1 (617) 555-0123",  # phone with a title, +country code
    "Richiamare il 02 8734 5567 dopo le 15",  # Italian phone
    "SMS to +39 347 12 3456 do not arrive",  # a phone with an SSN's shape inside
    "Release 17 October 2024 broke SSO",  # release date in words
    "Dal rilascio del 4 settembre 2024 i report sono vuoti",  # Italian release date
    "Mr. Alvarez reported on 09/10/2024 that printing fails",  # a person and a date, words between
    "Case #10-552-873 was reopened",  # ticket id
    "Host 10.23.11.58 refuses connections",  # IP address
    "SKU 5580-113-BLK is back-ordered",  # SKU
    "Part no. 06-21-1951 for the fan",  # part number with a date's shape
    "The usage chart 2024-03-14 shows a spike",  # a chart of a day
    "I log sono nella cartella 20240314_export",  # a folder
])
def test_look_alikes_are_not_phi(text):
    assert find_phi(text) == []


# -- more writings of the same kinds (one row per variant) ------------------------------------
@pytest.mark.parametrize("text,kind", [
    # Social Security numbers after a label: another label, dots, words between
    ("the chart with social 301558427 was merged", "ssn"),  # "social" alone
    ("claim for SS# 512.68.2093 bounced", "ssn"),  # 'SS#', dots
    ("lookup by SSN finds nobody for 533-81-2207", "ssn"),  # words between label and value
    # record-like numbers under other labels EHRs print
    ("Med Rec No 0033-118-4 was resent", "mrn"),  # 'Med Rec No'
    ("Enc# 2023-0412290 will not open", "mrn"),  # encounter, year-number
    ("encounter number E/0172/22 unbilled", "mrn"),  # letter prefix with slashes
    ("Adm # 6621-05 has no orders", "mrn"),  # admission
    ("Visit ID V20231102-0017 lost its vitals", "mrn"),  # visit, letters then digits
    ("HAR 3390017721 has no charges", "mrn"),  # hospital account record
    ("FIN: 77120391-2 went out wrong", "mrn"),  # financial number
    ("Patient account Acct 55120-7 in collections", "mrn"),  # label said twice
    ("Chart # RT/40233 holds the wrong consent", "mrn"),  # two-letter prefix, slash
    ("patient 204417 has two wristbands", "mrn"),  # a patient named by a number
    ("il n. nosologico 23.044.190 non compare", "mrn"),  # Italian admission number, dots
    ("SDO del ricovero 0412-55310 incompleta", "mrn"),  # ricovero
    ("ID ricovero 2022R003318 senza terapie", "mrn"),  # letter inside the number
    ("i pazienti 220931, 220944 e 221002 non hanno esami", "mrn"),  # a list of patient numbers
    # dates of birth: words between label and date, days and years in words
    ("la data di nascita del paziente (1971-02-11) è nel campo sbagliato", "dob"),
    ("birthdate was entered as 04/11/2054 instead of 04/11/1954", "dob"),
    ("Mrs. D. O'Hara 02/19/61 has no appointments", "dob"),  # O'Hara, two-digit year
    ("born June eleventh, 1958", "dob"),  # month then ordinal word
    ("born on the twenty-second of March 2021", "dob"),  # 'the twenty-second of'
    ("born May third nineteen forty", "dob"),  # year in words, no digit at all
    ("she was born October twenty-third, nineteen sixty-one", "dob"),
    ("DOB: fifth of June 1944 came out of dictation", "dob"),
    ("nata il primo marzo 1952", "dob"),  # Italian 'primo'
    ("nato il ventotto febbraio millenovecentotrentanove", "dob"),  # Italian year in words
    ("Data di nascita: diciotto luglio 1963", "dob"),
    ("c'è scritto classe 9 giugno 1950", "dob"),  # 'classe': born in
    ("Referral for Anna O'Connor, 2022-11-04, cardiology", "dob"),  # name with O'
    ("S.S.N. 401-22-7315 on file twice", "ssn"),  # dotted label
    ("numero di ricovero 2023-00412 bloccato", "mrn"),  # 'numero di ricovero'
    ("Accession # 24-118772 lost its label", "mrn"),  # lab accession number
    ("Specimen ID S24-00123 mislabelled", "mrn"),
    ("PID 55123408 duplicated after the merge", "mrn"),  # HL7 patient id
    ("MRN 1234567A shows twice", "mrn"),  # a check letter after the digits
    ("DOB 14-Mar-1962 parsed wrong", "dob"),  # day-month-year with the month's name, as EHRs print
    ("DOB 14MAR1962 parsed wrong", "dob"),
    ("nato il 3 agosto del 1949", "dob"),  # 'del' before the year
    ("b-day 03/04/1950 in the notes", "dob"),
    ("nascita: 12/03/1950", "dob"),  # Italian 'nascita' alone
    ("Ing. Bianchi 12/03/1950 non trovato", "dob"),  # Italian professional title
    ("Sig. De Luca 12/03/1950 non trovato", "dob"),  # a surname with a particle
    ("Mr. McKay 04/05/1951 missing", "dob"),  # Mc
    ("MRN#: 4455-2231 wrong ward", "mrn"),  # '#:' between label and value
    ("The patient's MRN is 00458823", "mrn"),  # 'is' between
    ("Il codice paziente è 0045-88123", "mrn"),  # 'è' between
    ("Date of Birth - 1958.07.02", "dob"),  # a dash between label and date
    ("the clerk put 401223344 in the SSN box by mistake", "ssn"),  # the label after the value
    ("member soc sec no. 401223344 is on two charts", "ssn"),  # 'soc sec'
    ("the 271 came back with REF*SY*401223344~ for the subscriber", "ssn"),  # X12: REF*SY is an SSN
    ("our parser reads DMG*D8*19640203~ as the service date", "dob"),  # X12: DMG*D8 is a birth date
    ("inbound ADT: PID|1||88213344^^^HOSP^MR||DOE^JANE fails validation", "mrn"),  # HL7 PID segment
    ("Account no. 5512-0098-41: the patient statement doubles", "mrn"),  # an account, of a patient
    ("numero accesso PS 24 118 305: il triage non salva", "mrn"),  # the emergency department's number
    ("pt R.T. 02/09/2024 labs missing from the chart", "care_date"),  # a patient by initials alone
    ("B.K.L. seen 3/3/24, note not visible", "care_date"),
    ("Paziente G.F. 11/04/2024: referto mancante", "care_date"),
    ("Mrs. Okafor says her 2/14/2024 mammogram was billed twice", "care_date"),  # 'her DATE <care>'
])
def test_likely_phi_in_more_writings(text, kind):
    assert [f.kind for f in find_phi(text)][:1] == [kind]


@pytest.mark.parametrize("text", [
    "The SSN field rejects order 123456789",  # a label, then the value named as an order
    "social media post 2024-03-14 went viral",  # 'social' next to a date
    "The encounter screen froze at 10:45",  # encounter with no number
    "FIN team asked for invoice 88120045",  # 'FIN' not followed by its number
    "patients 20000 imported overnight",  # a count of patients
    "Il ricovero del 12/03/2024 non compare",  # an admission named by its date
    "birthday reminders went out on 03/04/2025",  # a label, then a noun before the date
    "DOB field was blank in the 03/04/2025 export",
    "nineteen tickets since Monday",  # a number in words alone
    "Build 14MAR2025 is green",  # a date with the month's name, no label
    "PID-3 is empty in the feed",  # an HL7 field, not a patient id
    "Jane Lane reported on 02/11/2025 that printing fails",  # a caller and the day she called
    "Pat Smith called on 03/04/2025",
    "Our social media integration posted 123456789 times",  # bare 'social', words, nine digits
    "See HAR 20250303-1 attached",  # a HAR file named by its day
    "Account no. 5512-0098-41 is our billing account with you",  # a customer's account
    "reviewed by J.K. 01/08/2024 before the patient portal release",  # a staff member's initials
    "Meeting at 10 A.M. 01/08/2024 about the lab interface",  # an abbreviation, not initials
    "J.K. 01/08/2024: release notes updated",  # initials and a date, no patient and no care
    "order 401223344 was shipped to the SSN team",  # a number named as an order
])
def test_more_look_alikes_are_not_phi(text):
    assert find_phi(text) == []


# -- a patient by title or initials next to the date of a visit, a stay or a test ----------------
@pytest.mark.parametrize("text", [
    "Mr. Okoye was seen on 02/14/2024 but the visit is missing",  # care word between
    "Ms. Tran's dialysis on 2024-02-20 shows as skipped",  # possessive
    "Prof. Lund, discharged 11/30/2023, has no letter",  # participle after a comma
    "Mrs. D'Souza, date of service 5/6/24, was denied",  # 'date of service'
    "the consult note for Mrs. Hale from 10/2/2023 vanished",  # care word before the person
    "the lab order for B. K. Tanaka on April 2, 2024 never arrived",  # initials, date in words
    "On 01/15/2024 Mr. Vance was admitted to cardiology",  # the date first
    "Il Sig. Bruno è stato ricoverato il 14/03/2024 in Chirurgia",  # Italian, passive
    "Per la Sig.ra Conti, visita del 06.05.2024, manca il referto",  # Italian, noun of care
    "il Dott. Serra, dimesso il 2/3/2024, non ha la lettera",  # a doctor as the patient
    "Mr. Jones' appointment on 03/12/2024 vanished",  # possessive with an apostrophe alone
    "Mrs. Ruiz had a biopsy on 2024-02-02",
    "Mr. Park came in on 02/10/2024 for his follow-up",  # what the date was for, after it
])
def test_a_patient_next_to_a_date_of_care(text):
    assert [f.kind for f in find_phi(text)][:1] == ["care_date"]


@pytest.mark.parametrize("text", [
    "Mrs. Lane reported on 02/11/2025 that the lab printer fails",  # care word after, another clause
    "Dr. Evans has seen 30 patients since 03/01/2025",  # a number between: a count
    "Dr. Patel signed the discharge template on 03/01/2025",  # the person acts on the software
    "Il dott. Galli ha aggiornato il modulo referti il 12/02/2025",  # Italian, the same
    "Training for the lab team with Ms. Hart on 03/04/2025",  # a care word naming a team
    "La dott.ssa Ricci è in ferie fino al 21/07/2025, le visite sono sospese",  # care word after
    "Mr. Dube from IT started on 04/01/2022. The MRI viewer is slow",  # another sentence
    "Dr. Lee opened the lab module on 03/04/2025",  # a part of the software
    "Mr. Ito's team migrated the lab server on 2025-01-04",  # a care word naming a machine
    "Meeting with Mr. Wong on March 5, 2025 about the MRI integration",  # care word after, not 'for'
    "Dott. Neri, responsabile IT, ci ha scritto il 12/03/2025 per il server referti",  # tool first, Italian
])
def test_a_person_and_a_date_without_care_are_not_phi(text):
    assert find_phi(text) == []


@pytest.mark.parametrize("text,lang,named", [
    ("MRN: 10-552-873 opens the wrong patient", "en", "medical record number"),
    ("Sig.ra Galli 14/02/1947 non vede i referti", "it", "data di nascita"),
    ("cartella clinica n. 2022/00918 non si apre", "it", "cartella clinica"),
    ("Mr. Okoye was seen on 02/14/2024", "en", "date of a visit"),
    ("la Sig.ra Conti, visita del 06.05.2024", "it", "data di una visita"),
])
def test_the_reason_for_a_new_format_names_the_kind_never_the_value(text, lang, named):
    reason = phi_reason(text, lang)
    assert reason is not None and named in reason
    for value in ("10-552-873", "552", "14/02/1947", "1947", "2022/00918", "00918", "Okoye", "02/14/2024",
                  "Conti", "06.05.2024"):
        assert value not in reason


def test_the_labelled_parts_are_well_formed_separate_and_balanced():
    """benchmarks/phi/: the held-back part keeps its promise (100+ texts, as many PHI as
    look-alikes, English and Italian) and shares no text with the development files or with
    the tables above."""
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "benchmarks" / "phi"
    parts = {}
    for name in ("dev", "dev_independent", "heldout", "heldout_independent"):
        rows = [json.loads(line) for line in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if "text" in r]
        assert all(isinstance(r["text"], str) and isinstance(r["kind"], str) and isinstance(r["phi"], bool)
                   and r["lang"] in ("en", "it") for r in rows)
        parts[name] = rows
    independent_held = parts["heldout_independent"]
    assert len(independent_held) >= 100 and sum(r["phi"] for r in independent_held) * 2 == len(independent_held)
    assert {r["lang"] for r in independent_held} == {"en", "it"}
    held = parts["heldout"] + independent_held
    assert len(held) >= 100 and sum(r["phi"] for r in held) * 2 == len(held)
    assert {r["lang"] for r in held} == {"en", "it"}
    assert len(parts["dev"]) >= 100
    held_texts = {r["text"] for r in held}
    assert not held_texts & {r["text"] for r in parts["dev"] + parts["dev_independent"]}
    independent = parts["dev_independent"]
    assert len(independent) >= 100 and sum(r["phi"] for r in independent) * 2 == len(independent)
    assert not any(t in Path(__file__).read_text(encoding="utf-8") for t in held_texts)
