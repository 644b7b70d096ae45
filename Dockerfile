# syntax=docker/dockerfile:1
# One image for every frontdesk service; a workload picks its service by its args
# (`frontdesk gateway`, `frontdesk deploy migrate scheduler --owner ...`). Build from the
# repository root: docker build -t ghcr.io/frontdesk/frontdesk:0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .

# An exact Python release on Debian bookworm, the same in both stages. A release build pins the
# digest too: --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---- build: install frontdesk and its pinned dependencies into a virtual environment ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/frontdesk
COPY pyproject.toml constraints.txt README.md ./
COPY shared ./shared
COPY services ./services
RUN /opt/frontdesk/bin/pip install -c constraints.txt . \
    && /opt/frontdesk/bin/python -m compileall -q /opt/frontdesk

# ---- runtime: the environment alone, run as an unprivileged user ----
FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="frontdesk" \
      org.opencontainers.image.description="An AI SMS agent for medical spas: gateway, agent, scheduler, escalation and audit services" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/frontdesk/frontdesk" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
RUN groupadd --gid 10001 frontdesk \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin frontdesk
COPY --from=build /opt/frontdesk /opt/frontdesk
WORKDIR /app
ENV PATH=/opt/frontdesk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=json \
    HTTP_HOST=0.0.0.0 \
    SPA_FILES=/etc/frontdesk/spas/*.yaml
USER 10001:10001
ENTRYPOINT ["frontdesk"]
CMD ["--help"]
