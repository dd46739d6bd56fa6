# syntax=docker/dockerfile:1
# The mentorship bot: one image for `serve`, `worker`, `socket` and the maintenance commands
# (`db upgrade`, `doctor`, `backup`, ...). compose.yaml runs it with PostgreSQL.
#
#   docker build -t mentorship-bot .
#   docker run --env-file .env -p 3000:3000 -v mentorship-data:/data mentorship-bot
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# `constraints.tx[t]` copies the pinned versions when the repository has constraints.txt, and
# nothing otherwise (the other files keep the COPY valid).
COPY pyproject.toml README.md constraints.tx[t] ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN python -m venv /opt/venv \
 && if [ -f constraints.txt ]; then \
        /opt/venv/bin/pip install --constraint constraints.txt ".[postgres]"; \
    else \
        /opt/venv/bin/pip install ".[postgres]"; \
    fi

FROM python:${PYTHON_VERSION}-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/mentorship.sqlite3
# A system user that owns nothing but /data (the SQLite file, when no DATABASE_URL is given).
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /data mentorship
COPY --from=build /opt/venv /opt/venv
WORKDIR /data
USER mentorship
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers 503 when the database is unreachable or its schema outdated. A `worker`
# serves no HTTP: compose.yaml turns this check off for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)" || exit 1
ENTRYPOINT ["mentorship-bot"]
CMD ["serve"]
