# Two commands on a fresh machine: `make demo` runs the main job, `make test` runs the tests.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench catalogues

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
	$(BIN)/python bench/texts.py
	$(BIN)/python bench/scale.py

# After changing a sentence in kern/teksten/*.j2: collect the sentences and add new ones to
# each language's catalogue (kern/teksten/locale/*/LC_MESSAGES/wijksignaal.po) to translate.
# tests/kern/test_vertalingen.py fails until every sentence is translated.
LOCALE := kern/teksten/locale
catalogues: $(BIN)/wijksignaal
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
		--project=Wijksignaal --copyright-holder="Wijksignaal" -o $(LOCALE)/wijksignaal.pot kern/teksten
	for taal in en tr ar; do \
		if [ -f $(LOCALE)/$$taal/LC_MESSAGES/wijksignaal.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D wijksignaal \
				-i $(LOCALE)/wijksignaal.pot -d $(LOCALE) -l $$taal; \
		else \
			$(BIN)/pybabel init -D wijksignaal -i $(LOCALE)/wijksignaal.pot -d $(LOCALE) -l $$taal; \
		fi; \
	done
