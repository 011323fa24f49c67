"""How the seed writes rows fast enough for the benchmark scale (250,000 employees, about a million
enrollments): rows are plain dicts buffered per table and written with executemany in chunks, timestamps are
cached per day, and the random stream uses cheaper ``randint``/``choice``. Also the small date and money helpers
the steps share."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timezone
from decimal import Decimal

from sqlalchemy.engine import Connection

from db.copying import copy_rows, uses_copy
from db.models import metadata

CHUNK = 10_000  # rows per executemany


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_quarters(first_day: date, count: int) -> date:
    month = first_day.month - 1 + 3 * count
    return date(first_day.year + month // 12, month % 12 + 1, 1)


def slug(name: str) -> str:
    return "".join(character for character in name.lower() if character.isalnum() or character == "-")


def money(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainders), at least one each when possible."""
    raw = [total * weight / sum(weights) for weight in weights]
    shares = [int(share) for share in raw]
    order = sorted(range(len(raw)), key=lambda i: (shares[i] - raw[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    for i in range(len(shares)):  # tiny seeds: give every employer somebody
        if shares[i] == 0 and total >= len(shares):
            largest = max(range(len(shares)), key=lambda k: shares[k])
            shares[largest] -= 1
            shares[i] += 1
    return shares


class SeedRandom(random.Random):
    """random.Random with cheaper randint/choice (a million rows call them often).

    Same determinism guarantee: the stream depends only on the seed.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class Writer:
    """Buffers rows per table and writes them with executemany (COPY on PostgreSQL), parents first."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.tables = list(metadata.sorted_tables)
        self.buffers: dict[str, list[dict]] = {table.name: [] for table in self.tables}
        self.counts: dict[str, int] = {table.name: 0 for table in self.tables}

    def rows(self, model) -> list[dict]:
        return self.buffers[model.__table__.name]

    def flush(self) -> None:
        copying = uses_copy(self.conn)  # PostgreSQL: one COPY per table rather than INSERTs (db/copying.py)
        for table in self.tables:  # FK order: every parent row is written before its children
            buffer = self.buffers[table.name]
            if copying:
                copy_rows(self.conn, table, buffer)
            else:
                for i in range(0, len(buffer), CHUNK):
                    self.conn.execute(table.insert(), buffer[i : i + CHUNK])
            self.counts[table.name] += len(buffer)
            buffer.clear()


class Timestamps:
    """Deterministic aware timestamps for data dates (business hours, never after today)."""

    def __init__(self, today: date):
        self.today = today
        self.cache: dict[date, datetime] = {}

    def __call__(self, day: date) -> datetime:
        stamp = self.cache.get(day)
        if stamp is None:
            if day >= self.today:
                stamp = datetime.combine(self.today, time(0, 0), tzinfo=timezone.utc)
            else:
                minutes = 8 * 60 + (day.toordinal() * 37) % 540
                stamp = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=timezone.utc)
            self.cache[day] = stamp
        return stamp
