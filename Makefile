# Ansim: `make run` starts the embedded platform; `make test` runs every check CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APP ?=

# Test and CI environment: real PostgreSQL, RabbitMQ and Redis on this machine.
TEST_ENV := DEBUG=false SECURE_SSL_REDIRECT=false STATIC_MANIFEST=false \
	SECRET_KEY=test-secret-key-that-is-long-enough-for-django-checks-0123456789 \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	PII_ENCRYPTION_KEYS=dGVzdC1rZXktbmV3ZXN0LTAxMjM0NTY3ODlhYmNkZWY=,dGVzdC1rZXktb2xkZXItMDEyMzQ1Njc4OWFiY2RlZmc= \
	PII_HASH_KEY=test-blind-index-key PAYMENTS_WEBHOOK_SECRET=test-webhook-secret \
	PAYMENTS_SANDBOX_ALLOWED=true SANDBOX_ALLOWED=true MASKING_PROVIDER=sandbox \
	DATABASE_URL=$${DATABASE_URL:-postgres:///ansim} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672//} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	API_ANON_RATE=100000/minute API_USER_RATE=100000/minute LOG_LEVEL=WARNING

# The deploy check runs as production would be configured.
DEPLOY_ENV := DEBUG=false ALLOWED_HOSTS=example.com \
	SECRET_KEY=deploy-check-0123456789-abcdefghijklmnopqrstuvwxyz-XY \
	PII_ENCRYPTION_KEYS=ZGVwbG95LWNoZWNrLWtleS0wMTIzNDU2Nzg5YWJjZGU= PII_HASH_KEY=deploy-check-hash \
	PAYMENTS_PROVIDER=portone PORTONE_API_SECRET=deploy-check PORTONE_STORE_ID=store-deploy-check \
	PORTONE_CHANNEL_KEY_CARD=channel-key-card PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT=channel-key-va \
	PORTONE_WEBHOOK_SECRET=whsec_ZGVwbG95LWNoZWNr PORTONE_PLATFORM_CONTRACT_ID=contract-deploy-check \
	MASKING_PROVIDER=twilio TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000 \
	TWILIO_AUTH_TOKEN=deploy-check SMS_BACKEND=masking.providers.ProviderSmsBackend \
	EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	STORAGE_S3_ENDPOINT_URL=https://s3.ap-northeast-2.amazonaws.com STORAGE_S3_REGION=ap-northeast-2 \
	STORAGE_S3_PUBLIC_BUCKET=ansim-deploy-check-public STORAGE_S3_PRIVATE_BUCKET=ansim-deploy-check-private \
	DATABASE_URL=$${DATABASE_URL:-postgres:///ansim}

# The suite runs on two processes (the machine has two cores; much of a test's time is spent
# waiting on PostgreSQL, a worker or the browser). Races share one process, one after another:
# see tests/conftest.py. Locally the test databases are kept between runs (migrated forward);
# CI builds them anew.
PYTEST_WORKERS ?= 2
PYTEST_DB := $(if $(CI),--create-db,--reuse-db)
PYTEST_PARALLEL := $(if $(filter 0 1,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

.PHONY: run test lint check bench screenshots venv venv-dev vendor migrate seed messages clean services \
	services-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

# Front-end packages from npm (package-lock.json), served by the site itself: no CDN at run time.
# PortOne's browser SDK, the Pretendard web font (variable, split into Unicode ranges so a page loads only
# the glyphs it shows) and Chart.js for the staff dashboards; axe-core stays in node_modules for the tests.
VENDOR := static/vendor/.installed
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -rf static/vendor && mkdir -p static/vendor/portone static/vendor/pretendard static/vendor/chartjs
	cp node_modules/@portone/browser-sdk/dist/v2.js static/vendor/portone/browser-sdk.js
	cp node_modules/pretendard/dist/web/variable/pretendardvariable-dynamic-subset.css static/vendor/pretendard/
	cp -r node_modules/pretendard/dist/web/variable/woff2-dynamic-subset static/vendor/pretendard/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/chart.umd.min.js
	touch $@

vendor: $(VENDOR)

run: venv vendor
	PORT=$(PORT) ./scripts/run-embedded

migrate: venv
	DEBUG=true $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo

# PostgreSQL, Redis, RabbitMQ and the database up; Chromium (tests) or wrk and pgbench (bench).
services:
	@./scripts/services test

services-bench:
	@./scripts/services bench

lint: venv-dev
	$(BIN)/ruff check .
	PYTHONPATH=scripts $(BIN)/lint-imports --no-cache

check: venv-dev vendor services
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

test: services lint check
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_DB) $(PYTEST_ARGS)

# The README's pictures: the page gates' walk (tests/e2e/test_page_gates.py) on the demo data saves each
# main page's first screen at 390×844 and 1280×800 as docs/screenshots/<page>-<width>.png.
screenshots: venv-dev vendor services
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_DB) \
		tests/e2e/test_page_gates.py

bench: venv-dev services-bench
	$(BIN)/python bench/run.py $(APP)

messages: venv-dev
	DEBUG=true $(BIN)/python manage.py makemessages -l ko -l en --ignore=.venv --ignore=var
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var .pytest_cache static/vendor node_modules
