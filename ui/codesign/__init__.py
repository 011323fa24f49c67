"""Widgets of the co-design studio (pages/codesign.py) and the catalogue's design record (pages/catalogue.py).

- ``common``: the action runner (one service call, then flash and rerun), tables of the design record.
- ``content``: new draft, details, learning outcomes, skills, co-designers.
- ``elements``: the European elements (Annex I): their inputs in the details form, and the checklist.
- ``proposals``: proposing a change and deciding one.
- ``signoff``: the sign-off table and its buttons.
- ``vocabulary``: the skills list: adding or proposing a skill, and deciding proposed ones.

UI only: what a user may do comes from the service (``Detail.actions``, each proposal's rights), whose rules are
services/permissions.py's.
"""
