"""Alembic environment: one metadata (SQLModel's), URL from DATABASE_URL unless given."""

from alembic import context
from sqlalchemy import Connection

from db.engine import database_url, make_engine
from db.models import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    return config.attributes.get("url") or database_url()


def _configure(**kw) -> None:
    url = kw.pop("url", None) or _url()
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode recreates tables instead.
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
        **({"url": url, "literal_binds": True} if "connection" not in kw else {}),
        **kw,
    )


def run_migrations_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection, url=str(connection.engine.url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
