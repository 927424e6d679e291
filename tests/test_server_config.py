"""The server's shipped defaults are safe on a network: loopback only, the app's own upload
limit (so the uploader states the real one), XSRF protection on."""

from __future__ import annotations

import tomllib

from coach.settings import PROJECT_ROOT, UploadSettings

MiB = 1024 * 1024


def test_streamlit_serves_loopback_only_with_the_apps_upload_limit_and_xsrf_protection() -> None:
    server = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] * MiB == UploadSettings().max_bytes
    assert server["enableXsrfProtection"] is True
