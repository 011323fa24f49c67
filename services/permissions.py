"""Who may do what: the rules for actions, one section per area.

Row visibility (what a user may see at all) is db/scope.py's; this module says what they may *do* with what
they see. Services check these rules before acting (the ``require_*`` functions raise ``AccessDenied``) and
pages ask the same rules what to offer, so each rule is written once.
"""

from __future__ import annotations

from db.models import ChangeProposal, Credential, CredentialStatus, OrgKind, ProposalStatus, Role
from db.scope import AccessDenied, Scope

# --- Co-design ---
# The parties of a credential are its university and its co-designing employers (``partners``).
# - Edit, propose, comment, submit, return to draft: partnership officers of the credential's university,
#   HR managers of a co-designing employer, admins. Viewers never.
# - Decide a proposal: every party but the proposer's organisation; the proposer may withdraw it.
# - Approve: each party for its own organisation. Publish, retire, choose the co-designers: the university.
# - Create a draft: partnership officers of a university, admins.

_CODESIGN_READ_ONLY = "Viewers have read-only access."

# Content can change until publication; an edit to an approved credential sends it back to review.
EDITABLE = frozenset({CredentialStatus.draft, CredentialStatus.in_review, CredentialStatus.approved})


def content_editable(cred: Credential) -> bool:
    """Whether the credential's content may still change (else it is frozen, whoever asks)."""
    return CredentialStatus(cred.status) in EDITABLE


def organization_side(cred: Credential, organization_id: int, partners: frozenset[int]) -> str | None:
    """'university', 'employer', or None: which party of this credential the organisation is."""
    if organization_id == cred.university_id:
        return "university"
    return "employer" if organization_id in partners else None


def side(scope: Scope, cred: Credential, partners: frozenset[int]) -> str | None:
    """'university', 'employer', or None: which party of this credential the user belongs to."""
    return organization_side(cred, scope.organization_id, partners)


def may_edit(scope: Scope, cred: Credential, partners: frozenset[int]) -> bool:
    if scope.read_only:
        return False
    if scope.sees_all:
        return True
    if scope.role == Role.partnership_officer:
        return scope.organization_id == cred.university_id
    if scope.role == Role.hr_manager:
        return scope.organization_id in partners
    return False


def may_create(scope: Scope) -> bool:
    """Whether the user starts new credentials: partnership officers (for their university) and admins."""
    return not scope.read_only and (scope.sees_all or (scope.role == Role.partnership_officer
                                                       and scope.org_kind == OrgKind.university))


def is_university_side(scope: Scope, cred: Credential) -> bool:
    return scope.sees_all or (scope.role == Role.partnership_officer and scope.organization_id == cred.university_id)


def may_approve(scope: Scope, mine: str | None) -> bool:
    """Whether the user approves for their party (``mine``: their side of the credential)."""
    return mine is not None and (scope.sees_all or (mine == "university" and scope.role == Role.partnership_officer)
                                 or (mine == "employer" and scope.role == Role.hr_manager))


def may_withdraw(scope: Scope, proposal: ChangeProposal) -> bool:
    """The proposing organisation (or an admin) takes a proposal back; an editor's right besides."""
    return scope.organization_id == proposal.organization_id or scope.sees_all


def allowed_actions(scope: Scope, cred: Credential, partners: frozenset[int], approved_by_me: bool) -> frozenset[str]:
    """What the user may do with the credential now: the page offers exactly these (the service checks again)."""
    if scope.read_only:
        return frozenset()
    mine, status = side(scope, cred, partners), CredentialStatus(cred.status)
    editor, university = may_edit(scope, cred, partners), is_university_side(scope, cred)
    editable = status in EDITABLE
    wanted = {
        "edit": editor and editable,
        "propose": editor and editable and mine is not None,
        "partners": university and editable,
        "submit": editor and status == CredentialStatus.draft,
        "approve": status == CredentialStatus.in_review and may_approve(scope, mine) and not approved_by_me,
        "publish": university and status == CredentialStatus.approved,
        "return_to_draft": editor and status in (CredentialStatus.in_review, CredentialStatus.approved),
        "retire": university and status == CredentialStatus.published,
    }
    return frozenset(action for action, allowed in wanted.items() if allowed)


def proposal_rights(scope: Scope, cred: Credential, partners: frozenset[int], proposal: ChangeProposal,
                    decisions: list[dict]) -> dict[str, bool]:
    """What the user may do with one proposal (the page shows these buttons; the service checks again).
    ``decisions``: who decides it and what each did (``decision`` is "to_decide" while still owed)."""
    is_open, editor = proposal.status == ProposalStatus.open, may_edit(scope, cred, partners)
    party = editor and side(scope, cred, partners) is not None
    mine = next((row for row in decisions if row["organization_id"] == scope.organization_id and row["party"]), None)
    may_decide = is_open and party and mine is not None and mine["decision"] == "to_decide"
    return {"can_comment": is_open and party, "can_reject": may_decide,
            "can_accept": may_decide and content_editable(cred),
            "can_withdraw": is_open and editor and may_withdraw(scope, proposal)}


def require_editor(scope: Scope, cred: Credential, partners: frozenset[int]) -> None:
    if scope.read_only:
        raise AccessDenied(_CODESIGN_READ_ONLY)
    if not may_edit(scope, cred, partners):
        raise AccessDenied(
            "Only partnership officers of the credential's university and HR managers of a "
            "co-designing employer change this credential."
        )


def require_university(scope: Scope, cred: Credential, what: str) -> None:
    if scope.read_only:
        raise AccessDenied(_CODESIGN_READ_ONLY)
    if not is_university_side(scope, cred):
        raise AccessDenied(f"Only the credential's university {what}.")


def require_party(scope: Scope, cred: Credential, partners: frozenset[int], refusal: str) -> str:
    """The user's side of the credential; ``refusal`` when they are no party of it."""
    mine = side(scope, cred, partners)
    if mine is None:
        raise AccessDenied(refusal)
    return mine


def require_decider(scope: Scope, proposal: ChangeProposal, cred: Credential, partners: frozenset[int]) -> None:
    require_editor(scope, cred, partners)
    require_party(scope, cred, partners,
                  "Proposals are decided by the credential's university and its co-designing employers.")
    if scope.organization_id == proposal.organization_id:
        raise AccessDenied("Your organisation made this proposal: the other parties decide it (you may withdraw it).")


def require_withdrawer(scope: Scope, proposal: ChangeProposal, cred: Credential, partners: frozenset[int]) -> None:
    require_editor(scope, cred, partners)
    if not may_withdraw(scope, proposal):
        raise AccessDenied("Only the proposing organisation withdraws its proposal.")


def require_approver(scope: Scope, cred: Credential, partners: frozenset[int]) -> None:
    if scope.read_only:
        raise AccessDenied(_CODESIGN_READ_ONLY)
    if not may_approve(scope, side(scope, cred, partners)):
        raise AccessDenied("Approvals come from the credential's university and its co-designing employers.")


# --- Skills vocabulary ---
# One list of skills shared by every organisation, kept by the universities:
# - Add a skill to it, accept or reject a proposed one: partnership officers of a university, admins.
# - Propose a skill: HR managers (for their employer). Viewers never.
# A proposed skill is seen only by its employer and the universities partnered with it (db/scope.py), and is
# used nowhere (mappings, PDP goals, imports) until it is accepted.


def keeps_vocabulary(scope: Scope) -> bool:
    """Whether the user adds skills to the shared list and decides employers' proposals (the university)."""
    return not scope.read_only and (scope.sees_all or (scope.role == Role.partnership_officer
                                                       and scope.org_kind == OrgKind.university))


def may_propose_skill(scope: Scope) -> bool:
    """Whether the user proposes skills for the shared list (HR managers)."""
    return not scope.read_only and scope.role == Role.hr_manager


def require_vocabulary_keeper(scope: Scope) -> None:
    if scope.read_only:
        raise AccessDenied(_CODESIGN_READ_ONLY)
    if not keeps_vocabulary(scope):
        raise AccessDenied("Only the university adds skills to the shared list and decides proposed ones; "
                           "HR managers propose them.")


def require_skill_proposer(scope: Scope) -> None:
    if scope.read_only:
        raise AccessDenied(_CODESIGN_READ_ONLY)
    if not may_propose_skill(scope):
        raise AccessDenied("HR managers propose skills; the university adds them to the list directly.")


# --- Imports ---

IMPORTING_ROLES = (Role.admin, Role.partnership_officer, Role.hr_manager)


def may_import(scope: Scope) -> bool:
    """Whether the user may import anything at all (viewers read only)."""
    return not scope.read_only and scope.role in IMPORTING_ROLES


def importable_sides(scope: Scope) -> tuple[str, ...]:
    """Whose data the user may import: the employer side its own people's records only; the university
    side and administrators also credentials. Empty when the user may not import."""
    if not may_import(scope):
        return ()
    if scope.is_employer_side:
        return ("employer",)
    return ("employer", "university")


def require_import(scope: Scope, side: str) -> None:
    """AccessDenied unless the user may import data of ``side`` ("employer" or "university")."""
    if scope.read_only:
        raise AccessDenied("Viewers have read-only access.")
    if scope.role not in IMPORTING_ROLES:
        raise AccessDenied("Only HR managers, partnership officers and administrators import data.")
    if side == "university" and scope.role == Role.hr_manager:
        raise AccessDenied("Only partnership officers and administrators import credentials.")


def import_university_id(scope: Scope, university_id: int | None) -> int | None:
    """The university a credentials import writes into: a partnership officer's own (another one is
    refused); an administrator's choice (None while not chosen)."""
    if scope.role == Role.partnership_officer:
        if university_id is not None and university_id != scope.organization_id:
            raise AccessDenied("That organisation is outside your access.")
        return scope.organization_id
    return university_id


def import_employer_id(scope: Scope, employer_id: int | None) -> int | None:
    """The employer an import writes into: an employer-side user's own unless another is chosen, a
    chosen one only within the user's write access (AccessDenied otherwise); None when the university
    side has not chosen one."""
    if employer_id is None:
        if not scope.is_employer_side:
            return None
        employer_id = scope.organization_id
    scope.require_employer(employer_id, write=True)
    return employer_id


def chooses_import_target(scope: Scope, side: str) -> bool:
    """Whether the user picks the organisation an import of ``side`` goes into (the others' is their own)."""
    if side == "employer":
        return not scope.is_employer_side
    return scope.sees_all


def may_create_cohorts_by_import(scope: Scope) -> bool:
    """Cohorts are the university side's: only it creates them from an enrollments file."""
    return not scope.is_employer_side


# --- PDP goals ---

PDP_EDITOR_ROLES = frozenset({Role.hr_manager, Role.admin})


def may_change_goals(scope: Scope) -> bool:
    """Whether the user may add goals and change their status (HR managers and administrators)."""
    return not scope.read_only and scope.role in PDP_EDITOR_ROLES


def require_goal_editor(scope: Scope, employer_id: int) -> None:
    """AccessDenied unless the user may change the PDP goals of ``employer_id``'s people."""
    if scope.role not in PDP_EDITOR_ROLES:
        raise AccessDenied("Only HR managers change PDP goals.")
    scope.require_employer(employer_id, write=True)


# --- User management ---

# A role only makes sense at one kind of organisation (admins and viewers at either).
ROLE_ORG_KINDS = {
    Role.admin: {OrgKind.university, OrgKind.employer},
    Role.partnership_officer: {OrgKind.university},
    Role.hr_manager: {OrgKind.employer},
    Role.viewer: {OrgKind.university, OrgKind.employer},
}


def require_user_admin(scope: Scope) -> None:
    """AccessDenied unless the user may manage users (administrators only)."""
    if not scope.sees_all:
        raise AccessDenied("Only administrators manage users.")


def role_fits(role: Role, org_kind: OrgKind) -> bool:
    """Whether a user of ``role`` may belong to an organisation of ``org_kind``."""
    return org_kind in ROLE_ORG_KINDS[role]


def locks_self_out(scope: Scope, user_id: int, *, role: str | None, is_active: bool | None) -> bool:
    """Whether a change would deactivate the administrator making it or take away their own admin
    role (refused, so an administrator cannot lock themself out)."""
    return user_id == scope.user_id and (is_active is False or bool(role and role != Role.admin))


# --- Sharing HR records with a partner university ---
# The records are the employer's: only its own HR managers decide whether a partner university's officers see
# them by name (not viewers, not the university, not an administrator of either side).


def may_change_sharing(scope: Scope, employer_id: int) -> bool:
    """Whether the user may turn on or off the sharing of ``employer_id``'s people's HR records."""
    return (scope.role == Role.hr_manager and scope.org_kind == OrgKind.employer
            and scope.organization_id == employer_id)


def require_sharing_manager(scope: Scope, employer_id: int, employer_name: str) -> None:
    if not may_change_sharing(scope, employer_id):
        raise AccessDenied(f"Only {employer_name}'s HR managers decide what {employer_name} shares.")


# Imports of these kinds hold (and their previews compare with) an employer's people's HR records.
HR_RECORD_KINDS = {"assessments": "skill assessments", "pdp_goals": "PDP goals", "surveys": "outcome-survey answers"}


def require_records_of(scope: Scope, employer_id: int, employer_name: str, records: str) -> None:
    """AccessDenied unless the user sees ``employer_id``'s people's HR records by name (db/scope.py)."""
    if not scope.sees_records_of(employer_id):
        raise AccessDenied(f"{employer_name} keeps its people's {records} to its own HR: its HR manager imports "
                           "them, or shares them with your university on the Privacy page.")


def may_read_access_log(scope: Scope) -> bool:
    """Administrators read the whole access log, an HR manager the entries about their employer's people
    (the rows: db/scope.py); the page offers the log to them only."""
    return scope.sees_all or (scope.role == Role.hr_manager and scope.org_kind == OrgKind.employer)
