"""Users (admins only): who may sign in, with which role and organisation."""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import Role
from db.scope import AccessDenied
from services import users
from services.formatting import label
from ui import state
from ui.safe import md
from ui.widgets import flash, show_flash, signed_in

who = signed_in()
st.title("Users")
st.caption("People sign in with the organisation's identity provider; their email must match a user here.")

with Session(get_engine()) as session:
    table = users.list_users(session, who.scope)
    orgs = users.organizations(session, who.scope)
# What this person was shown of every user on the run where they pressed Save (the previous run's table):
# a change is checked against it, not against a re-read at submit time, so another administrator's
# change meanwhile is refused, never overwritten.
shown_before: dict[int, tuple[str, bool]] = st.session_state.get("users_shown", {})
st.session_state["users_shown"] = {int(r.id): (r.role, bool(r.active)) for r in table.itertuples()}

st.dataframe(
    table.drop(columns=["id"]).assign(role=table["role"].map(label)),
    hide_index=True,
    width="stretch",
    column_config={
        "email": st.column_config.TextColumn("Email"),
        "name": st.column_config.TextColumn("Name"),
        "role": st.column_config.TextColumn("Role"),
        "organization": st.column_config.TextColumn("Organisation"),
        "active": st.column_config.CheckboxColumn("Active"),
        "last_login": st.column_config.DatetimeColumn("Last sign-in", format="D MMM YYYY, HH:mm"),
    },
)

roles = [role.value for role in Role]
left, right = st.columns(2)
with left.form("add_user", clear_on_submit=True):
    st.subheader("Add a user")
    email = st.text_input("Email")
    name = st.text_input("Name")
    show_flash("users_add")
    role = st.selectbox("Role", roles, format_func=label)
    org_names = {org_id: name for org_id, name, _kind in orgs}
    org_id = st.selectbox("Organisation", list(org_names), format_func=org_names.get)
    if st.form_submit_button("Add user"):
        try:
            with Session(get_engine()) as session:
                users.add_user(session, who.scope, email=email, display_name=name, role=role, organization_id=org_id)
            flash("users_add", f"Added {email.strip().lower()}.")
            st.rerun()
        except (users.UserError, AccessDenied) as exc:
            st.error(md(exc))

with right:
    st.subheader("Change a user")
    show_flash("users_change")
    options = dict(zip(table["id"].astype(int), table["email"], strict=True))
    # Outside the form and kept by its option: choosing reruns (the caption says what the user is now), and
    # a user another administrator adds meanwhile does not move the choice onto someone else.
    user_id = state.choice("User", list(options), key="users_user", format_func=options.get)
    row = table.set_index("id").loc[user_id]
    st.caption(f"Now {users.describe(row.role, bool(row.active))}.")
    with st.form("change_user"):
        new_role = st.selectbox("New role", ["(keep)", *roles], key="users_new_role",
                                format_func=lambda chosen: "Keep the role" if chosen == "(keep)" else label(chosen))
        active = st.radio("Access", ["(keep)", "active", "deactivated"], horizontal=True, key="users_access",
                          format_func=lambda chosen: "Keep" if chosen == "(keep)" else label(chosen))
        if st.form_submit_button("Save change"):
            expected_role, expected_active = shown_before.get(user_id, (row.role, bool(row.active)))
            try:
                with Session(get_engine()) as session:
                    users.update_user(
                        session, who.scope, user_id=user_id, expected_role=expected_role,
                        expected_active=expected_active, role=None if new_role == "(keep)" else new_role,
                        is_active=None if active == "(keep)" else active == "active",
                    )
            except users.UserConflict as exc:
                outcome = ("error", str(exc))
            except (users.UserError, AccessDenied) as exc:
                outcome = None
                st.error(md(exc))
            else:
                outcome = ("success", f"Saved the change to {options[user_id]}.")
            if outcome:  # saved, or refused as changed meanwhile: the user stays chosen, nothing stays armed
                flash("users_change", outcome[1], kind=outcome[0])
                del st.session_state["users_new_role"], st.session_state["users_access"]
                st.rerun()
