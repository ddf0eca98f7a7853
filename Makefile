# The only command surface. `make dev` runs the platform locally; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: help dev chat test unit lint fmt bench screenshots layer synth cost-floor deploy localstack-deploy openapi db-start db-stop db-status clean spa frontend-test api-types api-types-check

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	bash local/system-packages.sh
	$(UV) sync --frozen --all-groups
	touch $@

dev: .venv/.synced spa ## run the platform on http://127.0.0.1:8000 (PORT overrides); Ctrl-C stops it all
	exec $(PY) -m local.dev

chat: .venv/.synced ## take the WhatsApp assessment against a running make dev: make chat PHONE=+254700000001
	$(PY) -m local.simulator $(PHONE)

test: .venv/.synced lint frontend-test spa /usr/bin/chromium ## every test: lint, SPA checks, unit, integration (own PostgreSQL), infra, browser
	$(PY) -m pytest

# The SPA (frontend/): dependencies when the lock file changed, a build when a source changed.
SPA_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(SPA_SOURCES)
	cd frontend && npx vite build

spa: frontend/dist/index.html ## build the SPA into frontend/dist (when its sources changed)

/usr/bin/chromium:
	bash local/system-packages.sh browser

/usr/bin/valgrind:
	bash local/system-packages.sh valgrind

screenshots: .venv/.synced spa /usr/bin/chromium ## refresh docs/screenshots (the README's) from the browser test
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/e2e/test_browser.py -q

frontend-test: .venv/.synced frontend/node_modules/.package-lock.json ## SPA: ESLint, TypeScript, stale API types, Vitest
	cd frontend && npx eslint . --max-warnings 0
	cd frontend && npx tsc -p .
	$(MAKE) --no-print-directory api-types-check
	cd frontend && npx vitest run

api-types: .venv/.synced frontend/node_modules/.package-lock.json ## regenerate the SPA's API types from the OpenAPI document
	$(PY) -m local.openapi build/openapi.json
	cd frontend && npx openapi-typescript ../build/openapi.json -o src/types/api.gen.ts

api-types-check: .venv/.synced frontend/node_modules/.package-lock.json ## fail when the SPA's API types differ from the OpenAPI document
	$(PY) -m local.openapi build/openapi.json
	cd frontend && npx openapi-typescript ../build/openapi.json -o ../build/api.gen.ts
	@diff -u frontend/src/types/api.gen.ts build/api.gen.ts || \
		{ echo "frontend/src/types/api.gen.ts is stale: run make api-types and commit it" >&2; exit 1; }

unit: .venv/.synced ## unit tests only (no sockets)
	$(PY) -m pytest tests/unit

lint: .venv/.synced ## ruff, import contracts, mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy

fmt: .venv/.synced ## format and fix what ruff can
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: .venv/.synced /usr/bin/valgrind ## run the benchmarks and write BENCHMARKS.md (ONLY="submissions dashboard": those sections alone)
	$(PY) -m bench $(ONLY)

openapi: .venv/.synced ## write build/openapi.json (OUT=path overrides) offline
	$(PY) -m local.openapi $(or $(OUT),build/openapi.json)

layer: .venv/.synced ## build the dependency layer (cached by uv.lock) and record its size in BENCHMARKS.md
	$(PY) -m infra.layer

synth: layer ## synthesize the CDK app, real layer included, into cdk.out (no AWS account; PROFILE=lean)
	bash infra/cdk.sh synth

cost-floor: .venv/.synced ## each profile's monthly cost at zero traffic, from its templates, into BENCHMARKS.md
	$(PY) -m infra.cost_floor

deploy: layer ## deploy to the AWS account of your credentials (PROFILE=lean for the lean profile)
	bash infra/cdk.sh deploy

localstack-deploy: layer ## deploy to a LocalStack you run (Docker and LOCALSTACK_AUTH_TOKEN are yours)
	bash infra/cdk.sh localstack-deploy

db-start: .venv/.synced ## start the dev PostgreSQL alone (same port as make dev)
	$(PY) -m local.devdb start

db-stop: .venv/.synced ## stop the dev PostgreSQL (make dev keeps running and answers 503)
	$(PY) -m local.devdb stop

db-status: .venv/.synced ## whether the dev PostgreSQL runs, where its data is and its port
	$(PY) -m local.devdb status

clean: ## remove build output (keeps .local, the dev database, and .cache, the built layers)
	rm -rf build cdk.out .pytest_cache .mypy_cache .ruff_cache frontend/dist
