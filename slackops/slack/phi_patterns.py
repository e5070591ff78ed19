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
# labelled, it may be written with any separator, dots too ("SS# 455.72.1068"), and a few words may
# stand between the label and the value ("search by SSN returns nothing for 619458827")
# (a bare "social" only right before its value: "social media posted 123456789 times" is none)
_SSN_WORD = (r"(?:SSN|S\.S\.N\.?|SS\s?(?:#|no\.?|num(?:ber)?)|social\s+sec(?:urity|\.)?(?:\s+(?:number|no\.?|#))?"
             r"|soc\.?\s*sec\.?(?:\s+(?:number|no\.?|#))?)")
SSN_LABEL = re.compile(
    r"(?<![\w.])(?:" + _SSN_WORD + r"(?:\s*[:#=]\s*|\s+)(?:(?P<gap>[^\d\n.;!?]{0,32}?)\s)?|social\s*[:#]?\s*)"
    r"(?<![\d-])\d{3}(?P<sep>[-. ]?)\d{2}(?P=sep)\d{4}(?![\d-]|\.\d)", re.I)

# ... or the label a few words after it, in the same sentence ("typed 389064412 into the SSN field")
SSN_LABEL_AFTER = re.compile(
    r"(?<![\w.-])\d{3}(?P<sep>[-. ]?)\d{2}(?P=sep)\d{4}(?![\d-]|\.\d)[^\d\n.;!?]{0,24}?(?<![\w])" + _SSN_WORD
    + r"(?!\w)", re.I)

# -- identifiers inside pasted EDI and HL7 messages -----------------------------------------
# X12 (eligibility 270/271, claims 837): DMG*D8*CCYYMMDD is the person's date of birth, REF*SY*
# their Social Security number; HL7 v2's PID segment carries the patient's identifiers
X12_DOB = re.compile(r"(?<![A-Z])DMG\*D8\*(?:19|20)\d{6}")
X12_SSN = re.compile(r"(?<![A-Z])REF\*SY\*\d{9}")
HL7_PID = re.compile(r"(?<![A-Z])PID\|[^|\n]*\|[^|\n]*\|?[^|\n]*\d{4,}")

# -- medical record, patient, chart and patient account numbers ----------------------------
_NO = r"(?:n\.?\s*[°º]|n[°º.]|nr\.?|no\.?|num\.?|number|numero|#|id)"
_ID_LABEL = (
    r"(?:"
    r"MRN|MR\s*#|med(?:ical)?\.?\s+rec(?:ord)?\.?(?:\s+" + _NO + r")?|hospital\s+" + _NO +
    r"|(?:patient|pt)\.?\s*(?:acc(?:oun)?t\.?\s*)?" + _NO +
    r"|(?:patient|pt)\.?\s+acc(?:oun)?t\.?(?:\s+(?:acc(?:oun)?t\.?|" + _NO + r"))?"
    # encounter, admission and visit numbers, and the account/encounter ids EHRs print
    # (HAR: hospital account record, FIN: financial number, CSN: contact serial number)
    r"|enc(?:ounter)?\.?(?:\s*" + _NO + r")?|(?:adm(?:ission)?|visit)\.?\s*" + _NO +
    r"|(?-i:HAR|FIN|CSN)(?:\s*" + _NO + r")?"
    # a patient named by a bare number ("patient 118734"); patients by a list of them ("pazienti
    # 118734, 118902 e 119015"): one bare number after the plural is a count ("20000 patients")
    r"|(?:patient|paziente)(?=\s+\d{5})|(?:patients|pazienti)(?=\s+\d{5,}\s*(?:,|and|e|&)\s*\d{5})"
    r"|chart(?:\s+" + _NO + r")?"
    r"|cartella(?:\s+clinica(?:\s+" + _NO + r")?|\s+" + _NO + r")"  # a bare "cartella" is a folder
    r"|" + _NO + r"\s*(?:di\s+)?cartella(?:\s+clinica)?"
    r"|(?:id|codice|cod\.)\s+(?:del\s+)?paziente|paziente\s+" + _NO +
    # numero nosologico (the admission number Italian hospitals print), ricovero, codice anagrafico
    r"|(?:" + _NO + r"\s*)?nosologico|(?:(?:id|codice|cod\.)\s+)?ricovero|" + _NO + r"\s+(?:di\s+)?ricovero"
    # lab accession and specimen numbers, HL7's patient id
    r"|accession(?:\s+" + _NO + r")?|specimen\s*" + _NO + r"|(?-i:PID)|pat\.?\s*" + _NO +
    r"|codic[ei]\s+anagrafic[oi]"
    # the emergency department's access number ("numero accesso PS 24 118 305")
    r"|(?:" + _NO + r"\s+(?:di\s+)?)?accesso\s+(?:al\s+)?(?-i:PS)|" + _NO + r"\s+(?:di\s+)?accesso"
    r")"
)
# the value: an optional prefix of letters, then digit groups joined by - . / or a space
# ("00-123-456", "4471.229", "2023/00451", "04 221 873", "CH-2291-77", "45-7782/B")
# ("E/0091/23", "KM/30918", "V20240315-0042", "2023R004419")
_ID_VALUE = (r"(?:(?-i:[A-Z]{1,3})\s?[-./]?\s?)?\d+(?:(?:[-./]|(?-i:[A-Z]{1,2}))\d+|\s\d{2,})*"
             r"(?:[-/]?(?-i:[A-Z])\b)?")  # a check letter after: "1234567A", "45-7782/B"
# between label and value: "#:", "is", "è" ("MRN#: 4455-2231", "il codice paziente è 0045-88123")
MRN = re.compile(r"(?<![\w])" + _ID_LABEL + r"(?:\s+(?:is|was|è|era)(?!\w))?\s*[:#=]{0,2}\s*(?:#\s*)?("
                 + _ID_VALUE + r")", re.I)
MRN_MIN_DIGITS = 5
# an account number is a patient's only when the sentence speaks of one ("Acct#: 7731-0042-19
# patient balance shows negative"); a customer's account is not PHI
ACCOUNT = re.compile(r"(?<![\w])acc(?:oun)?t\.?\s*(?:#|no\.?|num(?:ber)?)\s*[:#=]{0,2}\s*(" + _ID_VALUE + r")", re.I)
PATIENT_WORD = re.compile(r"(?i:\b(?:patients?|pt|pts|pazient[ei]|paz\.?|pz|ricoverat[oaie]|guarantor)\b)")

# -- dates ---------------------------------------------------------------------------------
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
          r"|gen(?:naio)?|febbraio|marzo|aprile|mag(?:gio)?|giu(?:gno)?|lug(?:lio)?|ago(?:sto)?|set(?:tembre)?"
          r"|ott(?:obre)?|novembre|dicembre|dic)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th|°|º)?"
_YEAR = r"(?:19|20)\d{2}"
# days and years in words, as dictation and transcription write them: "the twenty-first of
# January", "April second nineteen fifty", "primo agosto", "venticinque dicembre millenovecentoquaranta"
_EN_UNIT = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_EN_UNIT_TH = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_EN_TEEN = (r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
            r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth)")
_DAY_WORD = (
    r"(?:(?:twenty|thirty)(?:[\s-]?(?:" + _EN_UNIT_TH + "|" + _EN_UNIT + r"))?|twentieth|thirtieth|"
    + _EN_TEEN + "|" + _EN_UNIT_TH + "|" + _EN_UNIT +
    r"|primo|uno|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|undici|dodici|tredici|quattordici|quindici"
    r"|sedici|diciassette|diciotto|diciannove|venti|ventuno|ventidue|ventitr[eé]|ventiquattro|venticinque"
    r"|ventisei|ventisette|ventotto|ventinove|trenta|trentuno)"
)
_EN_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_YEAR_WORD = (
    r"(?:nineteen[\s-]+(?:hundred(?:\s+and)?\s+)?(?:" + _EN_TENS + r"(?:[\s-]" + _EN_UNIT + r")?|" + _EN_TEEN
    + r"|(?:oh[\s-])?" + _EN_UNIT + r")"
    r"|two\s+thousand(?:(?:\s+and)?\s+(?:" + _EN_TENS + r"(?:[\s-]" + _EN_UNIT + r")?|" + _EN_TEEN + "|"
    + _EN_UNIT + r"))?"
    r"|millenovecento[a-zé]*|duemila[a-zé]*)"
)
_DAY_ANY = r"(?:" + _DAY + r"|" + _DAY_WORD + r")"
_YEAR_ANY = r"(?:" + _YEAR + r"|" + _YEAR_WORD + r")"
DATE = (
    r"(?:"
    r"(?<![\d./-])\d{1,2}(?P<dsep>[/.-])\d{1,2}(?P=dsep)(?:19|20)?\d{2}(?![\d/.-]?\d)"  # 03/14/1962, 14.03.1962, 3-14-62
    r"|(?<![\d./-])" + _YEAR + r"(?P<ysep>[/.-])\d{1,2}(?P=ysep)\d{1,2}(?![\d/.-]?\d)"  # 1962-03-14, 1961/08/19
    r"|(?i:(?<![\w-])\d{1,2}(?P<msep>[-/ ]?)" + _MONTH + r"(?P=msep)(?:19|20)?\d{2}(?![\d/.-]?\d))"  # 14-Mar-1962
    r"|(?i:(?<![\w-])(?:the\s+)?" + _DAY_ANY + r"\s+(?:of\s+|de\s+|di\s+)?" + _MONTH + r",?\s+(?:del\s+)?"
    + _YEAR_ANY
    + r"\b)"  # 4 March 1957, the twelfth of May 1948
    r"|(?i:\b" + _MONTH + r"\s+" + _DAY_ANY + r",?\s+" + _YEAR_ANY + r"\b)"  # March 4, 1957; April second nineteen fifty
    r")"
)
# "chart 2024-03-14" is a chart of that day, not a record number ("MRN 44-55-12" is one)
# ... and "HAR 20250303-1" a file of that day: a compact date, with a short sequence number at most
DATE_ONLY = re.compile(r"\d{1,2}(?P<a>[/.-])\d{1,2}(?P=a)" + _YEAR + "|" + _YEAR + r"(?P<b>[/.-])\d{1,2}(?P=b)\d{1,2}"
                       r"|" + _YEAR + r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[-_.]\d{1,3})?")
# 'born', 'DOB', 'nata il', 'data di nascita', 'b.': a date after one is a date of birth
_DOB_WORD = (
    r"(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|birthday|b-?day|b\.|born"
    r"|nat[oaie](?:\s+(?:a|in)\s+(?-i:[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?))?(?:\s+(?:il|l'|nel))?"
    r"|data\s+(?:di\s+)?nascita|data\s+nasc\.?|d\.\s?n\.|nascita|compleanno|classe)"  # "classe 1949": born in 1949
)
# what may stand between a label and its date: linking words only ("data di nascita del paziente
# (1969-04-21)", "birthdate was entered as 05/30/2055"), never a noun of its own
_DOB_LINK = (r"(?:is|was|were|on|in|of|the|a|an|as|to|set|entered|recorded|shown|showing|listed|reads|says"
             r"|patient'?s?|pt|del|della|dello|dei|di|il|la|è|e'|era|come|paziente|pz|risulta|indicata|inserita"
             r"|registrata|scritta|:)")
DOB_LABEL = re.compile(
    r"(?<![\w.])(?i:" + _DOB_WORD + r")(?:\s+" + _DOB_LINK + r"(?!\w)){0,4}\s*(?:[:=,(]|\s[-–]\s)?\s*(?:on\s+)?" + DATE)

# -- a person next to a date ---------------------------------------------------------------
_TITLE = (r"(?i:mrs?|ms|miss|mx|mister|dr|pt|ing|avv|rag|geom|sig(?:\.?\s?(?:ra|na))?|signor[ae]?|signorina|dott(?:\.?ssa)?|dr\.?ssa"
          r"|prof(?:\.?ssa)?)")
# Smith, O'Brien, D’Amico, McKay, Lloyd-Jones; after a title also "De Luca", "van der Berg"
_WORD = r"(?:[A-Z]['’]|Ma?c)?[A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?"
_PARTICLES = r"(?:(?:van|von|der|den|de|di|da|del|della|dos|le|la)\s+){0,2}"
_INITIALS = r"(?:[A-Z]\.\s?){1,3}"
_GAP = r"[ \t,;:(\[–—-]{1,5}"  # punctuation only: "Mr. Jones reported on 03/14/2024" is not one
# "Mr. J. Smith 03/14/1962", "Sig.ra Bianchi 12/03/1958", "Mrs Dunn (04/22/1939)"
TITLE_DATE = re.compile(r"(?<![\w.])" + _TITLE + r"\.?\s+(?:" + _INITIALS + r"\s*)?" + _PARTICLES + _WORD +
                        r"(?:\s+(?:" + _INITIALS + r"\s*)?" + _WORD + r"){0,2}" + _GAP + DATE)
# a patient by initials alone, as notes and tickets write them ("pt J.K. 01/08/2024", "R.D. seen
# 12/4/23 for f/u", "Paziente M.G. 07/05/2024"): only where the text speaks of a patient or of care,
# never for the initials of a staff member ("reviewed by J.K. 01/08/2024") or an abbreviation
ONLY_INITIALS_DATE = re.compile(
    r"(?<![\w.])(?!(?:A\.M|P\.M|U\.S|U\.K|E\.U|P\.S|N\.B|Q\.A|I\.T|D\.O\.B|R\.E|C\.C)\.(?!\s?[A-Z]\.))"
    r"(?-i:[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?)\s*[:,(–-]?\s*(?i:(?:seen|visto|vista|visitat[oa]|on|il|del|dos)\s+)?"
    + DATE)
STAFF_BEFORE = re.compile(r"(?i:\b(?:by|da|from|di|signed|reviewed|approved|author|authored|dev|owner|cc|to|per)\W{0,3}$)")
# "J.R. Thompson 06-17-1955"
INITIALS_DATE = re.compile(r"(?<![\w.])" + _INITIALS + r"\s*" + _WORD + _GAP + DATE)
# "John Smith 03/04/1985", "Smith, John (1985-03-04)": two capitalised words close to a date
NAME_DATE = re.compile(r"\b[A-Z][a-z]+,?\s+(?:[A-Z]['’])?[A-Z][a-z]+\b(?P<gap>[^\n\d]{0,20}?)\(?" + DATE)
NAME_WORDS_NOT_NAMES = frozenset({
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Since", "Release", "Version", "Deployed", "Started", "Until", "From",
    # a title is the title rule's business, which wants no words between the name and the date
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Pt", "Sig", "Sigra", "Signor", "Signora", "Dott", "Prof",
})

# -- a patient next to the date of a visit, a stay or a test (HIPAA: any date of care) -----
# a person by title or initials ("Mr. Hendricks", "Sig.ra Esposito", "A. M. Kowalski", "Miss
# Carter's") and a date in the same sentence, close on either side, with no number between ...
PERSON = re.compile(r"(?<![\w.])(?:" + _TITLE + r"\.?\s+(?:" + _INITIALS + r"\s*)?" + _PARTICLES + _WORD + r"(?:\s+" + _WORD
                    + r")?|" + _INITIALS + r"\s*" + _WORD + r")(?:['’]s?)?")
DATE_RE = re.compile(DATE)
CARE_GAP = re.compile(r"(?:(?!\.\s)[^\d\n!?;]){0,45}")  # within a sentence, no other number
# ... and a word of care in that sentence: "Mrs. Lane reported on 02/11/2025" names a caller
CARE_WORD = re.compile(
    r"\b(?:(?i:seen|visit(?:s|ed)?|admit(?:s|ted)?|admission|discharg\w*|appointments?|appt|infusion|surgery"
    r"|operated|procedure|encounter|date\s+of\s+service|referral|lab|blood\s*(?:draw|work|test)|scan"
    r"|x-?ray|MRI|ultrasound|vaccin\w*|immuni[sz]ation|injection|transfusion|consultation|exam(?:ination)?"
    r"|treated|treatment|therapy|dialysis|chemo\w*|prescri\w*|medication|(?:progress|clinical|nursing|op|consult|visit|discharge)\s+notes?"
    r"|triage|check-?up|follow-?up|deceased|died|hospitali[sz]ed|inpatient|outpatient|biopsy|mammogram"
    r"|colonoscopy|screening|administered|flu\s+shot"
    r"|visit[ae]|visitat[oaie]|ricover\w*|dimess[oaie]|dimission\w*|ammess[oaie]|operat[oaie]|intervento"
    r"|esam[ei]|referti?|prelievo|analisi|terapia|infusione|trasfusione|consulenza|ecografia|risonanza"
    r"|radiografia|pronto\s+soccorso|prestazione|appuntamento|decedut[oaie]|dialisi|chemioterapia"
    r"|prescrizione|ricetta|degenza|parto|biopsia|colonscopia|mammografia|somministrat[oaie])"
    r"|DOS|CT|TAC|RX|PS|ECG|EKG)\b")  # abbreviations only as written: "ps" and "ct" are other words too
# ... unless the word names a part of the software or a team ("the discharge template", "il
# modulo referti", "the lab team") ...
CARE_TOOL = re.compile(
    r"(?i:(?:template|module|form|team|printer|screen|report|workflow|queue|tab|field|page|view|menu|settings"
    r"|interface|feed|print(?:ing|out)?|server|system|integration|software|app|application|device|machine|scanner|analy[sz]er"
    r"|modulo|campo|schermata|stampante|pagina|menù|impostazioni|elenco|sistema|integrazione|macchina"
    r"|dispositivo|stampa)s?\b)")
# Italian puts the tool first: "il server referti", "la stampa dei referti"
CARE_TOOL_BEFORE = re.compile(
    r"(?i:\b(?:modul[oi]|camp[oi]|schermat[ae]|stampant[ei]|stamp[ae]|pagin[ae]|elenc[oh]i?|sistem[ai]|server"
    r"|integrazion[ei]|macchin[ae]|dispositiv[oi]|report|template|team)\s+(?:(?:dei|delle|degli|di|del|della)\s+)?$)")
# ... or the person is the one acting on the software, or a caller ("Dr. Patel signed the discharge template
# on ...", "il dott. Galli ha aggiornato ...": a clinician or a user, not a patient)
ACTOR = re.compile(
    r"(?:^|\s)(?i:(?:has|had|ha|aveva)\s+)?(?i:signed|updated|changed|edited|created|configured|approved|reported"
    r"|uploaded|logged|sent|installed|set\s+up|wrote|asked|called|emailed|requested|noticed|opened"
    r"|said|says|started|joined|left|ha\s+detto|iniziato"
    r"|chiesto|scritto|chiamato|notato|aperto|richiesto|firmato|aggiornato|modificato|creato|configurato|approvato"
    r"|segnalato|caricato|inviato|installato|impostato)\b")
# "Ms. Nguyen called re: her 4/22/2024 colonoscopy bill": the date is the person's, of care
POSSESSED_CARE_DATE = re.compile(
    r"(?<![\w.])" + _TITLE + r"\.?\s+" + _PARTICLES + _WORD + r"[^\n.!?;\d]{0,40}?\b(?i:her|his|their|la\s+sua|il\s+suo|sua|suo)\s+"
    + DATE + r"\s+")
# after the date, what it was for: "Mr. Park came in on 02/10/2024 for his follow-up"
CARE_FOR = re.compile(r"\s*,?\s*(?:for|per)\s+(?:(?:his|her|their|a|an|the|il|la|lo|l'|una?|sua|suo)\s+)?")
SENTENCE_END = re.compile(r"(?<=[a-zà-ÿ]{3})[.!?;]\s|[!?;\n]")

CAPITALISED = re.compile(r"[A-Z][a-z]+")
DIGIT = re.compile(r"\d")
# every pattern needs a digit or a year written in words: most text is settled by these scans
YEAR_IN_WORDS = re.compile(r"(?i:nineteen|two\s+thousand|millenovecento|duemila)")
