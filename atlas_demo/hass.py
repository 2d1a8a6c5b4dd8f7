"""A throw-away Home Assistant: temporary config dir, ``hass`` child process and an admin token.

The config holds only what the voice path needs (no ``default_config``); ATLAS comes from this
repository through a ``custom_components/atlas`` symlink. Nothing listens beyond 127.0.0.1: HTTP
is bound there, and ``analytics`` (whose HTTP client would start mDNS on every address) is
replaced by a no-op.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from wyoming_servers.processes import stop_process

REPO_INTEGRATION = Path(__file__).resolve().parents[1] / "custom_components" / "atlas"
# Custom integrations that replace built-in ones in the throw-away instance (see each docstring).
STUBS = Path(__file__).resolve().parent / "ha_stubs"
# Home Assistant falls back to recovery mode, which listens on every address, when the
# frontend fails to load: stop it at once should that ever happen.
RECOVERY_MODE = "Activating recovery mode"


class DemoError(Exception):
    """The demo cannot go on; the message says why in one line."""


def ffmpeg_binary() -> str:
    """ffmpeg from the PATH, else the one the ``imageio-ffmpeg`` package ships.

    Home Assistant's TTS converts the Wyoming WAV stream to MP3 with it, as for any satellite.
    """
    if found := shutil.which("ffmpeg"):
        return found
    try:
        import imageio_ffmpeg  # noqa: PLC0415
    except ImportError:
        raise DemoError(
            "Home Assistant's TTS needs ffmpeg: install it (apt-get install ffmpeg) or "
            "pip install imageio-ffmpeg"
        ) from None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


GARMIN_MORNING = {
    "Body Battery": "62",
    "Training Readiness": "55",
    "HRV Status": "balanced",
    "Sleep Score": "74",
    "Resting Heart Rate": "52",
}


def configuration(port: int, config_dir: Path) -> dict[str, Any]:
    """``configuration.yaml`` (as JSON, which is YAML) for the voice path on ``port``."""
    config: dict[str, Any] = {
        "homeassistant": {
            "name": "ATLAS demo",
            "latitude": 52.37,
            "longitude": 4.89,
            "elevation": 0,
            "unit_system": "metric",
            "time_zone": "UTC",
            "country": "US",
            "language": "en",
            "currency": "EUR",
        },
        "http": {"server_host": "127.0.0.1", "server_port": port},
        "logger": {"default": "warning", "logs": {"custom_components.atlas": "info"}},
        "ffmpeg": {"ffmpeg_bin": ffmpeg_binary()},
        **{domain: {} for domain in ("api", "websocket_api", "config", "conversation")},
        **{domain: {} for domain in ("assist_pipeline", "stt", "tts")},
        # Stand-ins for the garmin_connect integration (it needs a Garmin account): the
        # entities ATLAS reads by default, with the values of a moderately recovered morning.
        "template": [
            {
                "sensor": [
                    {"name": f"Garmin Connect {name}", "state": value}
                    for name, value in GARMIN_MORNING.items()
                ]
            }
        ],
    }
    if importlib.util.find_spec("hass_frontend") is None:
        # Without the UI package the frontend integration fails and HA goes to recovery mode;
        # an empty development checkout keeps the integration (and its APIs) up with no UI.
        (config_dir / "frontend" / "hass_frontend").mkdir(parents=True)
        config["frontend"] = {"development_repo": str(config_dir / "frontend")}
    return config


class HassProcess:
    """``python -m homeassistant`` on a temporary config dir, reached over loopback HTTP."""

    def __init__(self, config_dir: Path, port: int) -> None:
        """Write the config dir; nothing runs yet."""
        if not (REPO_INTEGRATION / "manifest.json").is_file():
            raise DemoError(f"the ATLAS integration is not at {REPO_INTEGRATION}")
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = config_dir / "hass.out"
        self.process: subprocess.Popen[bytes] | None = None
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "custom_components").mkdir()
        (config_dir / "custom_components" / "atlas").symlink_to(REPO_INTEGRATION)
        for stub in STUBS.iterdir():
            if (stub / "manifest.json").is_file():
                (config_dir / "custom_components" / stub.name).symlink_to(stub)
        text = json.dumps(configuration(port, config_dir), indent=2)
        (config_dir / "configuration.yaml").write_text(text + "\n", encoding="utf-8")

    def start(self) -> None:
        """Start ``hass`` with this interpreter; its output goes to ``hass.out``."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "homeassistant", "--config", str(self.config_dir),
                 "--skip-pip", "--log-no-color"],
                cwd=self.config_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip

    def _check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise DemoError(f"Home Assistant exited (code {code})")
        if RECOVERY_MODE in self.log_path.read_text(encoding="utf-8", errors="replace"):
            self.stop()
            raise DemoError("Home Assistant went into recovery mode; stopped it")

    async def wait_http(self, session: aiohttp.ClientSession, deadline: float) -> None:
        """Wait until the HTTP server answers (``deadline`` on the monotonic clock)."""
        while True:
            self._check_alive()
            try:
                async with session.get(f"{self.url}/api/onboarding") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise DemoError("Home Assistant's HTTP server did not come up in time")
            await asyncio.sleep(0.25)

    async def create_token(self, session: aiohttp.ClientSession) -> str:
        """Onboard a throw-away owner account and log it in: an access token."""
        client_id = f"{self.url}/"
        async with session.post(
            f"{self.url}/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": "ATLAS demo",
                "username": "demo",
                "password": secrets.token_urlsafe(16),
                "language": "en",
            },
        ) as response:
            if response.status != 200:
                raise DemoError(f"onboarding failed: HTTP {response.status}")
            code = (await response.json())["auth_code"]
        async with session.post(
            f"{self.url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": client_id},
        ) as response:
            if response.status != 200:
                raise DemoError(f"login failed: HTTP {response.status}")
            return str((await response.json())["access_token"])

    async def wait_running(
        self, session: aiohttp.ClientSession, token: str, deadline: float
    ) -> None:
        """Wait until Home Assistant reports that start-up is over."""
        headers = {"Authorization": f"Bearer {token}"}
        while True:
            self._check_alive()
            async with session.get(f"{self.url}/api/config", headers=headers) as response:
                if response.status == 200 and (await response.json())["state"] == "RUNNING":
                    return
            if time.monotonic() > deadline:
                raise DemoError("Home Assistant did not finish starting in time")
            await asyncio.sleep(0.25)

    def check_loopback_only(self) -> None:
        """Fail if Home Assistant listens on anything but the loopback address."""
        try:
            import psutil  # noqa: PLC0415
        except ImportError:
            return
        if self.process is None:
            return
        wide = [
            f"{conn.laddr.ip}:{conn.laddr.port}"
            for conn in psutil.Process(self.process.pid).net_connections(kind="inet")
            if (conn.status == psutil.CONN_LISTEN or conn.type == socket.SOCK_DGRAM)
            and not ipaddress.ip_address(conn.laddr.ip).is_loopback
        ]
        if wide:
            self.stop()
            raise DemoError(f"Home Assistant listened beyond loopback ({', '.join(wide)})")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then wait (SIGKILL after ``timeout`` seconds)."""
        if self.process is not None:
            stop_process(self.process, timeout)

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of Home Assistant's output."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
