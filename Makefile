# Two commands on a fresh machine: `make demo` runs the main job, `make test` runs the tests.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench

$(BIN)/wijksignaal: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(BIN)/wijksignaal
	$(BIN)/wijksignaal rules check
	$(BIN)/wijksignaal demo

test: $(BIN)/wijksignaal
	$(BIN)/pytest

lint: $(BIN)/wijksignaal
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(BIN)/wijksignaal
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/conversations.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/themes.py
	$(BIN)/python bench/scale.py
