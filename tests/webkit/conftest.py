"""WebKit, the engine of the iPads and iPhones in the hall: Debian's WebKitGTK through
Selenium. webkit2gtk-driver's WebKitWebDriver starts WebKitGTK's MiniBrowser in automation
mode (an ephemeral profile per session: each device has its own cookies and storage) on an
Xvfb display that this tier starts on a free display number and stops again.

Nothing is downloaded: the driver's path is given, so Selenium Manager never runs.

WebKitWebDriver has no log endpoint and no BiDi, and WebKit keeps the console of an
ephemeral (automation) session off its standard output, so each page gets a hook right
after it loads (`ERROR_HOOK`): uncaught errors, unhandled rejections and console.error
are collected in the page and fail the test unless it expects them
(`open_device.allowed.append("part of the message")`). The hook also notes what the page
gets when it asks for the screen wake lock and the AudioContext it opens."""

from __future__ import annotations

import os
import select
import subprocess
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.servers import SHARED_SERVER_ENV, Server, database_url
from tests.fixtures.timing import seconds

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
XVFB = "/usr/bin/Xvfb"
WAIT = 8  # seconds, before seconds(): the longest a page may take to show a change

ERROR_HOOK = """
if (!window.__webkit) {
  var seen = window.__webkit = {errors: [], wakeLock: [], sentinel: null, audio: null};
  var describe = function (value) {
    if (!value || typeof value !== "object") return String(value);
    var stack = value.stack ? " | " + value.stack : "";
    return (value.name || "Error") + ": " + value.message + stack;
  };
  window.addEventListener("error", function (event) {
    seen.errors.push("uncaught: " + (event.error ? describe(event.error) : event.message) +
                     " (" + event.filename + ":" + event.lineno + ")");
  });
  window.addEventListener("unhandledrejection", function (event) {
    seen.errors.push("unhandled rejection: " + describe(event.reason));
  });
  var consoleError = console.error;
  console.error = function () {
    seen.errors.push("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return consoleError.apply(console, arguments);
  };
  /* What the page gets when it asks for the wake lock, and the AudioContext it opens. */
  if (navigator.wakeLock) {
    var wakeLock = navigator.wakeLock, request = wakeLock.request.bind(wakeLock);
    wakeLock.request = function (type) {
      var asked = request(type);
      asked.then(function (sentinel) {
        seen.wakeLock.push("granted");
        seen.sentinel = sentinel;
        sentinel.addEventListener("release", function () { seen.wakeLock.push("released"); });
      }, function (error) { seen.wakeLock.push("refused: " + error.message); });
      return asked;
    };
  }
  var NativeAudioContext = window.AudioContext;
  if (NativeAudioContext) {
    window.AudioContext = function (options) {
      return (seen.audio = new NativeAudioContext(options));
    };
    window.AudioContext.prototype = NativeAudioContext.prototype;
  }
}
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "/webkit/" in str(item.fspath):
            item.add_marker(pytest.mark.webkit)


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    """Like the Chromium tier, on the embedded default, SQLite."""
    folder = tmp_path_factory.mktemp("server-webkit")
    started = Server(database_url("sqlite", folder, request), folder / "server.log",
                     env=SHARED_SERVER_ENV).start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def display(tmp_path_factory):
    """An Xvfb display for the tier: Xvfb picks a free display number itself (-displayfd
    writes it once the server accepts clients), so parallel runs never collide."""
    missing = [path for path in (WEBKIT_DRIVER, XVFB) if not Path(path).exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `make system` "
                    "(apt-get install webkit2gtk-driver xvfb)")
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    read_end, write_end = os.pipe()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [XVFB, "-displayfd", str(write_end), "-screen", "0", "1920x1080x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_end,), stdout=output, stderr=subprocess.STDOUT)
    os.close(write_end)
    number = b""
    deadline = time.monotonic() + seconds(20)
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], 0.1)
        if ready:
            chunk = os.read(read_end, 16)
            if not chunk:
                break
            number += chunk
    os.close(read_end)
    if not number.strip().isdigit():
        process.kill()
        process.wait()
        pytest.fail(f"Xvfb did not start: {log.read_text()[-2000:]}")
    yield f":{number.decode().strip()}"
    process.terminate()
    try:
        process.wait(timeout=seconds(10))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Device:
    """One WebKit browser (a tablet or a phone), with the waits the tests need."""

    def __init__(self, driver: webdriver.WebKitGTK, name: str):
        self.driver = driver
        self.name = name
        self.errors: list[str] = []

    def open(self, url: str) -> Device:
        self.collect_errors()
        self.driver.get(url)
        if "token=" in url:  # the sign-in step refreshes to the clean URL (docs/api.md)
            self.wait(lambda: "token=" not in self.driver.current_url,
                      "the sign-in step did not lead to the clean URL")
        return self.loaded()

    def loaded(self) -> Device:
        """Once the page (opened, or reached by a form) has loaded: hook its errors."""
        self.wait(lambda: self.js("return document.readyState") == "complete",
                  "the page did not load")
        self.js(ERROR_HOOK)
        return self

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition: Callable[[], object], message: str | Callable[[], str],
             timeout: float = WAIT):
        """Until `condition()` is truthy (its value), for at most seconds(timeout); else
        fail with `message` (or what `message()` says then). A query that meets a node a
        push is taking out of the page (WebKitWebDriver: a stale element, even for
        find_elements) is asked again."""
        try:
            return WebDriverWait(self.driver, seconds(timeout), poll_frequency=0.05,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda _: condition())
        except TimeoutException:
            text = message() if callable(message) else message
            raise AssertionError(f"{self.name}: {text}") from None

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def count(self, css: str) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        return self.js("var el = document.querySelector(arguments[0]);"
                       "return el ? el.textContent.trim() : null;", css)

    def attribute(self, css: str, name: str):
        return self.js("var el = document.querySelector(arguments[0]);"
                       "return el ? el.getAttribute(arguments[1]) : null;", css, name)

    def hidden(self, css: str) -> bool:
        return self.js("var el = document.querySelector(arguments[0]);"
                       "return !el || el.hidden;", css)

    def socket_open(self) -> bool:
        return self.js("return !!(window.worldcafeLive && window.worldcafeLive.isOpen());")

    def online(self) -> bool:
        """The socket is open and the page says so (no banner, no `offline` class)."""
        return self.js("return !!(window.worldcafeLive && window.worldcafeLive.isOpen()) &&"
                       " document.getElementById('connection-banner').hidden &&"
                       " !document.body.classList.contains('offline');")

    def add_card(self, text: str, press_enter: bool = True) -> None:
        """Type a card into the page's card entry and send it with Enter (or its button)."""
        entry = self.find("#card-text")
        if press_enter:
            entry.send_keys(text + Keys.ENTER)
        else:
            entry.send_keys(text)
            self.find(".card-entry__submit").click()
        self.wait(lambda: self.find("#card-text").get_attribute("value") == "",
                  f"the card entry was not emptied after {text!r}")

    def select(self, css: str, visible_text: str) -> None:
        Select(self.find(css)).select_by_visible_text(visible_text)

    def collect_errors(self) -> list[str]:
        try:
            found = self.js("return window.__webkit ? window.__webkit.errors.splice(0) : [];")
        except WebDriverException:
            found = []
        self.errors += found or []
        return self.errors

    def screenshot(self, name: str) -> Path:
        """The whole page: the window grows to the page's height for the picture."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        rect = self.driver.get_window_rect()
        chrome = self.js("return window.outerHeight - window.innerHeight;") or 0
        height = self.js("return document.documentElement.scrollHeight;")
        if height > rect["height"] - chrome:
            self.driver.set_window_rect(width=rect["width"], height=height + chrome)
            self.wait(lambda: self.js("return window.innerHeight;") >= height,
                      "the window did not grow for the screenshot")
        self.driver.save_screenshot(str(path))
        self.driver.set_window_rect(width=rect["width"], height=rect["height"])
        return path


@pytest.fixture
def open_device(display, tmp_path):
    """A new WebKit browser per call (its own cookies and storage, as a device has);
    page errors fail the test unless `open_device.allowed` has a part of them."""
    devices: list[Device] = []

    def open_(url: str, width: int, height: int, name: str = "") -> Device:
        name = name or f"device {len(devices) + 1}"
        log = tmp_path / f"webkit-{len(devices) + 1}.log"
        service = Service(executable_path=WEBKIT_DRIVER, log_output=str(log),
                          env={**os.environ, "DISPLAY": display, "NO_AT_BRIDGE": "1"})
        with warnings.catch_warnings():  # Selenium's own WebKitGTK class, not ours
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            driver = webdriver.WebKitGTK(options=Options(), service=service)
        device = Device(driver, name)
        devices.append(device)
        driver.set_window_rect(x=0, y=0, width=width, height=height)
        return device.open(url)

    open_.allowed = []
    yield open_
    problems = []
    for device in devices:
        problems += [f"{device.name}: {error}" for error in device.collect_errors()]
        try:
            device.driver.quit()
        except WebDriverException:
            pass
    unexpected = [p for p in problems if not any(part in p for part in open_.allowed)]
    assert not unexpected, unexpected
