"""The Quarterly review's presentation mode: the review's slides (services/review_slides), one at a time, at a
size read from the back of a room, with Previous / Next (arrow keys) and End (Esc).

While presenting, the page draws none of its pickers, and Streamlit forgets the value of a widget that a run
does not draw; ``presenting`` keeps the quarter, partner and presentation-mode values, so ending the
presentation returns to the review as it was.
"""

from __future__ import annotations

import streamlit as st

from services.charts import slide_chart
from services.review import ReviewPack
from services.review_export import pack_charts
from services.review_slides import Slide, slides
from ui.safe import md

PRESENT = "review_present"
SLIDE = "review_slide"
KEPT = ("review_quarter", "review_partner", PRESENT)
# Static CSS only (no user text): no sidebar, and slide-sized titles, figures and text.
STYLE = ("<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl']{display:none}"
         "[data-testid='stMainBlockContainer'] h1{font-size:3.2rem}"
         "[data-testid='stMetricValue'],[data-testid='stMetricValue'] *{font-size:3.4rem !important;line-height:1.2}"
         "[data-testid='stMetricLabel'] p,[data-testid='stMetricDelta'] div{font-size:1.3rem}"
         "[data-testid='stMainBlockContainer'] [data-testid='stMarkdownContainer'] p{font-size:1.5rem}</style>")


def presenting() -> bool:
    """Whether presentation mode is on. Off, the slide show forgets its place (it starts at the first slide)."""
    if not st.session_state.get(PRESENT, False):
        st.session_state.pop(SLIDE, None)
        return False
    for key in KEPT:  # the pickers are not drawn: writing their values keeps them past this run
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    return True


def _move(step: int, count: int) -> None:
    st.session_state[SLIDE] = max(0, min(count - 1, st.session_state.get(SLIDE, 0) + step))


def _end() -> None:
    st.session_state[PRESENT] = False
    # Written in this run, the pickers' values reach the browser with them; else it would draw their defaults.
    for key in KEPT:
        if key != PRESENT and key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.session_state.pop(SLIDE, None)


def show(pack: ReviewPack) -> None:
    """The current slide of ``pack`` and the buttons that move through them."""
    st.html(STYLE)
    deck = slides(pack)
    index = max(0, min(len(deck) - 1, st.session_state.get(SLIDE, 0)))
    st.session_state[SLIDE] = index
    _slide(deck[index], pack)
    st.divider()
    previous, number, following, end = st.columns([1, 1, 1, 2], vertical_alignment="center")
    previous.button("Previous", key="review_slide_previous", shortcut="Left", on_click=_move, args=(-1, len(deck)),
                    disabled=index == 0, icon=":material/arrow_back:", width="stretch")
    number.caption(f"Slide {index + 1} of {len(deck)}")
    following.button("Next", key="review_slide_next", shortcut="Right", on_click=_move, args=(1, len(deck)),
                     disabled=index == len(deck) - 1, icon=":material/arrow_forward:", width="stretch")
    end.button("End the presentation", key="review_slide_end", shortcut="Esc", on_click=_end,
               icon=":material/close:")


def _slide(slide: Slide, pack: ReviewPack) -> None:
    st.title(slide.title)
    for line in slide.subtitle.splitlines():
        st.markdown(md(line))
    per_row = max(1, min(len(slide.figures), 4 if len(slide.figures) % 4 == 0 else 3))  # rows of equal cards
    for start in range(0, len(slide.figures), per_row):
        row = slide.figures[start:start + per_row]
        for column, (name, value, comparison) in zip(st.columns(per_row), row, strict=False):
            column.metric(name, value, comparison, delta_color="off", delta_arrow="off", border=True)
    for line in slide.lines:
        st.markdown(md(line))
    chart = None
    if slide.chart is not None:
        chart = pack_charts(pack).get(slide.chart.picture) if slide.chart.kind == "picture" else \
            slide_chart(slide.chart)
    if chart is not None and slide.table is not None:
        left, right = st.columns(2)
        left.altair_chart(chart, width="stretch")
        right.dataframe(slide.table, hide_index=True, width="stretch")
    elif chart is not None:
        st.altair_chart(chart, width="stretch")
    elif slide.table is not None:
        st.dataframe(slide.table, hide_index=True, width="stretch")
