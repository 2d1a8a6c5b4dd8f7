# A one-off developer tool, not library code: plain timeouts, a few blocking file writes and
# Popen calls while nothing else runs are fine here.
# ruff: noqa: ASYNC109, ASYNC220, ASYNC240, PLR0917
"""Re-make the screenshots in docs/images/ from a real Home Assistant frontend.

Starts the GPU box (``wyoming_servers.demo.start_box``: embedded models, loopback ports), a
throw-away Home Assistant with its frontend (``atlas_demo.hass.HassProcess``, 127.0.0.1 only)
and headless Chromium, driven over the DevTools protocol with aiohttp. Then:

* ``config-flow.png``: the ATLAS config flow's host/port form (Add integration → ATLAS);
* ``add-box``: atlas-stt and atlas-tts through Wyoming, atlas-llm through ATLAS (config flows);
* ``options.png``, ``options-recovery.png``: the entry's options (Configure), top and bottom;
* ``agent-options.png``: the conversation agent subentry form (Add conversation agent);
* ``assist.png``: the Assist dialog, with ATLAS answering "Remind me to stretch at 5 pm".

Everything is stopped and the temporary directory removed at the end. Not part of the tests.

Needs the ``home-assistant-frontend`` package that Home Assistant pins, outside the venv::

    .venv/bin/pip install --target /tmp/hafrontend --no-deps home-assistant-frontend==20260930.5
    apt-get install -y chromium
    PYTHONPATH=/tmp/hafrontend .venv/bin/python scripts/screenshots.py --out docs/images
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from atlas_demo.api import HassApi  # noqa: E402
from atlas_demo.assist import add_box, create_pipeline  # noqa: E402
from atlas_demo.hass import HassProcess  # noqa: E402
from wyoming_servers.cli import default_data_dir  # noqa: E402
from wyoming_servers.demo import start_box, wait_box_ready  # noqa: E402
from wyoming_servers.processes import free_port, stop_process  # noqa: E402

WIDTH, HEIGHT = 1280, 900
BRANDS_ALLOWED = "/api/brands/integration/atlas/"
SAY = "Remind me to stretch at 5 pm"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    f"--window-size={WIDTH},{HEIGHT}",
]

# Helpers evaluated in the page: the frontend is made of nested shadow roots.
JS_HELPERS = r"""
window.__deepAll = function (selector, root = document, out = []) {
  for (const el of root.querySelectorAll('*')) {
    if (el.matches(selector)) out.push(el);
    if (el.shadowRoot) window.__deepAll(selector, el.shadowRoot, out);
  }
  return out;
};
window.__deepText = function (root = document.body) {
  let text = '';
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { text += node.textContent + ' '; return; }
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return text.replace(/\s+/g, ' ');
};
window.__deepIn = function (host, inner) {
  const out = [];
  for (const el of window.__deepAll(host)) window.__deepAll(inner, el.shadowRoot || el, out);
  return out.filter(window.__visible);
};
window.__visible = function (el) {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
};
window.__findByText = function (selector, text) {
  const want = text.toLowerCase();
  const named = (el) => [window.__deepText(el).trim(), el.getAttribute('label'),
                         el.getAttribute('aria-label'), el.label]
    .some((t) => typeof t === 'string' && t.toLowerCase() === want);
  const hits = window.__deepAll(selector).filter((el) => window.__visible(el) && named(el));
  if (!hits.length) return null;
  const r = hits[0].getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + r.height / 2};
};
"""
CLICKABLE = (
    "ha-button, mwc-button, button, ha-list-item, ha-md-list-item, ha-md-menu-item, "
    "ha-dropdown-item, ha-icon-button, a, ha-integration-action-card"
)


class ScreenshotError(Exception):
    """One line saying what did not work."""


class Page:
    """One Chromium tab over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Use ``ws``, the tab's DevTools websocket; a task reads it."""
        self.ws = ws
        self._ids = itertools.count(1)
        self._results: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data = message.json()
            if data.get("method") == "Fetch.requestPaused":
                await self._paused(data["params"])
            elif (future := self._results.pop(data.get("id", -1), None)) is not None:
                if "error" in data:
                    future.set_exception(ScreenshotError(str(data["error"])))
                else:
                    future.set_result(dict(data.get("result", {})))

    async def _paused(self, params: dict[str, Any]) -> None:
        """Brand images: ATLAS's own (local) pass; for the others Home Assistant would ask
        brands.home-assistant.io (and start mDNS on every address), so they are refused."""
        request_id = params["requestId"]
        if BRANDS_ALLOWED in params["request"]["url"]:
            message = {"method": "Fetch.continueRequest", "params": {"requestId": request_id}}
        else:
            message = {
                "method": "Fetch.failRequest",
                "params": {"requestId": request_id, "errorReason": "BlockedByClient"},
            }
        await self.ws.send_json({"id": next(self._ids), **message})

    async def close(self) -> None:
        """Stop reading and close the websocket."""
        self._reader.cancel()
        await self.ws.close()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result."""
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        try:
            return await asyncio.wait_for(future, 60)
        except ScreenshotError as err:
            raise ScreenshotError(f"{method}: {err}") from None

    async def js(self, expression: str) -> Any:
        """Evaluate ``expression`` (awaiting promises): its value."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise ScreenshotError(f"JS error: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def goto(self, url: str) -> None:
        """Navigate and wait until the document has loaded."""
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'", 30)

    async def wait_for(self, condition: str, timeout: float = 60) -> None:
        """Poll a JS condition (the helpers are installed first)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if await self.js(f"(() => {{ {JS_HELPERS}; return !!({condition}); }})()"):
                    return
            except ScreenshotError:
                pass
            if time.monotonic() > deadline:
                raise ScreenshotError(f"timed out waiting for {condition}")
            await asyncio.sleep(0.3)

    async def wait_text(self, text: str, timeout: float = 60) -> None:
        """Wait until ``text`` is shown somewhere (shadow roots included)."""
        await self.wait_for(f"window.__deepText().includes({json.dumps(text)})", timeout)

    async def click_text(self, text: str, selector: str = CLICKABLE, timeout: float = 30) -> None:
        """Click the visible element whose text is ``text``, as a mouse does."""
        deadline = time.monotonic() + timeout
        while True:
            point = await self.js(
                f"(() => {{ {JS_HELPERS}; return window.__findByText("
                f"{json.dumps(selector)}, {json.dumps(text)}); }})()"
            )
            if point:
                break
            if time.monotonic() > deadline:
                raise ScreenshotError(f"nothing to click that reads {text!r}")
            await asyncio.sleep(0.3)
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=point["x"],
                y=point["y"],
                button="left",
                clickCount=1,
            )

    async def key(self, key: str, code: str, keycode: int, text: str | None = None) -> None:
        """Press and release one key."""
        down: dict[str, Any] = {"key": key, "code": code, "windowsVirtualKeyCode": keycode}
        if text is not None:
            down["text"] = text
        await self.send("Input.dispatchKeyEvent", type="keyDown", **down)
        await self.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            key=key,
            code=code,
            windowsVirtualKeyCode=keycode,
        )

    async def type_into(self, host: str, inner: str, text: str) -> None:
        """Focus the first visible ``inner`` element inside ``host`` (shadow roots included)
        and type ``text``."""
        focused = await self.js(
            f"(() => {{ {JS_HELPERS}; const el = window.__deepIn({json.dumps(host)}, "
            f"{json.dumps(inner)})[0]; if (!el) return false; el.focus(); return true; }})()"
        )
        if not focused:
            raise ScreenshotError(f"no visible {inner} in {host} to type into")
        await self.send("Input.insertText", text=text)

    async def screenshot(self, path: Path) -> None:
        """A PNG of the viewport."""
        await asyncio.sleep(1.0)  # let animations end
        data = (await self.send("Page.captureScreenshot", format="png"))["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"screenshots: wrote {path} ({path.stat().st_size // 1024} KiB)")


async def open_page(session: aiohttp.ClientSession, port: int, deadline: float) -> Page:
    """The DevTools websocket of Chromium's first tab."""
    while True:
        try:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page = next(t for t in targets if t.get("type") == "page")
            break
        except (aiohttp.ClientError, StopIteration):
            if time.monotonic() > deadline:
                raise ScreenshotError("Chromium's DevTools did not come up") from None
            await asyncio.sleep(0.3)
    ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
    tab = Page(ws)
    await tab.send("Page.enable")
    await tab.send("Fetch.enable", patterns=[{"urlPattern": "*/api/brands/*"}])
    await tab.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=False,
    )
    return tab


async def log_in(page: Page, url: str, token: str) -> None:
    """Put the owner's token where the frontend keeps it, as if it had logged in."""
    await page.goto(f"{url}/auth/authorize?response_type=code&client_id={url}/")
    tokens = {
        "hassUrl": url,
        "clientId": f"{url}/",
        "access_token": token,
        "refresh_token": "",
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires": int(time.time() * 1000) + 1_700_000,
    }
    await page.js(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})")


async def close_dialog(page: Page) -> None:
    """Escape closes the open dialog."""
    await page.key("Escape", "Escape", 27)
    await asyncio.sleep(1.0)


async def run(out: Path, data_dir: Path, timeout: float, workdir: Path) -> None:
    """Start everything, take the screenshots, stop everything."""
    deadline = time.monotonic() + timeout
    hass = HassProcess(workdir / "config", free_port())
    config = json.loads((hass.config_dir / "configuration.yaml").read_text(encoding="utf-8"))
    config["frontend"] = {}
    (hass.config_dir / "configuration.yaml").write_text(json.dumps(config, indent=2) + "\n")
    # Onboarding: only the owner is left to create (by create_token), so the frontend starts
    # on the dashboard; the core-config step would add internet integrations (met, radio).
    storage = hass.config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        )
    )
    box = start_box(data_dir, workdir / "atlas-box.log")
    chromium_port = free_port()
    chromium: subprocess.Popen[bytes] | None = None
    try:
        hass.start()
        chromium = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={workdir / 'chromium'}",
                "--remote-debugging-address=127.0.0.1",
                f"--remote-debugging-port={chromium_port}",
                "about:blank",
            ],
            stdout=(workdir / "chromium.log").open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            await hass.wait_http(session, deadline)
            token = await hass.create_token(session)
            await hass.wait_running(session, token, deadline)
            hass.check_loopback_only()
            api = HassApi(session, hass.url, token)
            await api.connect()
            # The YAML http settings become a trial config that the frontend asks to confirm
            # (and that would be reverted after five minutes): confirm it, as a user would.
            await api.call("http/config/promote")
            page = await open_page(session, chromium_port, deadline)
            await log_in(page, hass.url, token)
            try:
                await shoot(page, api, hass.url, box, out, deadline)
            except Exception:
                await page.screenshot(workdir / "failure.png")
                raise
            hass.check_loopback_only()
            await page.close()
            await api.close()
    except Exception:
        for name in ("config/hass.out", "atlas-box.log"):
            path = workdir / name
            if path.is_file():
                lines = path.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {name} ---\n" + "\n".join(lines), file=sys.stderr)
        raise
    finally:
        if chromium is not None:
            stop_process(chromium, 10)
        hass.stop()
        box.stop()


async def shoot(page: Page, api: HassApi, url: str, box: Any, out: Path, deadline: float) -> None:
    """The screenshots, in the order a new user sees them."""
    # (a) Add integration → ATLAS: the host/port form.
    await page.goto(f"{url}/config/integrations/dashboard/add?domain=atlas")
    await page.click_text("OK")  # "Do you want to set up ATLAS?"
    await page.wait_text("Add an ATLAS GPU box")
    await page.type_into("dialog-data-entry-flow", "input", "192.168.1.50")
    await page.screenshot(out / "config-flow.png")
    await close_dialog(page)

    # The box, as the user adds it: Wyoming for STT/TTS, ATLAS for the LLM; a pipeline.
    await wait_box_ready(box, deadline)
    engines = await add_box(api, box.ports, deadline)
    pipeline = await create_pipeline(api, engines)
    await api.call("assist_pipeline/pipeline/set_preferred", pipeline_id=pipeline["id"])

    # (b) The entry's options, and the conversation agent's form.
    await page.goto(f"{url}/config/integrations/integration/atlas")
    await page.wait_text("ATLAS conversation")
    await page.screenshot(out / "integration.png")
    await page.click_text("Configure")
    await page.wait_text("Send reminders to")
    await page.screenshot(out / "options.png")
    await page.send(
        "Input.dispatchMouseEvent", type="mouseWheel", x=WIDTH // 2, y=500, deltaX=0, deltaY=2000
    )
    await page.wait_text("Resting heart rate entity")
    await page.screenshot(out / "options-recovery.png")
    await close_dialog(page)
    await page.click_text("Add conversation agent")
    await page.wait_text("Add a conversation agent")
    await page.screenshot(out / "agent-options.png")
    await close_dialog(page)

    # (c) The Assist dialog on the dashboard ("a" opens it), typed as a user would.
    await page.goto(f"{url}/lovelace/0")
    await page.wait_for("window.__deepAll('hui-root').length > 0", 60)
    await asyncio.sleep(2)
    await page.key("a", "KeyA", 65, "a")
    await page.wait_for(
        "window.__deepIn('ha-voice-command-dialog', 'input, textarea').length > 0", 30
    )
    await asyncio.sleep(1)
    await page.type_into("ha-voice-command-dialog", "input, textarea", SAY)
    await page.key("Enter", "Enter", 13, "\r")
    await page.wait_for(
        "window.__deepText(window.__deepAll('ha-voice-command-dialog')[0])"
        ".toLowerCase().split('stretch').length > 2",
        120,
    )
    await asyncio.sleep(3)
    await page.screenshot(out / "assist.png")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if importlib.util.find_spec("hass_frontend") is None:
        sys.exit("screenshots: install home-assistant-frontend and put it on PYTHONPATH")
    if shutil.which("chromium") is None:
        sys.exit("screenshots: chromium is not on the PATH (apt-get install chromium)")
    os.environ.setdefault("PYTHONPATH", "")
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="atlas-shots-"))
    try:
        asyncio.run(asyncio.wait_for(run(args.out, args.data_dir, args.timeout, workdir),
                                     args.timeout))  # fmt: skip
    finally:
        if args.keep:
            print(f"screenshots: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
