"""The patterns behind :mod:`slackops.slack.phi`, in English and Italian.

Each one needs a cue beside the value: a label ("MRN", "cartella clinica n.", "DOB",
"nata il"), a person's title or initials, or a name. A bare number or a bare date is never
PHI on its own here (orders, builds, releases and tickets are numbers and dates too), with
one exception: a Social Security number written with its separators.
"""

from __future__ import annotations

import re

# -- Social Security numbers ---------------------------------------------------------------
# unlabelled, an SSN is written with its separators (123-45-6789, 123 45 6789); nine bare
# digits are one only next to a label ("SSN 123456789"): ids, orders and cases are digits too
SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
# ... and not when the text names it as something else: "Job 825-25-4393", "case 302-72-6844"
NOT_SSN_BEFORE = re.compile(
    r"(?:order|ticket|case|job|serial|invoice|incident|ref|reference|build|tracking|part|sku|code|shipment|"
    r"request|run)\W{0,3}(?:no\.?|num(?:ber)?|#|id)?\W{0,3}$", re.I)
SSN_LABEL = re.compile(r"\b(?:SSN|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*\d{9}\b", re.I)

# -- medical record, patient, chart and patient account numbers ----------------------------
_NO = r"(?:n\.?\s*[°º]|n[°º.]|nr\.?|no\.?|num\.?|number|numero|#|id)"
_ID_LABEL = (
    r"(?:"
    r"MRN|MR\s*#|medical\s+record(?:\s+" + _NO + r")?|hospital\s+" + _NO +
    r"|(?:patient|pt)\.?\s*(?:acc(?:oun)?t\.?\s*)?" + _NO + r"|(?:patient|pt)\.?\s+acc(?:oun)?t\.?"
    r"|chart(?:\s+" + _NO + r")?"
    r"|cartella(?:\s+clinica(?:\s+" + _NO + r")?|\s+" + _NO + r")"  # a bare "cartella" is a folder
    r"|" + _NO + r"\s*(?:di\s+)?cartella(?:\s+clinica)?"
    r"|(?:id|codice|cod\.)\s+(?:del\s+)?paziente|paziente\s+" + _NO +
    r")"
)
# the value: an optional prefix of letters, then digit groups joined by - . / or a space
# ("00-123-456", "4471.229", "2023/00451", "04 221 873", "CH-2291-77", "45-7782/B")
_ID_VALUE = r"(?:(?-i:[A-Z]{1,3})\s?[-.]?\s?)?\d[\d]*(?:[-./]\d+|\s\d{2,})*(?:/[A-Z]\b)?"
MRN = re.compile(r"(?<![\w])" + _ID_LABEL + r"\s*[:#=]?\s*(?:#\s*)?(" + _ID_VALUE + r")", re.I)
MRN_MIN_DIGITS = 5

# -- dates ---------------------------------------------------------------------------------
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
          r"|gen(?:naio)?|febbraio|marzo|aprile|mag(?:gio)?|giu(?:gno)?|lug(?:lio)?|ago(?:sto)?|set(?:tembre)?"
          r"|ott(?:obre)?|novembre|dicembre|dic)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th|°|º)?"
_YEAR = r"(?:19|20)\d{2}"
DATE = (
    r"(?:"
    r"(?<![\d./-])\d{1,2}(?P<dsep>[/.-])\d{1,2}(?P=dsep)(?:19|20)?\d{2}(?![\d/.-]?\d)"  # 03/14/1962, 14.03.1962, 3-14-62
    r"|(?<![\d./-])" + _YEAR + r"(?P<ysep>[/.-])\d{1,2}(?P=ysep)\d{1,2}(?![\d/.-]?\d)"  # 1962-03-14, 1961/08/19
    r"|(?i:(?:the\s+)?" + _DAY + r"\s+(?:of\s+|de\s+|di\s+)?" + _MONTH + r",?\s+" + _YEAR + r")"  # 4 March 1957
    r"|(?i:" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r")"  # March 4, 1957
    r")"
)
# "chart 2024-03-14" is a chart of that day, not a record number ("MRN 44-55-12" is one)
DATE_ONLY = re.compile(r"\d{1,2}(?P<a>[/.-])\d{1,2}(?P=a)" + _YEAR + "|" + _YEAR + r"(?P<b>[/.-])\d{1,2}(?P=b)\d{1,2}")
# 'born', 'DOB', 'nata il', 'data di nascita', 'b.': a date after one is a date of birth
_DOB_WORD = (
    r"(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|birthday|b\.|born"
    r"|nat[oaie](?:\s+(?:a|in)\s+(?-i:[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?))?(?:\s+(?:il|l'|nel))?"
    r"|data\s+(?:di\s+)?nascita|data\s+nasc\.?|d\.\s?n\.)"
)
DOB_LABEL = re.compile(
    r"(?<![\w.])(?i:" + _DOB_WORD + r")(?:\s+(?:is|was|on|in|:))*\s*[:=,]?\s*(?:on\s+)?" + DATE)

# -- a person next to a date ---------------------------------------------------------------
_TITLE = (r"(?i:mrs?|ms|miss|mx|dr|pt|sig(?:\.?\s?(?:ra|na))?|signor[ae]?|signorina|dott(?:\.?ssa)?|dr\.?ssa"
          r"|prof(?:\.?ssa)?)")
_WORD = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
_INITIALS = r"(?:[A-Z]\.\s?){1,3}"
_GAP = r"[ \t,;:(\[–—-]{1,5}"  # punctuation only: "Mr. Jones reported on 03/14/2024" is not one
# "Mr. J. Smith 03/14/1962", "Sig.ra Bianchi 12/03/1958", "Mrs Dunn (04/22/1939)"
TITLE_DATE = re.compile(r"(?<![\w.])" + _TITLE + r"\.?\s+(?:" + _INITIALS + r"\s*)?" + _WORD +
                        r"(?:\s+(?:" + _INITIALS + r"\s*)?" + _WORD + r"){0,2}" + _GAP + DATE)
# "J.R. Thompson 06-17-1955"
INITIALS_DATE = re.compile(r"(?<![\w.])" + _INITIALS + r"\s*" + _WORD + _GAP + DATE)
# "John Smith 03/04/1985", "Smith, John (1985-03-04)": two capitalised words close to a date
NAME_DATE = re.compile(r"\b[A-Z][a-z]+,?\s+[A-Z][a-z]+\b[^\n\d]{0,20}?\(?" + DATE)
NAME_WORDS_NOT_NAMES = frozenset({
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Since", "Release", "Version", "Deployed", "Started", "Until", "From",
    # a title is the title rule's business, which wants no words between the name and the date
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Pt", "Sig", "Sigra", "Signor", "Signora", "Dott", "Prof",
})
CAPITALISED = re.compile(r"[A-Z][a-z]+")
DIGIT = re.compile(r"\d")
