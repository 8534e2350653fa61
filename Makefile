# 联桥 — everyday commands. Only Python 3.11 is needed for `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help venv install install-test run jobs serve migrate seed test test-fast lint format bench clean

help:
	@echo "make run    — 安装依赖、升级数据库、导入演示数据并启动 http://$(HOST):$(PORT) 与定时任务进程"
	@echo "make jobs   — 只启动定时任务进程（flask jobs run）"
	@echo "make test   — 安装测试依赖并运行全部测试"
	@echo "make bench  — 运行性能基准并打印结果"
	@echo "make lint   — ruff 检查与分层约束（import-linter）"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

venv install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed --if-empty
	$(BIN)/flask search drain
	$(BIN)/flask matching run --if-missing

# The web server and the jobs process (flask jobs run) together; Ctrl+C (or the server exiting) stops both.
run: seed
	@trap 'kill $$JOBS_PID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask jobs run & JOBS_PID=$$!; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

jobs: migrate
	$(BIN)/flask jobs run

# gunicorn on the development settings (SQLite, embedded search), after migrating; production: README 生产部署.
serve: migrate
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) wsgi:app

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# ruff, then the layer contracts of pyproject.toml ([tool.importlinter]; README 代码结构).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Sections and sizes from the environment, e.g. BENCH_SECTIONS=search BENCH_SIZES=2000 make bench
# (knobs listed in tests/benchmarks/run.py); OpenSearch is measured when `make engine` is running.
bench: install-test
	$(BIN)/python -m tests.benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache

# The development/CI search engine (OpenSearch from Maven, see search/engine/run.sh).
.PHONY: engine engine-stop
engine:
	search/engine/run.sh start

engine-stop:
	search/engine/run.sh stop

# A second, small engine with the k-NN plugin (OpenSearch 2.19.1 + opensearch-knn from Maven Central) on 9201,
# for engine-side vector search (SEARCH_KNN_URL in the tests).
KNN_ENGINE := ENGINE_KNN=1 ENGINE_PORT=$${ENGINE_KNN_PORT:-9201} ENGINE_TRANSPORT_PORT=9301 ENGINE_DIR=$(CURDIR)/engine/knn ENGINE_HEAP=512m
.PHONY: engine-knn engine-knn-stop
engine-knn:
	$(KNN_ENGINE) search/engine/run.sh start

engine-knn-stop:
	$(KNN_ENGINE) search/engine/run.sh stop
