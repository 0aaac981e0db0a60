"""The message catalogs are complete and in step with the code, and the language
a person is served in follows their choice (issue #17, point 1)."""

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from babel.messages.pofile import read_po
from starlette.datastructures import Headers

from deploy import i18n as catalogs
from gateway import language
from shared import i18n


def english_catalog():
    with catalogs.ENGLISH.open("rb") as source:
        return read_po(source, locale="en")


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    catalog = english_catalog()
    untranslated = [m.id for m in catalog if m.id and not all(_strings(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} without English, e.g. {untranslated[:5]}"
    assert not fuzzy, f"fuzzy entries: {fuzzy[:5]}"


def _strings(string):
    return string if isinstance(string, tuple) else (string,)


def test_translations_keep_the_placeholders_of_their_message():
    problems = [
        (message.id, str(error))
        for message, errors in english_catalog().check()
        for error in errors
    ]
    assert not problems, problems[:5]


def test_the_catalog_holds_every_message_of_the_code_and_templates(tmp_path):
    """A message added to the code without `python -m deploy.i18n sync` fails here."""
    template = tmp_path / "messages.pot"
    catalogs.extract(template)
    with template.open("rb") as source:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in english_catalog() if m.id}
    assert not wanted - have, f"not in the catalog: {sorted(wanted - have)[:5]}"


def test_no_vietnamese_text_outside_a_translation_call():
    found = catalogs.lint([])
    assert not found, "\n".join(found[:20])


def test_the_linter_finds_vietnamese_outside_translation_calls(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        '{{ _("Đã gửi") }} {% trans n=2 %}Có {{ n }} hộ{% endtrans %}\n<p>Bỏ phiếu</p>\n'
        '<input placeholder="Họ tên">'
    )
    module = tmp_path / "module.py"
    module.write_text(
        '"""Tài liệu."""\nfrom shared.i18n import _\nA = _("Đúng")\nB = "Sai rồi"\n'
        'C = "dữ liệu"  # i18n-exempt: a regex\n'
    )
    found = [line.split(": ", 1)[1] for line in catalogs.lint([str(template), str(module)])]
    # the text after the trans block comes as one piece; the docstring, the calls and
    # the exempt line pass
    assert found == ['<p>Bỏ phiếu</p>\n<input placeholder="Họ tên">', "Sai rồi"]


def test_the_catalogs_compile():
    result = subprocess.run(
        [sys.executable, "-m", "deploy.i18n", "compile"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("en-US", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("fr-FR", "vi"),  # unknown: Vietnamese
        ("", "vi"),
        ("en;q=abc", "vi"),
    ],
)
def test_a_first_visit_follows_the_browser(header, expected):
    assert language.from_accept_language(header) == expected


def test_the_chosen_language_wins_over_the_browser_and_an_unknown_one_falls_back():
    headers = Headers({"accept-language": "en"})
    assert language.chosen(headers, {language.COOKIE: "vi"}) == "vi"
    assert language.chosen(Headers({}), {language.COOKIE: "xx"}) == "vi"
    assert i18n.supported("klingon") == "vi"


def test_days_and_numbers_are_written_the_readers_way():
    day = date(2026, 12, 5)
    i18n.use("vi")
    assert (i18n.format_day(day), i18n.format_number(1234)) == ("05/12/2026", "1.234")
    # 20:41 UTC on 5 December is 6 December in Vietnam
    assert i18n.format_moment(datetime(2026, 12, 5, 20, 41, tzinfo=UTC)) == "06/12/2026 03:41"
    i18n.use("en")
    try:
        assert (i18n.format_day(day), i18n.format_number(1234)) == ("5 Dec 2026", "1,234")
        assert i18n.format_moment(datetime(2026, 12, 5, 20, 41, tzinfo=UTC)) == "6 Dec 2026, 03:41"
    finally:
        i18n.use("vi")


def test_a_filled_message_from_a_service_is_translated_with_its_values():
    i18n.use("en")
    try:
        assert i18n.translate("Quá dài: tối đa 20 ký tự.") == "Too long: at most 20 characters."
        assert i18n.translate("Vui lòng điền mục này.") == "Please fill in this field."
        unknown = "Một câu không có trong danh mục"
        assert i18n.translate(unknown) == unknown
    finally:
        i18n.use("vi")
    assert i18n.translate("Quá dài: tối đa 20 ký tự.") == "Quá dài: tối đa 20 ký tự."
