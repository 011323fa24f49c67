"""Curriculum co-design: catalogue, draft editing, change proposals, sign-off and revision history.

Sign-off workflow (``TRANSITIONS``; every status change goes through ``check_transition``)::

    draft ──submit──► in_review ──(last approval of the version)──► approved ──publish──► published ──retire──► retired
      ▲                 │    ▲                                          │
      └─return to draft─┴────┼──────────── return to draft ─────────────┤
                             └──────── any content edit (approvals withdrawn) ◄┘

Content and versions
- ``Credential.version`` is the content version and the optimistic lock. Every saved change goes through
  one write path (``saving.apply_changes``): a conditional UPDATE on the version, a full revision snapshot,
  an audit event. If someone else saved first the save is refused with their change described
  (``EditConflict``).
- Approvals are recorded per (credential, version, organisation): an edit bumps the version, so earlier
  approvals no longer count. Status changes are not content and do not bump the version.

Who may change what is services/permissions.py's "Co-design" section; every call here checks it again.
The studio asks ``studio_choices`` (what awaits the user, first) and ``Detail.actions`` (what they may do now).

The package, bottom up (each module imports only those above it in this list):
- ``rules``: errors, transitions, the fields and limits; ``text``: how values read.
- ``validation``: cleaning what users type; ``versions``: snapshots, revisions, diffs, conflicts;
  ``completeness``: the European elements (Annex I) a snapshot has, and the checklist.
- ``loading``: the credential, its parties and lists; ``saving``: the one write path.
- ``proposing``: change proposals and the decision rule; ``editing``: drafts and saves;
  ``outcomes_and_skills``: list helpers; ``workflow``: submit, approve, publish, retire.
- ``vocabulary``: the shared skills list, which the universities keep (HR managers propose skills,
  partnership officers accept or reject them).
- ``history``, ``published`` (European elements, next review, published change list), ``reading``: catalogue,
  detail, history, choices; ``attention``: what awaits the user.
(No module is named like a function of the API — ``proposals``, ``signoff``, ``revisions`` — so that
``codesign.proposals`` stays the function.)
"""

from services.codesign.attention import Attention, studio_choices
from services.codesign.completeness import Element, checklist, missing
from services.codesign.editing import create_draft, partner_options, save_draft, set_partners
from services.codesign.history import HISTORY_ACTIONS, compare, history_events, revision, revisions
from services.codesign.loading import partner_ids, required_parties
from services.codesign.outcomes_and_skills import (
    add_outcome,
    edit_outcome,
    move_outcome,
    remove_outcome,
    remove_skill,
    reorder_outcomes,
    set_skill,
)
from services.codesign.proposing import (
    Decided,
    accept,
    comment,
    deciders,
    propose,
    propose_skill,
    reject,
    skills_with,
    still_to_accept,
    withdraw,
)
from services.codesign.reading import (
    CATALOGUE_COLUMNS,
    EUROPEAN_FILTERS,
    IMPORTED_FROM,
    SIGNOFF_COLUMNS,
    Detail,
    came_by_import,
    catalogue,
    current_version,
    detail,
    editable_choices,
    field_value,
    partner_choices,
    partners_text,
    proposals,
    signoff,
    signoff_note,
    skill_choices,
)
from services.codesign.rules import (
    CODE_RE,
    FIELDS,
    LABELS,
    LIST_FIELDS,
    MAX_COMMENT,
    MAX_ELEMENT_TEXT,
    MAX_OUTCOME,
    MAX_OUTCOMES,
    MAX_RATIONALE,
    MAX_SKILLS,
    MAX_SUMMARY,
    PROPOSABLE,
    TRANSITIONS,
    Change,
    CodesignError,
    EditConflict,
    InvalidTransition,
    check_transition,
)
from services.codesign.text import and_list
from services.codesign.validation import valid_esco_uri
from services.codesign.versions import diff, diff_frame, snapshot
from services.codesign.vocabulary import (
    SKILL_PROPOSAL_COLUMNS,
    accept_skill,
    add_skill,
    propose_new_skill,
    reject_skill,
    skill_proposals,
)
from services.codesign.workflow import (
    approve,
    missing_approvals,
    publish,
    retire,
    return_to_draft,
    still_needed,
    submit_for_review,
    waiting_for_approval,
)
from services.permissions import (
    EDITABLE,
    allowed_actions,
    content_editable,
    keeps_vocabulary,
    may_create,
    may_edit,
    may_propose_skill,
    side,
)

__all__ = [
    # rules and vocabulary
    "CODE_RE", "EDITABLE", "FIELDS", "LABELS", "LIST_FIELDS", "MAX_COMMENT", "MAX_ELEMENT_TEXT", "MAX_OUTCOME",
    "MAX_OUTCOMES",
    "MAX_RATIONALE", "MAX_SKILLS", "MAX_SUMMARY", "PROPOSABLE", "TRANSITIONS", "Change", "CodesignError",
    "EditConflict", "InvalidTransition", "and_list", "check_transition", "valid_esco_uri",
    # who may do what (services/permissions.py)
    "allowed_actions", "content_editable", "keeps_vocabulary", "may_create", "may_edit", "may_propose_skill", "side",
    # versions
    "diff", "diff_frame", "snapshot",
    # the skills vocabulary
    "SKILL_PROPOSAL_COLUMNS", "accept_skill", "add_skill", "propose_new_skill", "reject_skill", "skill_proposals",
    # content
    "add_outcome", "create_draft", "edit_outcome", "move_outcome", "partner_options", "remove_outcome",
    "remove_skill", "reorder_outcomes", "save_draft", "set_partners", "set_skill",
    # proposals
    "Decided", "accept", "comment", "deciders", "propose", "propose_skill", "reject", "skills_with",
    "still_to_accept", "withdraw",
    # sign-off
    "approve", "missing_approvals", "partner_ids", "publish", "required_parties", "retire", "return_to_draft",
    "submit_for_review", "waiting_for_approval",
    # the European elements (Annex I): services/codesign/completeness.py
    "Element", "checklist", "missing", "still_needed",
    # reading
    "CATALOGUE_COLUMNS", "EUROPEAN_FILTERS", "HISTORY_ACTIONS", "IMPORTED_FROM", "SIGNOFF_COLUMNS", "Attention",
    "Detail",
    "came_by_import", "catalogue", "compare", "current_version", "detail", "editable_choices", "field_value",
    "history_events", "partner_choices", "partners_text", "proposals", "revision", "revisions", "signoff",
    "signoff_note", "skill_choices", "studio_choices",
]
