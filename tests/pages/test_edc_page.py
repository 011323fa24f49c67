"""AppTest: the learner drill-down offers the European Digital Credentials of the completions in its filters,
next to the Open Badges, each role only its own people's, logged when downloaded, and says plainly when the
awarding body lacks its legal identity."""

from __future__ import annotations

import io
import zipfile

from db.models import Organization
from tests.pages import test_pages as page_tests
from tests.pages.test_pages import open_page
from tests.pages.test_purpose_limits import entries, ids
from tests.services import edc_helpers

app_db, seal_files = page_tests.app_db, edc_helpers.seal_files




def test_an_officer_downloads_the_quarters_credentials_and_it_is_logged(app_db, session):
    world = edc_helpers.make_ready(session, app_db)
    at = open_page("officer@uni-one.test", "pages/enrollments.py")
    at.toggle(key="learner_edc").set_value(True).run()
    assert not at.exception and not at.error
    button = at.download_button(key="learner_edc_zip")
    assert button.proto.label == "Download 2 European Digital Credentials (zip)"
    before = len(entries(session))
    button.click().run()
    # Ann One (Acme) and Bea One (Beta) completed K1 in 2026Q2; one entry per employer.
    assert [(e[1], e[4]) for e in entries(session)[before:]] == [
        ("EDC download", ids(world, "a1")), ("EDC download", ids(world, "b1"))]
    # Said where the user clicked, the toggle still on.
    assert [message.value.replace("\\", "") for message in at.success] == [
        "Downloaded 2 European Digital Credentials; the download is recorded in the access log."]
    assert at.toggle(key="learner_edc").value


def test_an_hr_manager_gets_only_their_employees(app_db, session):
    world = edc_helpers.make_ready(session, app_db)
    from services import edc
    from services.filters import Filters

    at = open_page("hr@acme.test", "pages/enrollments.py")
    at.toggle(key="learner_edc").set_value(True).run()
    assert at.download_button(key="learner_edc_zip").proto.label == "Download 1 European Digital Credential (zip)"
    _, data = edc.export_zip(session, world.scope(session, "hr@a"), Filters())
    assert [name for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if name.endswith(".jsonld")] == [
        f"K1_ACME-1_{world.id('E-a1-K1')}.jsonld"]


def test_a_missing_legal_identifier_is_explained(app_db, session):
    at = open_page("officer@uni-one.test", "pages/enrollments.py")  # the world as built: no legal identifiers
    at.toggle(key="learner_edc").set_value(True).run()
    assert not at.exception
    (error,) = at.error
    shown = error.value.replace("\\", "")  # the page escapes Markdown
    assert shown.startswith("European Digital Credentials cannot be prepared: Uni One (U1) has no legal identifier "
                            "and no country, which a European Digital Credential must name.")
    assert "organizations set --code U1" in shown
    assert session.get(Organization, app_db.id("U")).legal_identifier is None


def test_the_person_page_offers_their_sealed_credential_and_logs_it(app_db, session):
    world = edc_helpers.make_ready(session, app_db)
    from tests.pages.test_person_page import find, open_person

    at = find(open_person("hr@acme.test"), "ann", world.id("a1"))
    at.toggle(key="person_edc").set_value(True).run()
    assert not at.exception and not at.error
    button = at.download_button(key="person_edc_0")
    # Named by what it is, not by its file name (the file is K1_ACME-1_<enrollment>.jsonld).
    assert button.proto.label.replace("\\", "") == "Download Credential K1, completed 20 Apr 2026 (.jsonld)"
    before = len(entries(session))
    button.click().run()
    assert [(e[0], e[1], e[4]) for e in entries(session)[before:]] == [
        ("hr@acme.test", "EDC download", ids(world, "a1"))]
    assert [message.value.replace("\\", "") for message in at.success] == [
        "Downloaded the European Digital Credential for Credential K1, completed 20 Apr 2026; the download is "
        "recorded in the access log."]
    assert at.toggle(key="person_edc").value  # the user stays where they were
