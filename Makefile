# Shortcuts for Wijkwerk. Make is optional: every target only runs the command shown under it,
# and `run` / `test` are exactly the two Quick start commands from README.md.
#
#   make run                   install, migrate, load the demo and serve it (README line 1)
#   make test                  install with test extras and run the whole suite (README line 2)
#   make translations          extract the messages and update + compile the catalogues
#   make translations-extract  code -> translations/messages.pot -> translations/*/LC_MESSAGES/messages.po
#   make translations-compile  messages.po -> messages.mo (the .mo files are committed)

PYBABEL := .venv/bin/pybabel

.PHONY: run test translations translations-extract translations-compile

run:
	python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/flask --app app db upgrade && .venv/bin/flask --app app seed-demo && .venv/bin/flask --app app run --port "$${PORT:-5000}"

test:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest

translations: translations-extract  # then compile (in this order, also under make -j)
	@$(MAKE) --no-print-directory translations-compile

translations-extract:
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-pot-creation-date

translations-compile:
	$(PYBABEL) compile -d translations --statistics
