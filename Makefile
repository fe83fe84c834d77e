# make chat  - set up .venv and start the bot on the embedded default (SQLite, demo catalogue)
# make test  - set up .venv and run every test (with the short form of the fault suite)
# make bench - the benchmarks of docs/benchmarks.md (BENCH_ARGS=--quick for a 5-minute run)
# make reliability - the long form of the fault and abuse suite (tests/reliability)
# make rasa-e2e - a real Rasa 3.6.21 (own Python 3.10 env in .rasa/venv) against the action server
# make test-dates - the tests on the real clock at the instants that break date code (faketime)
# make screenshots - the Mini App's screenshots in docs/images (needs chromium, chromium-driver)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python
RUNTIME := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.installed-stamp

# Rasa 3.6 runs on Python 3.8-3.10: python3.10 from PATH, else pyenv's newest 3.10.
# The first Python 3.10 that runs: python3.10 on PATH (a pyenv shim there may name a version
# that is not selected), else pyenv's newest 3.10.
PYTHON310 ?= $(shell for p in $$(command -v python3.10) $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 2>/dev/null | sort -V -r); do "$$p" -c 'import sys' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
RASA_VERSION := 3.6.21
RASA_VENV := .rasa/venv
RASA_STAMP := $(RASA_VENV)/.installed-$(RASA_VERSION)

.PHONY: chat test test-dates lint format bench reliability rasa-e2e clean messages messages-update messages-check

# uv installs in seconds what pip takes a minute for; it is bootstrapped into the venv with pip.
$(BIN)/uv:
	@echo "Setting up $(VENV) with $$($(PYTHON) --version) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv 2>/dev/null

# make chat needs only the bot itself; make test adds the development tools.
$(RUNTIME): pyproject.toml setup.py | $(BIN)/uv
	@echo "Installing licencebot into $(VENV) ..."
	@$(UV) -e .
	@touch $@

$(STAMP): pyproject.toml setup.py $(RUNTIME)
	@echo "Installing the development tools into $(VENV) ..."
	@$(UV) -e '.[dev]'
	@touch $@

chat: $(RUNTIME)
	$(BIN)/licencebot chat

# Branch coverage (pyproject.toml [tool.coverage.*]): the report ends the run, which fails
# when domain/ is covered less than this (measured in-process only; README, "make test").
COVERAGE_FLOOR ?= 93

test: $(STAMP)
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)
	@printf 'domain/ branch coverage (floor $(COVERAGE_FLOOR)%%): '
	@$(BIN)/coverage report --include='domain/*' --format=total --fail-under=$(COVERAGE_FLOOR)

bench: $(STAMP)  ## issue 11's benchmarks, ratios against baselines of the same run (BENCH_ARGS=--quick)
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

test-dates: $(STAMP)  ## issue 16: tests marked real_clock at new year, leap day, DST switches...
	$(BIN)/python -m tests.dates -p no:cacheprovider $(PYTEST_ARGS)

reliability: $(STAMP)  ## the long fault and abuse suite (a short form runs in `make test`)
	LICENCEBOT_RELIABILITY=long $(BIN)/python -m pytest tests/reliability -p no:cacheprovider $(PYTEST_ARGS)

screenshots: $(STAMP)  ## the README's pictures of the Mini App, from its browser test
	MINIAPP_SCREENSHOTS=docs/images $(BIN)/python -m pytest tests/e2e/test_miniapp_browser.py -q

$(RASA_STAMP):
	@test -n "$(PYTHON310)" || { echo "rasa-e2e needs Python 3.10 (python3.10 on PATH or pyenv install 3.10)"; exit 1; }
	$(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet "rasa==$(RASA_VERSION)"
	touch $(RASA_STAMP)

rasa-e2e: $(STAMP) $(RASA_STAMP)  ## validate, train (cached in .rasa/models), talk to a real Rasa
	@# its conversations run on SQLite: CI's demand that PostgreSQL tests ran is the full suite's
	env -u LICENCEBOT_REQUIRE_POSTGRES LICENCEBOT_RASA_BIN=$(abspath $(RASA_VENV))/bin/rasa \
		$(BIN)/python -m pytest tests/rasa_e2e -p no:cacheprovider -x $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot domain actions tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture  # dead code: [tool.vulture] in pyproject.toml, tests/vulture_whitelist.py
	$(MAKE) --no-print-directory messages-check

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Message catalogues (gettext through Babel): msgid = message key, German first, English complete.
LOCALES := domain/texts/locales
EXTRACT := $(BIN)/pybabel extract --no-location --omit-header --sort-output \
	-k tr -k say -k button -k N_ -k texts -o $(LOCALES)/messages.pot bot actions domain

messages: $(STAMP)  ## the template of every key the code uses
	$(EXTRACT)

messages-update: messages  ## new keys into de and en (empty until translated)
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching -i $(LOCALES)/messages.pot -d $(LOCALES)

messages-check: $(STAMP)  ## both catalogues compile (into a scratch folder)
	@tmp=$$(mktemp -d) && cp -r $(LOCALES)/. $$tmp && \
	$(BIN)/pybabel compile --statistics -d $$tmp && rm -rf $$tmp

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
