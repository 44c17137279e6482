"""`salesbot serve`'s access log: paths and statuses, never a query string (the OAuth redirect's
carries its one-time code and state)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.reliability.test_scale_out import free_port, wait_healthy


@pytest.mark.slow
def test_the_access_log_never_holds_the_oauth_code_or_state(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="shh",
        WEB_CONCURRENCY="1",
    )
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, check=True)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url)
            query = "code=SECRETCODE42&state=SECRETSTATE42"
            # The state is unknown, so the install is refused: beside the point here.
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{url}/slack/oauth_redirect?{query}", timeout=10)
        finally:
            server.terminate()
            server.wait(timeout=15)
    written = log.read_text(encoding="utf-8", errors="replace")
    assert '"GET /slack/oauth_redirect"' in written
    assert "SECRETCODE42" not in written and "SECRETSTATE42" not in written
