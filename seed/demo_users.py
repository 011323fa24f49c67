"""The demo users (app accounts), with stable emails: login tests and ``manage.py idp`` use them."""

from __future__ import annotations

from db.models import Role
from seed.organisations import EMPLOYERS, UNIVERSITY

# --- Demo users ----------------------------------------------------------------
# Stable emails: login tests and the development identity provider use them.
# The first two are the ones to try first; the deactivated HR manager signs in
# at the identity provider but gets "no access" in the app.

_DOMAIN = {employer["code"]: employer["domain"] for employer in EMPLOYERS}
_DOMAIN[UNIVERSITY["code"]] = UNIVERSITY["domain"]


def _user(local_part: str, organisation: str, name: str, role: Role, active: bool = True) -> dict:
    return {"email": f"{local_part}@{_DOMAIN[organisation]}", "display_name": name, "role": role.value,
            "org_code": organisation, "is_active": active}


DEMO_USERS: list[dict] = [
    _user("officer", "NBU", "Olivia Hart", Role.partnership_officer),
    _user("hr", "RHT", "Marcus Bell", Role.hr_manager),
    _user("admin", "NBU", "Samira Adeyemi", Role.admin),
    _user("partnerships", "NBU", "Daniel Okafor", Role.partnership_officer),
    _user("viewer", "NBU", "Grace Lin", Role.viewer),
    _user("hr", "HVB", "Aisha Khan", Role.hr_manager),
    _user("hr", "NCC", "Gareth Evans", Role.hr_manager),
    _user("hr", "KLG", "Priya Sharma", Role.hr_manager),
    _user("hr", "ADM", "Tomasz Nowak", Role.hr_manager),
    _user("hr", "CMR", "Chloe Bennett", Role.hr_manager),
    _user("hr", "TWE", "Kwame Mensah", Role.hr_manager),
    _user("hr", "BSW", "Yuki Tanaka", Role.hr_manager),
    _user("viewer", "HVB", "Tom Fletcher", Role.viewer),
    _user("former.hr", "RHT", "Helen Price", Role.hr_manager, active=False),
]
