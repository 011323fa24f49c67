"""Journey: an HR manager hands each completer a European Digital Credential: on Enrollment and completion they
prepare the sealed credentials of the period's completions, download the zip (every file verifies against the
certificate it holds, and names only their own employer's people), the download is logged and the page stays as
it was; then on one completer's page they download that person's credential, which holds the database's values."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal

from playwright.sync_api import Page, expect

from services import edc
from services.edc.settings import cert_path
from services.formatting import fmt
from services.periods import last_complete_quarter
from services.periods import today as today_
from tests.browser.steps import choose, no_raw_values, open_page, settle
from tests.browser.test_login import demo_user, main_area, org_of, query, sign_in

TOGGLE = "Prepare European Digital Credentials"
# <credential code>_<employer code>-<employee ref>_<enrollment id>.jsonld (services/edc/exporting.file_stem)
ENROLLMENT_OF_FILE = re.compile(r"_(\d+)\.jsonld$")


def completions_in_scope(stack, employer_id: int, start, end) -> dict[int, tuple]:
    """{enrollment id: (employee id, full name, employee ref)} the page's default filters give the HR manager:
    their employer's completions dated in the period, of people not pseudonymised, on credentials they may see
    (the catalogue's, or one they co-design). Written out here rather than through services.badges."""
    rows = query(stack, "SELECT n.id, e.id AS employee_id, e.full_name, e.employee_ref FROM enrollment n "
                        "JOIN employee e ON e.id = n.employee_id JOIN credential c ON c.id = n.credential_id "
                        "WHERE e.employer_id = :o AND n.status = 'completed' AND n.completed_on IS NOT NULL "
                        "AND n.completed_on >= :s AND n.completed_on <= :e AND e.pseudonymised_on IS NULL "
                        "AND (c.status IN ('published', 'retired') OR c.id IN "
                        "(SELECT credential_id FROM credentialpartner WHERE employer_id = :o))",
                 o=employer_id, s=start.isoformat(), e=end.isoformat())
    return {r.id: (r.employee_id, r.full_name, r.employee_ref) for r in rows}


def edc_downloads(stack, email: str) -> list:
    return query(stack, "SELECT id, filters FROM accesslogentry WHERE view = 'EDC download' AND actor_email = :a "
                        "ORDER BY id", a=email)


def logged_people(stack, entry_id: int) -> set[int]:
    return {r[0] for r in query(stack, "SELECT employee_id FROM accesslogsubject WHERE entry_id = :i", i=entry_id)}


def switch(page: Page):
    return main_area(page).get_by_role("switch", name=TOGGLE)


def test_hr_manager_hands_each_completer_a_european_digital_credential(page: Page, live_stack, tmp_path):
    hr = demo_user(live_stack, "hr_manager")
    org = org_of(live_stack, hr["org_code"])
    period = last_complete_quarter(today_())  # the filter bar's default period
    expected = completions_in_scope(live_stack, org.id, period.start, period.end)
    assert expected, "the demo data should give this employer completions in the last complete quarter"
    expected_n = min(len(expected), edc.MAX_PAGE_CREDENTIALS)

    # 1. Enrollment and completion, the default period; preparing the credentials offers one per completion.
    sign_in(page, live_stack, hr["email"])
    open_page(page, "Enrollment and completion")
    expect(main_area(page)).to_contain_text(
        f"{period.label} ({fmt(period.start, 'date')} – {fmt(period.end, 'date')})")
    expect(switch(page)).not_to_be_checked()
    main_area(page).get_by_text(TOGGLE, exact=True).click()
    settle(page)
    expect(switch(page)).to_be_checked()
    button = main_area(page).get_by_role(
        "button", name=f"Download {fmt(expected_n)} European Digital Credential{'' if expected_n == 1 else 's'} (zip)")
    expect(button).to_be_visible(timeout=40_000)  # sealing runs the SHACL check once per micro-credential
    no_raw_values(page)

    # 2. The zip: one sealed .jsonld per completion, each verifying against the certificate it holds.
    with page.expect_download() as download:
        button.click()
    settle(page)
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    names = archive.namelist()
    assert edc.CERTIFICATE_FILE in names
    trusted = tmp_path / edc.CERTIFICATE_FILE
    trusted.write_bytes(archive.read(edc.CERTIFICATE_FILE))
    files = sorted(name for name in names if name.endswith(".jsonld"))
    assert len(files) == expected_n == len(names) - 1
    in_zip = {int(ENROLLMENT_OF_FILE.search(name).group(1)): name for name in files}
    # Exactly the completions the database gives (or the first ones, should there be more than a page holds).
    assert (set(in_zip) == set(expected)) if expected_n == len(expected) else (set(in_zip) <= set(expected))
    credentials = {}
    for position, (enrollment_id, name) in enumerate(sorted(in_zip.items())):
        # The SHACL shapes on two files (~0.15 s each); the seal and its trust on every one.
        checked = edc.verify_document(json.loads(archive.read(name)), trusted=trusted, conformance=position < 2)
        assert checked.ok, (name, checked.problems)
        assert "the seal's certificate is trusted" in checked.checks
        if position < 2:
            assert "the credential conforms to the EDC generic shapes" in checked.checks
        # Only the HR manager's own employer's people, each the learner of their own enrollment.
        _, full_name, employee_ref = expected[enrollment_id]
        assert checked.credential["credentialSubject"]["fullName"] == {"en": full_name}, name
        assert f"-{employee_ref}_{enrollment_id}.jsonld" in name
        credentials[enrollment_id] = checked.credential
    # The test run and the app share one seal folder (tests/conftest.py): the zip's certificate is the deployment's,
    # which the verifier trusts by default.
    assert trusted.read_bytes() == cert_path().read_bytes()
    assert edc.verify_document(json.loads(archive.read(files[0])), conformance=False).ok
    own_people = {r[0] for r in query(live_stack, "SELECT full_name FROM employee WHERE employer_id = :o", o=org.id)}
    assert {c["credentialSubject"]["fullName"]["en"] for c in credentials.values()} <= own_people

    # A file altered after sealing fails the same check.
    tampered = json.loads(archive.read(files[0]))
    tampered["payload"] = tampered["payload"].replace(expected[int(ENROLLMENT_OF_FILE.search(files[0]).group(1))][1],
                                                      "Someone Else")
    assert not edc.verify_document(tampered, trusted=trusted, conformance=False).ok

    # 3. The download is in the access log, with the people the zip names; the page is as it was left.
    logged = edc_downloads(live_stack, hr["email"])
    assert len(logged) == 1
    assert period.label in logged[0].filters
    assert logged_people(live_stack, logged[0].id) == {expected[e][0] for e in in_zip}
    expect(main_area(page).get_by_role("heading", level=1, name="Enrollment and completion")).to_be_visible()
    expect(switch(page)).to_be_checked()
    expect(button).to_be_visible()
    expect(main_area(page).get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Downloaded {fmt(expected_n)} European Digital Credential{'' if expected_n == 1 else 's'}; "
        "the download is recorded in the access log.")

    # 4. One completer's page, opened from the learner list: their credential, with the database's values.
    enrollment_id = min(in_zip)
    employee_id, full_name, employee_ref = expected[enrollment_id]
    search = main_area(page).get_by_label("Search name or employee id", exact=True)
    search.fill(employee_ref)
    search.press("Enter")
    settle(page)
    choose(page, "Open a person's page", f"{full_name} ({employee_ref})")
    main_area(page).get_by_role("button", name="Open their page").click()
    settle(page)
    expect(main_area(page).get_by_role("heading", level=1, name="Person")).to_be_visible()
    expect(main_area(page).get_by_role("heading", name=full_name)).to_be_visible()
    assert f"id={employee_id}" in page.url, page.url
    main_area(page).get_by_text(TOGGLE, exact=True).click()
    settle(page)
    name = in_zip[enrollment_id]
    title, ects, completed_on = query(
        live_stack, "SELECT c.title, c.ects_credits, n.completed_on FROM enrollment n "
                    "JOIN credential c ON c.id = n.credential_id WHERE n.id = :n", n=enrollment_id)[0]
    completed_on = completed_on if isinstance(completed_on, date) else date.fromisoformat(str(completed_on))
    what = f"{title}, completed {fmt(completed_on, 'date')}"
    own = main_area(page).get_by_role("button", name=f"Download {what} (.jsonld)")
    expect(own).to_be_visible(timeout=30_000)
    no_raw_values(page)
    with page.expect_download() as download:
        own.click()
    settle(page)
    assert download.value.suggested_filename == name
    checked = edc.verify_file(download.value.path(), trusted=trusted)
    assert checked.ok, checked.problems
    assert checked.credential == credentials[enrollment_id]  # the same credential as in the zip
    expect(main_area(page).get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Downloaded the European Digital Credential for {what}; the download is recorded in the access log.")
    achievement = checked.credential["credentialSubject"]["hasClaim"]
    assert checked.credential["credentialSubject"]["fullName"] == {"en": full_name}
    assert achievement["title"] == {"en": title}
    assert Decimal(achievement["specifiedBy"]["creditPoint"]["point"]) == Decimal(str(ects))
    assert achievement["awardedBy"]["awardingDate"] == f"{completed_on}T00:00:00Z"
    assert checked.credential["issued"] == f"{completed_on}T00:00:00Z"

    # Logged too, about that person only; still on their page with the toggle on.
    person_logged = edc_downloads(live_stack, hr["email"])
    assert len(person_logged) == 2
    assert person_logged[1].filters == f"their credential {name}"
    assert logged_people(live_stack, person_logged[1].id) == {employee_id}
    expect(main_area(page).get_by_role("heading", name=full_name)).to_be_visible()
    expect(switch(page)).to_be_checked()
    assert not main_area(page).get_by_test_id("stException").count()
