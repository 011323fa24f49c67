"""The page registry as plain data (no streamlit), shared by dashboard.py and the benchmark in devtools/bench."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Role


@dataclass(frozen=True)
class PageEntry:
    path: str                    # the page's script, pages/x.py
    title: str                   # the menu title
    icon: str
    url_path: str | None = None  # None: Streamlit's default (the first page's is the app's root)
    default: bool = False


# Page name -> its file and menu title.
PAGES: dict[str, PageEntry] = {
    "overview": PageEntry("pages/overview.py", "Overview", ":material/dashboard:", default=True),
    "enrollments": PageEntry("pages/enrollments.py", "Enrollment and completion", ":material/school:",
                             url_path="enrollments"),
    "upskilling": PageEntry("pages/upskilling.py", "Upskilling", ":material/trending_up:", url_path="upskilling"),
    "pdps": PageEntry("pages/pdps.py", "PDPs", ":material/flag:", url_path="pdps"),
    "person": PageEntry("pages/person.py", "Person", ":material/badge:", url_path="person"),
    "plan": PageEntry("pages/plan.py", "Plan development", ":material/route:", url_path="plan"),
    "review": PageEntry("pages/review.py", "Quarterly review", ":material/slideshow:", url_path="review"),
    "catalogue": PageEntry("pages/catalogue.py", "Credential catalogue", ":material/menu_book:",
                           url_path="catalogue"),
    "codesign": PageEntry("pages/codesign.py", "Co-design studio", ":material/handshake:", url_path="codesign"),
    "imports": PageEntry("pages/imports.py", "Import data", ":material/upload_file:", url_path="imports"),
    "users": PageEntry("pages/users.py", "Users", ":material/group:", url_path="users"),
    "people": PageEntry("pages/people.py", "People", ":material/person_search:", url_path="people"),
    "privacy": PageEntry("pages/privacy.py", "Privacy", ":material/shield_person:", url_path="privacy"),
}

# Which pages each role may open, in menu order.
ROLE_PAGES: dict[Role, list[str]] = {
    Role.admin: ["overview", "enrollments", "upskilling", "pdps", "plan", "review", "catalogue", "codesign", "imports",
                 "person", "people", "privacy", "users"],
    # Officers see which employers share with them (read only); HR managers decide it and read their log.
    Role.partnership_officer: ["overview", "enrollments", "upskilling", "pdps", "review", "catalogue", "codesign",
                               "imports", "person", "privacy"],
    Role.hr_manager: ["overview", "enrollments", "upskilling", "pdps", "plan", "review", "catalogue", "codesign",
                      "imports", "person", "people", "privacy"],
    # Viewers read the catalogue; the co-design studio (editing) is not registered for them.
    Role.viewer: ["overview", "enrollments", "upskilling", "pdps", "review", "catalogue"],
}
