# i18n-exempt-file: regexes and word lists that match Vietnamese input (data, not messages)
"""Personal data masked out of a case's texts before they are shown in public.

A resident's feedback and the commune's answer are published (Law 10/2022 Art
35.2.a), but the people in them are not: names, phone numbers, email addresses,
identity card numbers, household codes and house numbers become "***" on every
public page. A denouncer's identity is protected by law (Denunciation Law 2018 Art
47), and whoever a resident names in a letter should not be found by searching the
commune's website. Staff see the text as written.

Masking by pattern is a safety net, not a guarantee: the filer's own name, phone,
email, household code and address are passed in `known` and masked wherever they
appear. The patterns err on the side of masking, with these exceptions, kept so a
public answer still says where the problem is:
- a name right after a street or district word ("đường Lê Lợi", "phố Bà Triệu",
  "quận Hoàng Mai") is a place. After "xã", "thôn" or "phường" it is not taken as
  a place, since "cán bộ xã Nguyễn Văn A" names a person;
- lane and alley numbers ("ngõ 5", "hẻm 12/3") are places many households share;
  only the house number ("số 12 ngõ 5", "số nhà 34", "12/3 đường ...") is masked,
  and only before a street word or after "số nhà": "số 12" alone may be a decision's;
- "Hà Nội", "Hồ Chí Minh" and "Bác Hồ" are never names to hide.
Pure: no I/O.
"""

import re
import unicodedata
from collections.abc import Iterable

from shared.contracts.households import normalize_phone
from shared.ids import CODE_ALPHABET

MASK = "***"

# --- by pattern ---

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # from a word's start: linear

# 0 or (+)84 and 9-10 more digits, in any groups: "0912 345 678", "0912.345.678",
# "+84 912345678", "84912345678", "(84) 912 345 678", "024 3825 1234". Not part of
# a longer number, so dates and amounts ("05.06.2026 10.30", "1.000.000") stay.
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[.\-])"
    r"(?:\(?\+?84\)?[ .\-]?|0)"
    r"\d(?:[ .\-]?\d){8,9}"
    r"(?![ .\-]?\d)"
)

# A citizen identity card (CCCD, 12 digits) or an old identity card (CMND, 9),
# written as one run of digits.
ID_NUMBER = re.compile(r"(?<![\w.,])(?:\d{12}|\d{9})(?![\w]|[.,]\d)")

# A household code (shared/ids.py) in capitals with at least one letter and one
# digit: "HA7K2M". Codes of letters only look like acronyms ("UBND", "MTTQ") and
# are masked only after "mã hộ" (or when known).
HOUSEHOLD_CODE = re.compile(
    rf"(?<!\w)(?=[{CODE_ALPHABET}]*\d)(?=[{CODE_ALPHABET}]*[A-Z])[{CODE_ALPHABET}]{{4,12}}(?!\w)"
)
AFTER_HOUSEHOLD_WORD = re.compile(
    rf"(?<!\w)mã\s+(?:số\s+)?hộ(?:\s+gia\s+đình)?\s*:?\s*([{CODE_ALPHABET}]{{4,12}})(?!\w)",
    re.IGNORECASE,
)

# A house number: "12", "12A", "12/3", "12/3B".
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_STREET_WORD = r"(?i:ngõ|ngách|hẻm|kiệt|đường|phố)(?!\w)"
# "số nhà 34", "nhà số 34/5"
AFTER_HOUSE_WORD = re.compile(rf"(?i:(?<!\w)(?:số\s+nhà|nhà\s+số)\s*:?\s*)({_NUMBER})(?!\w)")
# "số 12 ngõ 5", "số 12, đường Lê Lợi"
NUMBERED_BEFORE_STREET = re.compile(rf"(?i:(?<!\w)số\s+)({_NUMBER})(?=,?\s+{_STREET_WORD})")
# "12/3 đường ..." (a slash: not "3 đường ống"), but not the date in "ngày 12/3 đường ..."
SLASHED_BEFORE_STREET = re.compile(
    rf"(?<![\w/])(?<!(?i:ngày) )(\d+[A-Za-z]?/{_NUMBER})(?=,?\s+{_STREET_WORD})"
)

# A personal name: a title and capitalised words ("anh Tuấn", "bà Nguyễn Thị B"),
# or a common family name and capitalised words ("Trần Văn Hùng"). Streets and
# districts are named after people too: capitalised words after PLACE_WORDS stay.
TITLES = "ông|bà|anh|chị|em|cô|chú|bác"
FAMILY_NAMES = (
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đinh|"
    "Trương|Lương|Mai|Cao|Đoàn|Lâm|Hà|Tạ|Thái|Kiều|Quách|Văn|Đào|Trịnh|Tô|Chu|La|"
    # typed without accents (the short ones, "Do", "Ha", "To"..., are words too)
    "Nguyen|Tran|Le|Pham|Hoang|Huynh|Vu|Vo|Dang|Bui|Ngo|Duong|Dinh|Truong|Luong|Doan|Trinh"
)
PLACE_WORDS = "đường|phố|ngõ|ngách|hẻm|kiệt|quận|huyện|tỉnh|tp"
# Where a run of capitalised words starts: after a place word (and its number:
# "ngõ 5 Nguyễn Trãi"), a title, or a family name.
NAME_START = re.compile(
    rf"(?<!\w)(?:(?P<place>(?i:{PLACE_WORDS})\.?(?:\s+{_NUMBER})?)"
    rf"|(?P<title>(?i:{TITLES}))|(?P<family>{FAMILY_NAMES}))(?!\w)"
)
NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
# Capitalised words that are roles, not names ("ông Chủ tịch", "bà Trưởng thôn").
ROLE_WORDS = frozenset({"Chủ", "Phó", "Trưởng", "Bí", "Tổ", "Cán", "Giám"})
NOT_PERSONAL = ("Hà Nội", "Hồ Chí Minh", "Bác Hồ")


def mask_personal_data(text: str, known: Iterable[str] = ()) -> str:
    """`text` with the filer's `known` details and anything that looks like
    personal data replaced by MASK."""
    text = unicodedata.normalize("NFC", text)  # phones send accents decomposed too
    text = mask_known(text, known)
    text = EMAIL.sub(MASK, text)
    text = PHONE.sub(MASK, text)
    text = ID_NUMBER.sub(MASK, text)
    text = mask_household_codes(text)
    text = mask_house_numbers(text)
    return mask_names(text)


def mask_known(text: str, known: Iterable[str]) -> str:
    """Each of `known` wherever it appears, ignoring case and spacing; a phone number
    however it is written."""
    patterns = [_known_pattern(value) for value in sorted(known, key=len, reverse=True)]
    for pattern in filter(None, patterns):
        text = re.sub(rf"(?<!\w){pattern}(?!\w)", MASK, text, flags=re.IGNORECASE)
    return text


def _known_pattern(value: str) -> str | None:
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) < 3:  # "An" or "A" would mask every other word
        return None
    try:
        phone = normalize_phone(value)
    except ValueError:
        return r"\s+".join(re.escape(word) for word in value.split())
    # "0912345678" as "+84 912 345 678", "0912.345.678", ...
    return r"(?:\(?\+?84\)?[ .\-]?|0)" + r"[ .\-]?".join(phone[1:])


def mask_household_codes(text: str) -> str:
    text = AFTER_HOUSEHOLD_WORD.sub(lambda found: _masked_group(found, 1), text)
    return HOUSEHOLD_CODE.sub(MASK, text)


def mask_house_numbers(text: str) -> str:
    for pattern in (AFTER_HOUSE_WORD, NUMBERED_BEFORE_STREET, SLASHED_BEFORE_STREET):
        text = pattern.sub(lambda found: _masked_group(found, 1), text)
    return text


def mask_names(text: str) -> str:
    """A title's capitalised words (1-4) or a family name with 1-3 capitalised words
    after it, unless they name a place (see the module's docstring)."""
    parts: list[str] = []
    done = 0  # text[:done] is in `parts`
    for found in NAME_START.finditer(text):
        if found.start() < done:  # inside a name already masked or kept
            continue
        public = next((p for p in NOT_PERSONAL if _starts_with(text, found.start(), p)), "")
        if public:
            end = found.start() + len(public)
        else:
            end = _name_words_end(text, found.end(), 3 if found["family"] else 4)
            if end == found.end():
                continue  # no capitalised word after it
        if public or found["place"]:
            parts.append(text[done:end])  # kept as written, with its words
        elif found["title"]:
            parts.append(text[done : found.end()] + " " + MASK)  # "bà ***"
        else:
            parts.append(text[done : found.start()] + MASK)
        done = end
    return "".join(parts) + text[done:]


def _name_words_end(text: str, position: int, most: int) -> int:
    """Where the run of (at most `most`) capitalised words after `position` ends."""
    end = position
    for _ in range(most):
        word = NEXT_WORD.match(text, end)
        if not word or not _is_name_word(word[1]):
            break
        end = word.end()
    return end


def _is_name_word(word: str) -> bool:
    """Capitalised, the rest in small letters ("Đức", "A"; not "UBND"); Vietnamese
    capitals (Đ, Ô, Ư, Ắ...) are not in [A-Z], hence str methods."""
    rest = word[1:]
    return word[0].isupper() and (not rest or rest.islower()) and word not in ROLE_WORDS


def _starts_with(text: str, position: int, phrase: str) -> bool:
    end = position + len(phrase)
    return text[position:end].lower() == phrase.lower() and not text[end : end + 1].isalnum()


def _masked_group(found: re.Match[str], group: int) -> str:
    """The match with only `group` masked: "số nhà 34" → "số nhà ***"."""
    start, end = found.span(group)
    whole = found[0]
    return whole[: start - found.start()] + MASK + whole[end - found.start() :]
