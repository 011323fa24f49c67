"""Showing user-written text as text.

st.markdown, st.caption, st.subheader and widget labels render Markdown (links,
images, Streamlit's :color[...] directives, $math$). Text typed by users goes
through ``md`` first: every ASCII punctuation character is backslash-escaped,
which CommonMark renders literally, so it can neither format nor link. HTML is
never allowed (no unsafe_allow_html anywhere).
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def md(text: object) -> str:
    """``text`` escaped for Markdown; line breaks kept as hard breaks."""
    lines = _PUNCT.sub(r"\\\1", "" if text is None else str(text)).splitlines()
    return "  \n".join(lines)
