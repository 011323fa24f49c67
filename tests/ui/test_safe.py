"""ui/safe.md: user text shown through Markdown can neither format nor link.

Streamlit renders Markdown with remark-gfm. Its autolink literals (``https://…``, ``www.…``, ``a@b.co``) are
found in the text after backslash escapes are resolved, so these tests model what that transform sees: the
escaped text with its escapes resolved. tests/browser/test_user_text.py checks the same in Chromium.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ui.safe import WORD_JOINER, md, unlinked

EVIL = ["https://evil.example/x", "www.evil.example", "mailto:a@b.co", "a@b.co", "[x](https://e.example)",
        "<https://e.example>", "HTTP://UP.EXAMPLE", "WwW.mixed.example", "xmpp:a@b.co/home",
        "see (www.evil.example).", "x@y.example, z@w.example"]

# remark-gfm's literal patterns (mdast-util-gfm-autolink-literal), with JavaScript's ASCII \w.
GFM_URL = re.compile(r"(https?://|www(?=\.))[-.A-Za-z0-9_]+", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.A-Za-z0-9_+]+@[-A-Za-z0-9_]+(?:\.[-A-Za-z0-9_]+)+")
ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def parsed_text(markdown: str) -> str:
    """The text CommonMark makes of ``markdown`` when every punctuation character is escaped."""
    return ESCAPE.sub(r"\1", markdown.replace("  \n", "\n"))


def test_no_autolink_literal_survives_the_escaping():
    for text in EVIL:
        seen = parsed_text(md(text))
        assert not GFM_URL.search(seen), (text, seen)
        assert not GFM_EMAIL.search(seen), (text, seen)


def test_the_text_reads_and_copies_as_typed_but_for_invisible_word_joiners():
    for text in EVIL:
        seen = parsed_text(md(text))
        assert seen.replace(WORD_JOINER, "") == text
        assert seen == unlinked(text)  # what the browser shows: tests compare page text with unlinked(...)


def test_joiners_go_only_where_a_link_would_start():
    assert unlinked("https://evil.example/x") == f"https:{WORD_JOINER}//evil.example/x"
    assert unlinked("www.evil.example") == f"www{WORD_JOINER}.evil.example"
    assert unlinked("a@b.co") == f"a@{WORD_JOINER}b.co"
    plain = "Version 1.2: read dashboards, spot exceptions (and explain them)."
    assert unlinked(plain) == plain


def test_markdown_syntax_is_escaped():
    assert md("**bold** <b>x</b> [link](javascript:alert(1))") == (
        "\\*\\*bold\\*\\* \\<b\\>x\\<\\/b\\> \\[link\\]\\(javascript\\:alert\\(1\\)\\)")
    assert md(":red[text] $x$ # heading") == "\\:red\\[text\\] \\$x\\$ \\# heading"


def test_lines_become_hard_breaks_and_none_is_empty():
    assert md("one\ntwo") == "one  \ntwo"
    assert md(None) == ""
    assert md(42) == "42"


@given(st.text(alphabet=st.sampled_from("htps:/w.@ab-_co[]()<>\\x \n"), max_size=60))
def test_any_text_has_no_link_and_keeps_its_characters(text):
    seen = parsed_text(md(text))
    assert not GFM_URL.search(seen) and not GFM_EMAIL.search(seen)
    assert seen.replace(WORD_JOINER, "") == "\n".join(text.splitlines())
