# NioChat — the two commands: `make run` and `make test`. Both set everything up on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.11 on PATH (override with `make PYTHON=/path/to/python3.12 …`).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
FUZZ_TESTS ?= tests/fuzz

.PHONY: help install run test fuzz lint format typecheck migrate check-migrations vendor clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "NioChat precisa de Python 3.11 ou mais novo (python3 --version)."; exit 1; fi
	@echo "==> Preparando $(VENV) com $$($(PYTHON) --version)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install everything (only when requirements change)

run: install ## Start everything (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set)
	@$(BIN)/niochat run

test: install ## Run the whole test suite against real PostgreSQL and Redis
	@$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

fuzz: install ## The fuzz suite's long run: 1000 hostile inputs per webhook and API case (FUZZ_EXAMPLES=n to change)
	@HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -n auto $(FUZZ_TESTS) -p no:cacheprovider \
		--hypothesis-show-statistics $(PYTEST_ARGS)

lint: install ## ruff (lint + format check) and mypy
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy .

typecheck: install ## mypy only
	@$(BIN)/mypy .

format: install ## Format and fix what ruff can
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

migrate: install ## Apply migrations
	@$(BIN)/niochat migrate

check-migrations: install ## Migrations match the models (alembic check)
	@$(BIN)/niochat migrate --check

vendor: ## Refresh web/static/vendor from the npm registry (package-lock.json); the result is committed
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/socket.io-client/dist/socket.io.min.js web/static/vendor/
	cp node_modules/socket.io-client/LICENSE web/static/vendor/socket.io.LICENSE
	mkdir -p web/static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE web/static/vendor/swagger-ui/

clean: ## Remove .venv and caches (keeps instance/ data)
	rm -rf $(VENV) .mypy_cache .ruff_cache *.egg-info
