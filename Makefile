# 联桥 — everyday commands. Only Python 3.11 is needed for `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help venv install install-test run serve migrate seed test test-fast lint format bench clean

help:
	@echo "make run    — 安装依赖、升级数据库、导入演示数据并启动 http://$(HOST):$(PORT)"
	@echo "make test   — 安装测试依赖并运行全部测试"
	@echo "make bench  — 运行性能基准并打印结果"
	@echo "make lint   — ruff 检查"

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

run: seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) wsgi:app

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

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
