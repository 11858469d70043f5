"""Photos benchmark: 100 phone-sized photos (4000 × 3000 JPEG, 3–6 MB, EXIF with GPS) in 10
posts of 10 photos, built cold (empty cache) and warm; and the weight of one such article as
a 390 px wide phone at DPR 2 downloads it (srcset/sizes selection, optionally confirmed with
headless Chromium's network log).

    .venv/bin/python bench/images_bench.py [--photos 100] [--chromium]

Synthetic photos stand in for real ones: smooth large shapes, mid-scale texture and sensor
noise, saved at quality 92 like a phone, so they compress about as hard as real pictures.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageFilter

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from phuongnews import images
from phuongnews.build import BuildOptions, build

OUT = REPO / "bench" / "out" / "images"
PHONE_WIDTH, DPR = 390, 2


def photo(seed: int, width: int = 4000, height: int = 3000) -> Image.Image:
    rng = random.Random(seed)

    def layer(w: int, h: int) -> Image.Image:
        small = Image.frombytes("RGB", (w, h), bytes(rng.randrange(256) for _ in range(w * h * 3)))
        return small.resize((width, height), Image.Resampling.BICUBIC)

    image = Image.blend(layer(8, 6), layer(64, 48), 0.35)
    image = Image.blend(image, layer(500, 375).filter(ImageFilter.GaussianBlur(1.5)), 0.25)
    noise = Image.effect_noise((width, height), 28).convert("RGB")
    return Image.blend(image, noise, 0.12)


def phone_bytes(base: Image.Image, number: int) -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Samsung", "SM-A546E", 1
    exif[0x9286] = f"photo {number}"  # a distinct file for each number, as every real photo is
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 1.0, float(number % 60)), "E", (105.0, 51.0, 0.0)
    buffer = io.BytesIO()
    base.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def make_site(count: int) -> tuple[Path, int]:
    site = OUT / "site"
    if site.exists():
        shutil.rmtree(site)
    (site / "content/posts/2024").mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO / "templates", site / "templates")
    shutil.copytree(REPO / "static", site / "static")
    bases = [photo(seed) for seed in range(5)]
    total = 0
    posts = (count + 9) // 10
    for p in range(posts):
        lines = ["---", f"title: Hội nghị có ảnh số {p}", f"date: 2024-03-{p % 28 + 1:02d}", "units: [mttq]",
                 f"cover: z40127058273{p:02d}_0.jpg", "---", "Sáng nay, hội nghị đã diễn ra.", ""]
        for i in range(10):
            number = p * 10 + i
            if number >= count:
                break
            name = f"z40127058273{p:02d}_{i}.jpg"
            data = phone_bytes(bases[number % len(bases)], number)
            total += len(data)
            (site / "content/posts/2024" / name).write_bytes(data)
            lines += [f"![Quang cảnh hội nghị, ảnh {i + 1}]({name})", f"*Ảnh {i + 1}: đại biểu dự hội nghị*", ""]
        (site / f"content/posts/2024/hoi-nghi-{p}.md").write_text("\n".join(lines), encoding="utf-8")
    return site, total


def weight(site: Path, out: Path) -> dict:
    """What a 390 px phone at DPR 2 downloads for the first article: HTML, CSS and, for each
    photo, the WebP its srcset/sizes select (every photo, as if the reader scrolls to the end)."""
    page = out / "tin-tuc/2024/hoi-nghi-0/index.html"
    html = page.read_text(encoding="utf-8")
    css = out / "css/style.css"
    body = html.split('<div class="article-body">', 1)[1]
    slot = PHONE_WIDTH - 32  # sizes: calc(100vw - 2rem) below 44rem
    photos = 0
    for srcset in _attributes(body, "source", "srcset"):
        candidates = [(int(d.rstrip("w")), u) for u, d in (c.split() for c in srcset.split(","))]
        want = slot * DPR
        _, url = min((c for c in candidates if c[0] >= want), default=max(candidates))
        photos += (out / url.lstrip("/")).stat().st_size
    return {"html": len(html.encode()), "css": css.stat().st_size, "photos": photos,
            "count": html.count("<picture>"), "total": len(html.encode()) + css.stat().st_size + photos}


def _attributes(html: str, tag: str, name: str) -> list[str]:
    import re

    return [m[1] for m in re.finditer(rf'<{tag}\b[^>]*\s{name}="([^"]*)"', html)]


def chromium(out: Path) -> dict | None:
    """Bytes Chromium fetches for the article at 390 px, DPR 2, scrolled to the end."""
    try:
        from selenium import webdriver
    except ImportError:
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": PHONE_WIDTH, "height": 844,
                                                                          "pixelRatio": DPR}})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    try:
        import http.server
        import threading
        from functools import partial

        class _Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

        handler = partial(_Quiet, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver.get(f"http://127.0.0.1:{server.server_port}/tin-tuc/2024/hoi-nghi-0/")
        for _ in range(40):  # scroll through, so every lazy photo loads
            driver.execute_script("window.scrollBy(0, 400)")
            time.sleep(0.05)
        time.sleep(1)
        urls, total = {}, 0
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.responseReceived":
                urls[message["params"]["requestId"]] = message["params"]["response"]["url"]
            elif message["method"] == "Network.loadingFinished":
                total += message["params"]["encodedDataLength"]
        server.shutdown()
        return {"requests": len(urls), "bytes": total,
                "photos": sorted({u.rsplit("/", 1)[-1].split("-", 1)[1] for u in urls.values() if "/anh/" in u})}
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--chromium", action="store_true")
    args = parser.parse_args()
    site, originals = make_site(args.photos)
    out = OUT / "public"
    print(f"{args.photos} photos, originals {originals / 1e6:.0f} MB ({originals / args.photos / 1e6:.1f} MB each)")
    timings = []
    for label in ("cold", "warm"):
        started = time.perf_counter()
        result = build(BuildOptions(site_dir=site, out_dir=out))
        timings.append(time.perf_counter() - started)
        print(f"{label}: {timings[-1]:.1f} s ({result.files} files)")
    cache = sum(p.stat().st_size for p in (site / images.CACHE_FOLDER).rglob("*") if p.is_file())
    print(f"cache: {cache / 1e6:.1f} MB")
    w = weight(site, out)
    print(f"article with {w['count']} photos at {PHONE_WIDTH} px, DPR {DPR}: HTML {w['html'] / 1e3:.0f} kB + CSS "
          f"{w['css'] / 1e3:.0f} kB + photos {w['photos'] / 1e3:.0f} kB = {w['total'] / 1e6:.2f} MB "
          f"(originals {originals / args.photos * w['count'] / 1e6:.0f} MB)")
    if args.chromium:
        measured = chromium(out)
        print("chromium:", measured if measured is None else
              f"{measured['requests']} requests, {measured['bytes'] / 1e6:.2f} MB, photo variants {measured['photos'][:3]}…")


if __name__ == "__main__":
    main()
