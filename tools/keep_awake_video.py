"""Make app/static/media/keep-awake.{webm,mp4}: a tiny, silent, two-second video that the
host and projector pages loop (muted, inline) where the Screen Wake Lock API is missing
(a page served over plain http on the venue LAN). Recorded by the Chromium the tests use
(MediaRecorder on a canvas), so no video tool needs to be installed and no third-party
file is shipped: `python tools/keep_awake_video.py`."""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
MEDIA = Path(__file__).resolve().parent.parent / "app" / "static" / "media"
RECORD = """async (type) => {
  if (!MediaRecorder.isTypeSupported(type)) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 16; canvas.height = 16;
  const paint = canvas.getContext('2d');
  const stream = canvas.captureStream(10);
  const recorder = new MediaRecorder(stream, {mimeType: type, videoBitsPerSecond: 20000});
  const parts = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start();
  for (let frame = 0; frame < 20; frame++) {
    paint.fillStyle = frame % 2 ? '#000' : '#010101';
    paint.fillRect(0, 0, 16, 16);
    await new Promise((r) => setTimeout(r, 100));
  }
  recorder.stop();
  await done;
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""
KINDS = {"webm": "video/webm;codecs=vp8", "mp4": "video/mp4;codecs=avc1"}


def main() -> None:
    MEDIA.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content("<title>keep awake</title>")
        for suffix, type_ in KINDS.items():
            recorded = page.evaluate(RECORD, type_)
            if recorded is None:
                print(f"{type_}: not supported by this Chromium, skipped")
                continue
            path = MEDIA / f"keep-awake.{suffix}"
            path.write_bytes(base64.b64decode(recorded))
            print(f"{path}: {path.stat().st_size} bytes")
        browser.close()


if __name__ == "__main__":
    main()
