# frontdesk: two commands on a fresh machine, `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run chromium test test-unit test-integration test-e2e test-faults conversations bench lint format install asyncapi clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install frontdesk with its test tools

run: $(STAMP) ## the whole system locally: embedded NATS + PostgreSQL, demo spa, simulator, inbox
	$(PY) -m shared.cli dev

test: $(STAMP) chromium ## every test tier against real embedded servers (two workers, a file's tests on one)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 --dist loadfile

# The browser tests drive Debian's own Chromium (Playwright's download is not used; FRONTDESK_CHROMIUM
# names another): installed here when it is missing and this is root on Debian.
CHROMIUM ?= $(or $(FRONTDESK_CHROMIUM),/usr/bin/chromium)
chromium:
	@test -x "$(CHROMIUM)" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get install -y -qq chromium >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; \
	  fi; \
	  test -x "$(CHROMIUM)" || { echo "no Chromium at $(CHROMIUM): apt-get install chromium, or set FRONTDESK_CHROMIUM"; exit 1; }; }

test-unit: $(STAMP)
	$(PY) -m pytest -q -m unit

test-integration: $(STAMP)
	$(PY) -m pytest -q -m integration

test-e2e: $(STAMP)
	$(PY) -m pytest -q -m e2e

# Outside `make test` (its ten-minute budget): killed agents, a NATS node, PostgreSQL, Twilio and the
# scheduler down, each ending with the invariant checks (docs/operations.md, "Fault runbook").
test-faults: $(STAMP) ## the fault suite: the whole system while things break
	$(PY) -m pytest -q -m faults tests/faults

# `TWILIO_AUTH_TOKEN=any-secret make run` in one terminal, the same in another for this target: the
# scenarios are texted through the gateway's signed webhook and judged from the staff inbox.
GATEWAY_URL ?= http://127.0.0.1:8080
INBOX_URL   ?= http://127.0.0.1:8083
conversations: $(STAMP) ## play tests/conversations against `make run`; SHOW=1 prints failed transcripts
	$(PY) -m shared.cli eval conversations tests/conversations --gateway $(GATEWAY_URL) --inbox $(INBOX_URL) $(if $(SHOW),--show)

bench: $(STAMP) ## benchmarks; each prints its figures
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m ruff check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

asyncapi: $(STAMP) ## regenerate docs/asyncapi.json from the code
	$(PY) -m shared.cli asyncapi --out docs/asyncapi.json

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache
