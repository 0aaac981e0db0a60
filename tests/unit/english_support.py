"""What the English page tests of every area read: the text a reader sees."""

import re
from html import unescape


def text_of(html: str) -> str:
    """What a reader sees: no tags, no scripts, spaces collapsed."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def assert_english(html: str, english: list[str], vietnamese: list[str]) -> None:
    seen = text_of(html)
    for words in english:
        assert words in seen, words
    for words in vietnamese:
        assert words not in seen, words
