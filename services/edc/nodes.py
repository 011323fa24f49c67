"""The small nodes every part of a credential uses: ids derived from a stable uri, English texts, notes."""

from __future__ import annotations

import uuid


def node_id(base_uri: str, name: str) -> str:
    """A node's id: stable for the same ``base_uri`` (a credential's or a specification's) and name."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_uri}#{name}')}"


def text(value: str) -> dict:
    return {"en": value}


def note(base_uri: str, name: str, value: str) -> dict:
    return {"id": node_id(base_uri, f"note-{name}"), "type": "Note", "noteLiteral": text(value)}
