# syntax=docker/dockerfile:1
# licencebot: the Telegram bot (`licencebot run`) and the Rasa action server (`licencebot actions`)
# from one image. Build from the repository root: docker build -t licencebot .
# docs/operations.md explains deploy/compose.yaml, which builds and runs it.

# --- build: the wheels of licencebot and of every dependency ------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY domain ./domain
COPY actions ./actions
COPY data ./data
RUN pip wheel --wheel-dir /wheels .

# --- run: the non-editable install, as an unprivileged user -------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 licencebot \
    && useradd --system --uid 10001 --gid licencebot --home-dir /var/lib/licencebot \
       --create-home --shell /usr/sbin/nologin licencebot
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels licencebot
USER 10001:10001
# The working directory holds nothing but the SQLite file when no DATABASE_URL is given.
WORKDIR /var/lib/licencebot
# 8443: webhook (with /healthz, /readyz, /metrics); 5055: the Rasa action server.
EXPOSE 8443 5055
# /healthz of the bot: on HEALTH_PORT in polling mode, else on the webhook port.
# The action server's container overrides it with port 5055 (deploy/compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('HEALTH_PORT') or os.environ.get('WEBHOOK_PORT') or '8443'; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
ENTRYPOINT ["licencebot"]
CMD ["run"]
