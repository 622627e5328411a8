# The two commands of the README: `make reports` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extras installed into .venv: CI adds `spark` (pyspark, ~500 MB) for the DuckDB-vs-Spark proof.
EXTRAS ?= dev

.PHONY: reports test validate setup benchmark benchmark-sweep benchmark-billing benchmark-forecast benchmark-anomaly benchmark-interrupt benchmark-finops clean notebooks-refresh lab test-lab

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "costbook needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

reports: $(STAMP)
	$(BIN)/costbook run

validate: $(STAMP)
	$(BIN)/costbook validate

test: $(STAMP)
	$(BIN)/costbook validate
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider notebooks/

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run_benchmark.py

# The sweep part of `make benchmark` alone: 21 x 21 sweeps against `costbook run` on a sample of the points.
benchmark-sweep: $(STAMP)
	$(BIN)/python benchmarks/run_benchmark.py --sweep-only

benchmark-billing: $(STAMP)
	$(BIN)/python benchmarks/billing_scan.py

# Workbook 04's statistical baseline on six public monthly series (ORIGINS=2 for a quick look).
ORIGINS ?= 12
benchmark-forecast: $(STAMP)
	$(BIN)/python benchmarks/forecast_accuracy.py --origins $(ORIGINS)

# Detectors and combined incidents against STL + Tukey, rolling z and day-over-day > 50% (needs statsmodels).
benchmark-anomaly: $(STAMP)
	$(BIN)/python benchmarks/anomaly_detection.py
# Workbook 06 at about 1M, 10M and 30M rows (resources x days); SIZES=1400x30 for a quick run.
SIZES ?= 1400x30,14000x30,20000x62
benchmark-finops: $(STAMP)
	$(BIN)/python benchmarks/finops_workbook.py --sizes $(SIZES)

notebooks-refresh: $(STAMP)
	$(BIN)/python scripts/refresh_notebooks.py

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# The JupyterLab browser test alone (Debian's Chromium at /usr/bin/chromium; `make test` runs it too).
# Screenshots go to outputs/lab-screenshots/ (or $$COSTBOOK_LAB_SCREENSHOTS).
test-lab: $(STAMP)
	COSTBOOK_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/test_browser_lab.py -v

clean:
	rm -rf outputs/*/ outputs/index.html

# How long Ctrl-C takes to stop `costbook run` (a benchmark, printed; the fault test only checks that it stops).
.PHONY: benchmark-interrupt
benchmark-interrupt: $(STAMP)
	$(BIN)/python benchmarks/interrupt_latency.py
