"""Run Alembic from Python, so manage.py, the Makefile and tests share one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(INI))
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        _fill_empty_summaries(url)


def _fill_empty_summaries(url: str | None) -> None:
    """A database that had enrollments before the summary tables existed gets them built once."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from db import summaries
    from db.engine import make_engine
    from db.models import Enrollment, EnrollmentMonthSummary

    engine = make_engine(url) if url else None
    if engine is None:
        from db.engine import get_engine

        engine = get_engine()
    with Session(engine) as session:
        has_rows = session.execute(select(func.count()).select_from(Enrollment).limit(1)).scalar()
        built = session.execute(select(func.count()).select_from(EnrollmentMonthSummary)).scalar()
        if has_rows and not built:
            summaries.refresh(session)
            session.commit()
    if url:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def revision(message: str, url: str | None = None) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def current(url: str | None = None) -> None:
    command.current(alembic_config(url), verbose=True)
