# Developer entry points. GNU make; needs only python3.11 (with its venv module) and make.
#
#   make setup   virtualenv, migrated + seeded SQLite database, local dev secrets
#   make run     setup, the DEVELOPMENT identity provider, and the app on http://localhost:8501
#   make test    setup, then the test suite (PYTEST_ARGS="-k login -x" to pass options); installs the
#                bench's requirements-bench.txt too, so the DuckDB comparison test runs instead of skipping
#   make bench   setup + requirements-bench.txt (DuckDB), then `manage.py bench` (BENCH_ARGS="--skip-large")
#   make audit   check every pin of requirements.txt against the known vulnerabilities (needs the network:
#                PyPI, and PyPI's vulnerability data or OSV with AUDIT_SERVICE=osv); pip-audit lives in its
#                own .venv-audit, so neither setup nor test needs it. Run it before a release.
#   make clean   remove the virtualenvs and data/ (the badge signing key lives outside: README, Open Badges)

PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python

APP_PORT ?= 8501
IDP_PORT ?= 9400
# The app must be opened at localhost (the host in the redirect URI), or the login cookie is lost.
APP_URL := http://localhost:$(APP_PORT)
IDP_URL := http://127.0.0.1:$(IDP_PORT)
PYTEST_ARGS ?=
BENCH_ARGS ?=
PIP_VERSION := 26.3
AUDIT_VENV := .venv-audit
PIP_AUDIT_VERSION := 2.10.1
AUDIT_SERVICE ?= pypi

.DEFAULT_GOAL := setup
.PHONY: setup run test bench audit clean

$(VENV)/.installed: requirements.txt
	@test -x $(PYTHON) || $(PY) -m venv $(VENV) || { \
	  echo "Could not create $(VENV) with $(PY). On Debian/Ubuntu: apt-get install python3.11-venv" >&2; \
	  exit 1; }
# Python 3.11's venv brings pip 23.2.1, which has known advisories (CVE-2025-8869, CVE-2026-3219).
	$(PYTHON) -m pip install --disable-pip-version-check -q pip==$(PIP_VERSION)
	$(PYTHON) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

# The bench's development dependencies (DuckDB), never part of the app's requirements.txt.
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PYTHON) -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	@touch $@

setup: $(VENV)/.installed
	$(PYTHON) manage.py db upgrade
	$(PYTHON) manage.py seed --if-empty
	$(PYTHON) manage.py secrets --app-url $(APP_URL) --idp-url $(IDP_URL)

# One shell recipe, so the trap can stop the provider whenever this recipe ends
# (the app exits, Ctrl-C, or a failed start). The INT/TERM traps turn the signal
# into an exit so the EXIT trap also runs under dash.
run: setup
	@idp=; \
	trap 'test -z "$$idp" || kill $$idp 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PYTHON) manage.py idp --port $(IDP_PORT) & idp=$$!; \
	ok=; \
	for i in $$(seq 1 100); do \
	  if $(PYTHON) -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
	       "$(IDP_URL)/.well-known/openid-configuration" 2>/dev/null; then ok=1; break; fi; \
	  kill -0 $$idp 2>/dev/null || break; \
	  sleep 0.2; \
	done; \
	if [ -z "$$ok" ]; then echo "The development identity provider did not start on $(IDP_URL)." >&2; exit 1; fi; \
	$(PYTHON) -c 'import sys; from devtools.idp import check_local_secrets; check_local_secrets(*sys.argv[1:])' \
	  "$(APP_URL)" "$(IDP_URL)"; \
	echo; echo "Demo identities:"; \
	$(PYTHON) manage.py users; \
	echo; \
	echo "Open $(APP_URL) and click 'Log in'. On the provider's form, type one of the emails above"; \
	echo "as the subject (or click it) and press Authorize; stranger@example.com has no account."; \
	echo "The identity provider at $(IDP_URL) is for DEVELOPMENT only."; echo; \
	$(BIN)/streamlit run dashboard.py --server.port $(APP_PORT) --server.address localhost --server.headless true

test: setup $(VENV)/.bench-installed
	$(PYTHON) -m pytest -q $(PYTEST_ARGS)

bench: setup $(VENV)/.bench-installed
	$(PYTHON) manage.py bench $(BENCH_ARGS)

# The pins as written (--no-deps --disable-pip: requirements.txt is the whole resolved set, so nothing is
# installed or resolved); --strict fails if any pin cannot be checked. Exit status 1 = a known vulnerability.
audit:
	@test -x $(AUDIT_VENV)/bin/python || $(PY) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --disable-pip-version-check -q pip-audit==$(PIP_AUDIT_VERSION)
	$(AUDIT_VENV)/bin/pip-audit --requirement requirements.txt --requirement requirements-bench.txt --no-deps --disable-pip --strict \
	  --vulnerability-service $(AUDIT_SERVICE) --progress-spinner off

clean:
	rm -rf $(VENV) $(AUDIT_VENV) data
