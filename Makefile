# Shortcuts for Wijkwerk. Make is optional: every target only runs the command shown under it,
# and `run` / `test` are exactly the two Quick start commands from README.md.
#
#   make run                   install, migrate, load the demo and serve it (README line 1)
#   make test                  install with test extras and run the whole suite (README line 2)
#   make lock                  regenerate requirements/app.txt and requirements/test.txt from
#                              pyproject.toml (whole tree, hashes, every platform, Python 3.11+)
#   make lock-bench            regenerate requirements/bench.txt (the load test's client, locust;
#                              its own venv: see bench/load/run.py)
#   make translations          extract the messages and update + compile the catalogues
#   make translations-extract  code -> translations/messages.pot -> translations/*/LC_MESSAGES/messages.po
#   make translations-compile  messages.po -> messages.mo (the .mo files are committed)

PYBABEL := .venv/bin/pybabel
# The lock tool, pinned. uv resolves once for every platform and Python >= 3.11 (--universal), so
# the same files install on a Mac, in the Debian CI and in the python:3.11-slim image. It keeps
# the versions already in the files unless pyproject.toml asks for others.
UV_VERSION := 0.13.9
UV_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet
UV_COMPILE := .venv/bin/uv pip compile pyproject.toml $(UV_FLAGS) --custom-compile-command "make lock"

.PHONY: run test lock lock-bench translations translations-extract translations-compile

run:
	python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements/app.txt && .venv/bin/pip install -q --no-deps -e . && .venv/bin/flask --app app db upgrade && .venv/bin/flask --app app seed-demo && .venv/bin/flask --app app run --port "$${PORT:-5000}"

test:
	python3 -m venv .venv && .venv/bin/pip install -q --require-hashes -r requirements/test.txt && .venv/bin/pip install -q --no-deps -e . && .venv/bin/python -m pytest

lock:
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/pip install -q uv==$(UV_VERSION)
	$(UV_COMPILE) -o requirements/app.txt
	$(UV_COMPILE) --extra test -o requirements/test.txt

# Only the bench extra (no app dependencies: locust talks HTTP and imports nothing of the app).
lock-bench:
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/pip install -q uv==$(UV_VERSION)
	.venv/bin/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['bench'], sep='\n')" \
	| .venv/bin/uv pip compile - $(UV_FLAGS) --custom-compile-command "make lock-bench" -o requirements/bench.txt

translations: translations-extract  # then compile (in this order, also under make -j)
	@$(MAKE) --no-print-directory translations-compile

translations-extract:
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-pot-creation-date

translations-compile:
	$(PYBABEL) compile -d translations --statistics
