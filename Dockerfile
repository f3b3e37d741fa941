# syntax=docker/dockerfile:1
# Console stage: the moderators' console (GraphiQL) bundled from the npm registry; the image
# serves these files itself, nothing comes from a CDN at run time.
FROM node:22-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console/build.mjs ./
COPY console/src ./src
RUN npm run build

# Build stage: install btl and its dependencies into a virtual environment.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/btl
COPY pyproject.toml README.md ./
COPY service ./service
COPY schema ./schema
COPY web ./web
RUN /opt/btl/bin/pip install .

# Runtime stage: the virtual environment only, run as an unprivileged user.
FROM python:3.11-slim
ENV PATH=/opt/btl/bin:$PATH PYTHONUNBUFFERED=1 \
    BTL_DATABASE_URL=sqlite:///data/btl.sqlite3 BTL_HOST=0.0.0.0 BTL_PORT=8000
RUN useradd --system --uid 10001 --home-dir /data --create-home btl
COPY --from=build /opt/btl /opt/btl
# web/console.py looks for the built console in <venv>/share/btl/console
COPY --from=console /console/dist /opt/btl/share/btl/console
USER btl
WORKDIR /data
# the embedded SQLite database lives here: mount a volume to keep it
VOLUME ["/data"]
EXPOSE 8000
# ready = the database answers (a container that cannot reach it is not healthy)
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('BTL_PORT', '8000'), timeout=2)" || exit 1
# Apply migrations, then serve. In production set BTL_DATABASE_URL to postgres://...
CMD ["sh", "-c", "python -m service migrate && exec python -m service serve --host 0.0.0.0"]
