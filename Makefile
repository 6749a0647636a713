# samdrift: `make run` starts the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt pyproject.toml | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2
DEV := DJANGO_SETTINGS_MODULE=config.settings.dev

.PHONY: install run demo serve test lint typecheck importlint migrations-check pytest browser \
        bench bench-billing bench-jobs bench-identity bench-a11y bench-files messages migrations clean frontend jslint \
        bench-live bench-search bench-documents bench-import-reads bench-notifications bench-checker-load bench-backup bench-operations bench-site-search bench-security bench-pitr bench-calendar bench-coediting bench-meetings bench-broadcast bench-chat audit \
        schemathesis

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Browser scripts (ADR 0029): `npm ci` when the lockfile changed, esbuild when a source did.
## Needs Node 20 and npm; the bundle is built, never committed.
FRONTEND_MODULES := frontend/node_modules/.samdrift-installed
FRONTEND_BUNDLE := samdrift/ui/static/ui/dist/samdrift.js
$(FRONTEND_MODULES): frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(FRONTEND_BUNDLE): $(FRONTEND_MODULES) $(wildcard frontend/src/*.js)
	cd frontend && npm run --silent build

frontend: $(FRONTEND_BUNDLE)

jslint: $(FRONTEND_MODULES)
	cd frontend && npx --no-install eslint .

## The demo on the embedded defaults: SQLite, in-process everything, http://127.0.0.1:8000, with
## the development e-ID provider on http://127.0.0.1:8500 (the "Logga in med e-legitimation"
## button and step-up to loa3 for EFOS and SAFOS), Synapse for SAFOS chat (installed into its own
## venv on the first run, ADR 0650) and Janus for SAFOS meetings (ADR 0670); all stop together.
run: install frontend
	$(DEV) $(BIN)/samdrift migrate --noinput -v0
	$(DEV) $(BIN)/samdrift demo --if-empty
	$(DEV) $(BIN)/samdrift identity dev-idp --port 8500 & idp=$$!; \
	  chat=; if bash scripts/ensure-synapse.sh >/dev/null; then \
	    $(DEV) $(BIN)/samdrift chat start && chat=1; \
	  else echo "Synapse could not be installed (scripts/ensure-synapse.sh): samdrift runs without chat."; fi; \
	  meet=; if bash scripts/ensure-janus.sh >/dev/null; then \
	    $(DEV) $(BIN)/samdrift meetings start && meet=1; \
	  else echo "Janus could not be installed (scripts/ensure-janus.sh): samdrift runs without meetings."; fi; \
	  trap 'kill $$idp 2>/dev/null; [ -z "$$chat" ] || $(DEV) $(BIN)/samdrift chat stop; [ -z "$$meet" ] || $(DEV) $(BIN)/samdrift meetings stop' EXIT INT TERM; \
	  SAMDRIFT_MEETINGS_ENABLED=$$meet SAMDRIFT_CHAT_ENABLED=$$chat SAMDRIFT_INPROCESS_WORKER=1 $(DEV) $(BIN)/samdrift serve --port 8000

## Every check CI runs: lint, types, layers, migrations, then the tests (browser ones included)
test: install frontend lint typecheck importlint migrations-check browser pytest

lint: install jslint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy samdrift config

importlint: install
	$(BIN)/lint-imports --no-cache

migrations-check: install
	$(DEV) $(PY) manage.py makemigrations --check --dry-run -v1

browser:
	@bash scripts/ensure-browser.sh
	@bash scripts/ensure-clamav.sh
	@bash scripts/ensure-alertmanager.sh
	@bash scripts/ensure-rclone.sh
	@bash scripts/ensure-janus.sh
	@bash scripts/ensure-pgbackrest.sh

pytest: install frontend
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS)

migrations: install
	$(DEV) $(PY) manage.py makemigrations

messages: install
	cd samdrift && $(CURDIR)/$(PY) ../manage.py makemessages -l sv --no-obsolete && $(CURDIR)/$(PY) ../manage.py compilemessages

## Benchmarks print their figures and the ratio to a baseline measured in the same run.
## `make bench` is the platform's: pages and API, jobs, live fan-out, files (bench/README.md);
## each domain's own bench has its target below. One failing floor fails the whole target.
bench: install
	status=0; \
	for script in bench_pages bench_start_pages bench_site_search bench_jobs bench_live bench_files bench_checker_load; do \
	  echo "== bench/$$script.py =="; $(PY) bench/$$script.py || status=1; \
	done; exit $$status

## The start page (next tasks) per demo role on the national dataset vs its bare selector queries
bench-start-pages: install
	$(PY) bench/bench_start_pages.py

## The site-wide search per role at national scale (270,000 officials, 5,000 cases) vs the bare
## indexed queries (issue 21 item 3, ADR 0704)
bench-site-search: install
	$(PY) bench/bench_site_search.py

## Notifications: outbox to SMTP (aiosmtpd) and inbox, vs writing the same rows
bench-notifications: install
	$(PY) bench/bench_notifications.py

## Live co-editing (issue 15): Yjs updates through samdrift vs pycrdt-websocket's own consumer
bench-coediting: install
	$(PY) bench/bench_coediting.py

## One Janus: subscribers until delivery drops, and join time through samdrift vs Janus alone
bench-meetings: install frontend browser
	$(PY) bench/bench_meetings.py

bench-broadcast: install frontend browser
	$(PY) bench/bench_broadcast.py

## SAFOS chat (issue 13): provisioning through samdrift vs bare Synapse calls; delivery p50/p99
## in samdrift's rooms (pushed to samdrift) vs rooms made directly, 100 and 500 /sync clients
bench-chat: install
	$(PY) bench/bench_chat.py

bench-billing: install
	$(PY) bench/bench_billing.py

bench-jobs: install
	$(PY) bench/bench_jobs.py

bench-identity: install
	$(PY) bench/bench_identity.py

bench-a11y: install
	$(PY) bench/bench_a11y.py

## Backup and restore (samdrift backup/restore) vs a raw copy of the same files
bench-backup: install
	$(PY) bench/bench_backup.py

## Point-in-time recovery on PostgreSQL: achieved RPO under continuous archiving through pgBackRest (issue 18, ADR 0974)
bench-pitr: install
	@bash scripts/ensure-pgbackrest.sh
	$(PY) bench/bench_pitr.py

## File up/download through a served samdrift vs raw S3, both on a SeaweedFS the bench starts
bench-files: install
	$(PY) bench/bench_files.py

## Recomputing a year of incident clocks (10,000 incidents) vs a bare replay loop over the same events
bench-operations: install
	$(PY) bench/bench_operations.py

## Security operations: a 100,000-finding Trivy import against parsing it, fan-out, customer page
bench-security: install
	$(PY) bench/bench_security.py

## SAFOS calendar: CalDAV reports on 20,000 events against Radicale's own file storage (issue 12)
bench-calendar: install
	$(PY) bench/bench_calendar.py

## One case change fanned out to 200 WebSocket sessions vs a bare Channels broadcast (+Redis if set)
bench-live: install
	$(PY) bench/bench_live.py

## API reads with a token while a 200,000-row register import runs (SQLite; BENCH_IMPORT_ROWS=…)
bench-import-reads: install
	$(PY) bench/bench_import_reads.py

## The login page's p95 idle and while 12 large PDF checks run as jobs (BENCH_CHECKER_PAGES=…)
bench-checker-load: install
	$(PY) bench/bench_checker_load.py

## Full-text search over 100,000 documents (SQLite FTS5 and PostgreSQL) vs the bare FTS query
bench-search: install
	$(PY) bench/bench_search.py

## SAFOS documents: 1 GB of mixed files through samdrift vs raw S3 (same SeaweedFS), a folder of
## 100,000 documents vs its bare SQL, and the 100,000-document full-text search (issue 11)
bench-documents: install
	status=0; \
	$(PY) bench/bench_documents.py || status=1; \
	$(PY) bench/bench_search.py || status=1; \
	exit $$status

## Known vulnerabilities in requirements/lock.txt fail (ignores with reasons in
## requirements/audit-ignore.txt); AUDIT_SERVICE=osv to ask OSV instead of PyPI. ADR 0039.
audit: install
	BIN=$(BIN) bash scripts/audit.sh

## schemathesis over /api/v1/openapi.json (every phase, stateful included, every check) against
## a served samdrift with the demo data and a real token; ST_MAX_EXAMPLES bounds it. ADR 0039.
schemathesis: install
	$(PY) scripts/schemathesis_run.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
