"""Two languages through gettext catalogs managed with Babel.

Vietnamese is the source language: every message is written in Vietnamese inside
a translation call, extracted into `shared/locale/messages.pot`, and translated
in `shared/locale/en/LC_MESSAGES/messages.po` (compiled to `.mo` at install by
`python -m deploy.i18n compile`). The language of the person being served is a
context variable the gateway sets per request; services never set it, so what
they say is Vietnamese, and the gateway translates it on arrival (`translate`).

In code:
- `_("...")` translates now, in the current language (functions, the gateway);
- `N_("...")` only marks a message for the catalog (module constants, messages a
  service sends or stores); it is translated where it is shown, with `translate`;
- placeholders are `{name}`, filled after translation: `_("Hộ {code}").format(code=c)`;
- a short word with two senses takes a context: `pgettext("tình trạng", "Không")`.
In templates: `{{ _("...") }}` or `{% trans %}...{% endtrans %}` (Jinja's i18n).
"""

import gettext
import re
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

VIETNAMESE, ENGLISH = "vi", "en"
LANGUAGES = (VIETNAMESE, ENGLISH)
DEFAULT = VIETNAMESE
LANGUAGE_NAMES = {VIETNAMESE: "Tiếng Việt", ENGLISH: "English"}  # i18n-exempt: own names
LOCALE_DIR = Path(__file__).parent / "locale"
BABEL_LOCALE = {VIETNAMESE: "vi", ENGLISH: "en_GB"}  # en_GB writes 5 Dec 2026

_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def supported(language: str | None) -> str:
    """The language asked for if we have it, else Vietnamese."""
    return language if language in LANGUAGES else DEFAULT


def use(language: str | None) -> None:
    """Serve the rest of this request (this context) in `language`."""
    _language.set(supported(language))


def current() -> str:
    return _language.get()


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog; compiled from the `.po` in memory if no `.mo` is newer."""
    if language == DEFAULT:
        return gettext.NullTranslations()  # the messages are Vietnamese already
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    mo, po = folder / "messages.mo", folder / "messages.po"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        buffer = BytesIO()
        with po.open("rb") as source:
            write_mo(buffer, read_po(source, locale=language))
        data = buffer.getvalue()
    return gettext.GNUTranslations(BytesIO(data))


def _(message: str) -> str:
    """`message` (Vietnamese, a literal) in the current language."""
    return catalog(current()).gettext(message) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    return catalog(current()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the sense `context` gives it ("Không" as "No", or as "None")."""
    return catalog(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet."""
    return message


# --- text that crossed the wire or was stored, already formatted in Vietnamese ---

_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
_VN_DAY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
# A moment as shared.calendar.vietnam_time writes it in Vietnamese, read back.
_VN_MOMENT = re.compile(r"^(\d{2}:\d{2}) ngày (\d{2})/(\d{2})/(\d{4})$")  # i18n-exempt: read


@cache
def _patterns(language: str) -> list[tuple[re.Pattern[str], str]]:
    """Every catalog message with placeholders, as a pattern that recognises it filled
    in, longest literal text first (the most specific wins)."""
    translations = catalog(language)
    found = []
    for msgid in getattr(translations, "_catalog", {}):
        if not isinstance(msgid, str) or "{" not in msgid or not msgid:
            continue
        parts, names, position = [], [], 0
        for match in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[position : match.start()]))
            name = match.group(1)
            parts.append(f"(?P<{name}>.+?)" if name not in names else f"(?P={name})")
            names.append(name)
            position = match.end()
        if not names:
            continue
        parts.append(re.escape(msgid[position:]))
        literal = len(_PLACEHOLDER.sub("", msgid))
        found.append((literal, re.compile("^" + "".join(parts) + "$", re.S), msgid))
    found.sort(key=lambda item: -item[0])
    return [(pattern, msgid) for _, pattern, msgid in found]


def _filled_value(value: str) -> str:
    """A value found inside a message: a known message or a day is shown the reader's way."""
    day = _VN_DAY.match(value)
    if day:
        return format_day(date(int(day[3]), int(day[2]), int(day[1])))
    moment = _VN_MOMENT.match(value)
    if moment:
        return f"{moment[1]}, {format_day(date(int(moment[4]), int(moment[3]), int(moment[2])))}"
    # Only an exact message: a pattern would also "translate" what people typed.
    return catalog(current()).gettext(value)


def translate(text: str | None) -> str:
    """Text a service sent or stored (Vietnamese, maybe with values filled in), in the
    current language: the catalog's own entry, or the entry it was filled from."""
    if not text or current() == DEFAULT:
        return text or ""
    translations = catalog(current())
    direct = translations.gettext(text)
    if direct != text:
        return direct
    for pattern, msgid in _patterns(current()):
        match = pattern.match(text)
        if match:
            return _filled(translations.gettext(msgid), match.groupdict())
    return text


def _filled(message: str, found: dict[str, str]) -> str:
    values = {name: _filled_value(value) for name, value in found.items()}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), message)


# --- dates and numbers, per locale ---


def format_day(value: date | datetime | None) -> str:
    """Vietnamese: 05/12/2026; English: 5 Dec 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        from shared.calendar import VIETNAM  # a moment's day is its day in Vietnam

        value = (value.astimezone(VIETNAM) if value.tzinfo else value).date()
    if current() == VIETNAMESE:
        return value.strftime("%d/%m/%Y")
    return format_date(value, "d MMM y", locale=BABEL_LOCALE[current()])


def format_moment(value: datetime | None) -> str:
    """Vietnamese: 05/12/2026 15:04; English: 5 Dec 2026, 15:04 (Vietnam's time)."""
    if value is None:
        return ""
    from shared.calendar import VIETNAM

    value = value.astimezone(VIETNAM) if value.tzinfo else value
    if current() == VIETNAMESE:
        return value.strftime("%d/%m/%Y %H:%M")
    return format_datetime(value, "d MMM y, HH:mm", locale=BABEL_LOCALE[current()])


def format_number(value: int | float | None) -> str:
    """Vietnamese: 1.234; English: 1,234."""
    if value is None:
        return ""
    return format_decimal(value, locale=BABEL_LOCALE[current()])
