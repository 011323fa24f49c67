"""Showing user-written text as text: nothing in it formats, and nothing in it is a link.

st.markdown, st.caption, st.subheader, st.success/warning/error/info and widget labels render Markdown
(links, images, Streamlit's :color[...] directives, $math$). Text typed by users, or built from what they
typed (names, codes, messages quoting them), goes through ``md`` first:

- every ASCII punctuation character is backslash-escaped, which CommonMark renders literally, so it can
  neither format nor link (``[x](…)``, ``<https://…>``, raw HTML);
- GFM's autolink literals are not stopped by escapes: remark-gfm (Streamlit's Markdown) finds
  ``https://…``, ``www.…`` and ``a@b.co`` in the text after escapes are resolved. ``unlinked`` puts an
  invisible WORD JOINER (U+2060: no width, no line break) where such a link would start: between ``:`` and
  ``/``, between ``www`` and ``.``, and after ``@``. The text reads the same and copies the same but for
  that invisible character; a copied address must be retyped or cleaned to be used, which is the point.

HTML is never allowed (no unsafe_allow_html anywhere). st.text and st.dataframe show text without Markdown.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
# Where remark-gfm's literal patterns start: "http(s)://" (any case), "www." (any case), "name@domain".
_LINK_STARTS = re.compile(r"(?<=:)(?=/)|(?<=[wW]{3})(?=\.)|(?<=@)")


def unlinked(text: str) -> str:
    """``text`` with a word joiner wherever an autolink literal could start: what the page shows of ``md(text)``."""
    return _LINK_STARTS.sub(WORD_JOINER, text)


def md(text: object) -> str:
    """``text`` escaped for Markdown, with no autolink; line breaks kept as hard breaks."""
    lines = _PUNCT.sub(r"\\\1", unlinked("" if text is None else str(text))).splitlines()
    return "  \n".join(lines)
