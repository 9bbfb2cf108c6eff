# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make demo   installs and serves the demo city
#   make test   installs and runs the whole suite (DATABASE_URL=postgres://… runs it on PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8000

.PHONY: install browser demo serve test lint format check messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium drives the browser tests; the CJK font makes Chinese text render in screenshots.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

demo: install
	$(BIN)/onewindow demo --port $(PORT)

test: install browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	DEBUG=1 $(BIN)/onewindow makemigrations --check --dry-run

messages: install
	cd src/onewindow && DEBUG=1 ../../$(BIN)/onewindow makemessages -l zh_Hans --no-obsolete --add-location file && DEBUG=1 ../../$(BIN)/onewindow compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var
