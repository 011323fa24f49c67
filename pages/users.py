"""Users (admins only): who may sign in, with which role and organisation."""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.models import Role
from db.scope import AccessDenied
from services import users
from services.formatting import label
from ui.safe import md
from ui.widgets import flash, show_flash, signed_in

who = signed_in()
st.title("Users")
st.caption("People sign in with the organisation's identity provider; their email must match a user here.")

with Session(get_engine()) as session:
    table = users.list_users(session, who.scope)
    orgs = users.organizations(session, who.scope)

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

with right.form("change_user"):
    st.subheader("Change a user")
    show_flash("users_change")
    options = dict(zip(table["id"], table["email"], strict=True))
    user_id = st.selectbox("User", list(options), format_func=options.get)
    new_role = st.selectbox("New role", ["(keep)", *roles],
                            format_func=lambda chosen: "Keep the role" if chosen == "(keep)" else label(chosen))
    active = st.radio("Access", ["(keep)", "active", "deactivated"], horizontal=True,
                      format_func=lambda chosen: "Keep" if chosen == "(keep)" else label(chosen))
    if st.form_submit_button("Save change"):
        try:
            with Session(get_engine()) as session:
                users.update_user(
                    session, who.scope, user_id=int(user_id),
                    role=None if new_role == "(keep)" else new_role,
                    is_active=None if active == "(keep)" else active == "active",
                )
            flash("users_change", f"Saved the change to {options[user_id]}.")
            st.rerun()
        except (users.UserError, AccessDenied) as exc:
            st.error(md(exc))
