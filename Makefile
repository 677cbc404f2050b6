# `make test` and `make demo` create the virtual environment on first use (Python >= 3.10 and pip, nothing else).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# the environment is (re)built when pyproject.toml's content changes: the stamp's name carries its hash
# (not its date, which a fresh clone resets)
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])")

.PHONY: env test demo docs readme export clean-nbs bench-load bench-drug bench-session

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[all]"
	rm -f $(VENV)/.installed-*; touch $@

env: $(STAMP)

test: env  ## run every notebook as nbdev-test does; ends with `N passed, N failed`
	$(BIN)/python tools/run_tests.py

demo: env  ## every architecture's quick configuration on its default data
	$(BIN)/gru-hybrids demo --out demo_output

export: env
	$(BIN)/nbdev-export

clean-nbs: env
	$(BIN)/nbdev-clean

readme: env
	$(BIN)/python tools/make_readme.py

docs: env  ## offline HTML docs in _site/, then a headless-Chromium check of every page
	$(BIN)/python tools/build_docs.py
	$(BIN)/python tools/check_docs.py

bench-load: env  ## full load-forecasting comparison (ours); peers run in their own environment
	$(BIN)/python bench/load_forecast.py

bench-drug: env  ## drug-likeness: 5-fold scaffold and random splits (ours and baselines); Chemprop runs in its own environment
	$(BIN)/python bench/drug_likeness.py

bench-session: env  ## session-based recommendation: baselines, our three encoders and RecBole's GRU4Rec / SASRec on one split
	bash bench/setup_env.sh recbole
	$(BIN)/python bench/session_rec.py --recbole
