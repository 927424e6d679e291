# The workbench as one image: the locked versions (requirements.lock), nothing else.
# Used by compose.yaml; any orchestrator runs it the same way.
FROM python:3.11-slim-bookworm

WORKDIR /app
COPY . .
# bootstrap builds .venv from requirements.lock (hash-checked) and, as root here,
# installs espeak-ng for offline voice previews.
RUN ./scripts/bootstrap && rm -rf /root/.cache \
    && useradd --create-home --uid 10001 coach && chown -R coach /app
USER coach

EXPOSE 8501
# 0.0.0.0 inside the container: the load balancer reaches it; nothing else should.
CMD [".venv/bin/streamlit", "run", "workbench.py", "--server.address", "0.0.0.0", "--server.headless", "true"]
