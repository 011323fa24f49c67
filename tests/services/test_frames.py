"""services/frames.py: tables from query results, as pandas would build them from the rows."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import create_engine, text

from services.frames import frame


def test_a_frame_holds_the_rows_under_the_columns_and_keeps_them_when_empty():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (a INTEGER, b TEXT, c REAL)"))
        connection.execute(text("INSERT INTO t VALUES (1, 'x', 0.5), (2, NULL, NULL)"))
        rows = connection.execute(text("SELECT a, b, c FROM t ORDER BY a")).all()
        built = frame(connection.execute(text("SELECT a, b, c FROM t ORDER BY a")), ["a", "b", "c"])
        empty = frame(connection.execute(text("SELECT a, b, c FROM t WHERE a > 9")), ["a", "b", "c"])
    pd.testing.assert_frame_equal(built, pd.DataFrame(rows, columns=["a", "b", "c"]))
    assert built.to_dict("records")[0] == {"a": 1, "b": "x", "c": 0.5}
    assert list(empty.columns) == ["a", "b", "c"] and empty.empty
