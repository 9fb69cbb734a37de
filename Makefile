# facebalance: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run analyze test test-postgres lint bench bench-clinic eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The clinic web app on http://127.0.0.1:8000: migrations, demo clinic (logins printed), dev server.
run: install
	FACEBALANCE_DEBUG=on $(PY) -m facebalance.clinic.manage facebalance_demo
	FACEBALANCE_DEBUG=on $(PY) -m facebalance.clinic.manage runserver 127.0.0.1:8000

## Analyse the bundled sample photos; JSON, annotated PNGs and a summary go to out/.
analyze: install
	$(VENV)/bin/facebalance analyze tests/data/london/001_03.jpg tests/data/london/042_03.jpg \
		tests/data/london/030_03.jpg --out-dir out

## Lint, type check (strict on the core), the import contract (pyproject.toml) and every test (tests needing ../shared skip with a reason when it is absent).
test: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

## The clinic suite on a throwaway PostgreSQL server (127.0.0.1, temporary folder; installed if missing).
test-postgres: install
	.ci/postgres.sh run $(PY) -m pytest -q -p no:cacheprovider tests/clinic tests/records

lint: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

## Speed: writes docs/performance.md.
bench: install
	$(VENV)/bin/facebalance bench --write docs/performance.md

## Clinic latency under a bounded loopback load, SQLite and PostgreSQL: writes docs/performance.md.
bench-clinic: install
	$(VENV)/bin/facebalance bench-clinic --write docs/performance.md
	.ci/postgres.sh run sh -c '$(VENV)/bin/facebalance bench-clinic --database-url "$$DATABASE_URL" --write docs/performance.md'

## Accuracy against hand-placed landmarks: writes docs/validation.md sections.
eval: install
	$(VENV)/bin/facebalance eval measurements --dataset ../shared/data/london_frontal
	$(VENV)/bin/facebalance eval landmarks --dataset ../shared/data/lfpw_train_subset

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
