import pytest

from devtools.apptest import through_entry_script


@pytest.fixture(autouse=True)
def _pages_run_through_dashboard():
    """switch_page reruns dashboard.py's gate and page list, as a server does."""
    with through_entry_script():
        yield
