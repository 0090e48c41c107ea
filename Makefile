# projection-drift: every target does its own set-up (dependencies, build, database server).
SHELL := /bin/bash
.DEFAULT_GOAL := help

RANGE ?=
FORMAT ?= text
LIMIT ?= 50
DEMO_DB ?= projection_drift_demo
NODE_MODULES_STAMP := node_modules/.package-lock.json
SOURCES := $(shell find src -name '*.ts') tsconfig.json
TEMPLATES := $(shell find templates -name '*.hbs')

.PHONY: help install build db-up drift-report demo test test-deep docs-verify typecheck bench bench-db clean
# A failed build leaves no dist/cli.js behind that would look up to date (the build writes it before checking its code cache).
.DELETE_ON_ERROR:

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES_STAMP) ## Install dependencies (npm ci)

# tsc compiles src/ to build/ (the benchmark and the demo loader run from there); then
# scripts/build_cli.ts makes dist/: the CLI in one bundled file with the templates precompiled, and
# its launcher dist/cli.js. One recipe makes both (a grouped target), so a missing build/ is rebuilt too.
dist/cli.js build/bench/run_bench.js &: $(NODE_MODULES_STAMP) $(SOURCES) $(TEMPLATES) scripts/build_cli.ts
	npx tsc -p tsconfig.json
	node --import tsx scripts/build_cli.ts
	@chmod +x dist/cli.js

build: dist/cli.js build/bench/run_bench.js ## Compile src/ to build/ and bundle the CLI into dist/

db-up: ## Start the local MariaDB server if it is not answering
	@.ci/ensure-db

drift-report: build ## Run the report: make drift-report RANGE=0-99 [FORMAT=text] [LIMIT=50]
	node dist/cli.js $(if $(RANGE),--range $(RANGE)) --format $(FORMAT) --limit $(LIMIT)

demo: build db-up ## Load the sample database and print the report for buckets 0-99
	node build/fixtures/load_demo.js $(DEMO_DB)
	DB_HOST=$${DB_HOST:-127.0.0.1} DB_NAME=$(DEMO_DB) node dist/cli.js --range 0-99 --format $(FORMAT) --limit $(LIMIT); \
	  status=$$?; [ $$status -le 1 ] || exit $$status

# test/tsconfig.json extends tsconfig.json and includes src/, so one pass checks both with the
# same options; the build is the other pass over src/ (it also holds src/ to rootDir).
typecheck: $(NODE_MODULES_STAMP) ## Type-check src/ and test/
	npx tsc -p test/tsconfig.json

UVU := node --import tsx node_modules/uvu/bin.js test

test: build db-up typecheck ## Run every test against the local server, once per table shape (fresh v2, production)
	@status=0; for shape in fresh production; do \
	  echo "== tests on the $$shape table shape (SCHEMA_SHAPE=$$shape)"; \
	  SCHEMA_SHAPE=$$shape $(UVU) '\.test\.ts$$' || status=1; \
	done; exit $$status

test-deep: build db-up ## The differential test on 5,000 random databases per table shape (a few minutes)
	@status=0; for shape in fresh production; do \
	  SCHEMA_SHAPE=$$shape DIFFERENTIAL_RUNS=5000 $(UVU) 'differential\.test\.ts$$' || status=1; \
	done; exit $$status

docs-verify: build db-up ## Check that the README's example report is what the tool prints
	$(UVU) 'docs_example\.test\.ts$$'

ROUNDS ?= 5
SHAPE ?= $(or $(SCHEMA_SHAPE),fresh)
SIZE ?= $(or $(SITES),1M)
BENCH_OPTIONS = --shape $(SHAPE) --size $(SIZE)
bench: build db-up ## Benchmark against the seed (databases made once): make bench [SHAPE=fresh|production] [SIZE=1M|10M] [ROUNDS=5] [RANGES=10,100,1000] [SKIP=seed,floor,fixed,drifting,baseline] [MEASURE_1M=1 | BASE_1M=1150ms]
	DB_HOST=$${DB_HOST:-127.0.0.1} node build/bench/run_bench.js --rounds $(ROUNDS) $(BENCH_OPTIONS) \
	  $(if $(RANGES),--ranges $(RANGES)) $(if $(SKIP),--skip $(SKIP)) $(if $(MEASURE_1M),--measure-1m) $(if $(BASE_1M),--base-1m $(BASE_1M))

bench-db: build db-up ## Only generate a benchmark database: make bench-db [SHAPE=fresh|production] [SIZE=1M|10M] [KIND=standard|drifting|empty]
	DB_HOST=$${DB_HOST:-127.0.0.1} node build/bench/generate_bench_db.js $(BENCH_OPTIONS) --kind $(or $(KIND),standard)

clean: ## Remove build output
	rm -rf dist build
