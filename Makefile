# The two set-up commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers: whole test modules shared out over the machine's cores (0: one process)
TEST_WORKERS ?= auto

.PHONY: run test quick lint worker beat messages clean bench bench-data backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  社区韧性工作平台 / Community resilience portal: http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: $${DEMO_PASSWORD:-resilience-demo}):"
	@echo "    huayang_staff, xinhua_staff, lujiazui_staff  街镇工作人员 / street staff"
	@echo "    changning_reviewer, pudong_reviewer          区级审核员 / district reviewers"
	@echo "    changning_district                           区应急管理局 / district staff"
	@echo "    admin                                        系统管理员 / admin (also /admin/)"
	@echo "    huayi_community, huayi_grid, huayi_officer   居委 / 网格员 / 灾害信息员 (phone: /m/)"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DEBUG=false SECRET_KEY=check-deploy-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	  ALLOWED_HOSTS=portal.example.gov.cn $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# While working: no lint, the test databases kept between runs, failures of the last run first.
quick: $(VENV)/.installed-test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --reuse-db --failed-first $(PYTEST_ARGS)

worker: $(VENV)/.installed-run
	$(BIN)/celery -A resilience worker -l info

beat: $(VENV)/.installed-run
	$(BIN)/celery -A resilience beat -l info

# City-scale benchmarks (PostgreSQL, see bench/run.py): build the data set once, then measure.
BENCH_DB ?= res_bench
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_ARGS ?=

bench-data: $(VENV)/.installed-run
	createdb -h 127.0.0.1 -U postgres $(BENCH_DB) 2>/dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py seed_city --scale 1.0

bench: $(VENV)/.installed-run
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)

# After changing user-facing strings: update the English catalogue, translate, then compile.
messages: $(VENV)/.installed-run
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

# Backups (PostgreSQL): the database (pg_dump) and MEDIA_ROOT (tar) into $(BACKUP_DIR)/<timestamp>/.
# Restore replaces both: make restore BACKUP=var/backups/20260101-020000
BACKUP_DIR ?= var/backups
backup: $(VENV)/.installed-run
	$(BIN)/python manage.py backup --output-dir $(BACKUP_DIR)

restore: $(VENV)/.installed-run
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=$(BACKUP_DIR)/<timestamp>"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP) --yes

clean:
	rm -rf $(VENV) var db.sqlite3
