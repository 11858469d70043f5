"""Photos from phones: resized to a few widths (never up), WebP + progressive JPEG with
srcset/sizes/width/height/lazy, EXIF orientation applied and every EXIF/GPS byte gone,
captions and galleries, originals published only when the site asks (and then without
EXIF/GPS), a cache that makes rebuilds encode nothing and forgets deleted photos, and exact
errors. Every image here is made by the test with Pillow."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from phuongnews import images
from phuongnews.cli import main
from phuongnews.markup import MarkdownRenderer
from tests.conftest import MINIMAL_CONFIG, post

POST = "content/posts/2023/a.md"
FOLDER = "content/posts/2023"
URL = "tin-tuc/2023/a/"
ZALO = "z4012705827385_e0f894bb90c38e5d43cf99fa6932d4a7.jpg"
RED, BLUE = (220, 20, 20), (20, 20, 220)


def phone_jpeg(width: int, height: int, orientation: int = 1, gps: bool = True, **save) -> bytes:
    """A photo as a phone stores it: `width` × `height` as displayed, top half red and bottom
    half blue, stored turned on its side for orientation 6 or 8, with camera and GPS tags;
    `save` adds Pillow save options (an ICC profile, XMP, a comment)."""
    shown = Image.new("RGB", (width, height), BLUE)
    shown.paste(Image.new("RGB", (width, height // 2), RED), (0, 0))
    stored = {6: shown.transpose(Image.Transpose.ROTATE_90), 8: shown.transpose(Image.Transpose.ROTATE_270)}.get(
        orientation, shown)
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=phone_exif(orientation, gps), **save)
    return buffer.getvalue()


def phone_exif(orientation: int = 1, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A546E"
    if gps:
        tags = exif.get_ifd(ExifTags.IFD.GPSInfo)
        tags[1], tags[2], tags[3], tags[4] = "N", (21.0, 1.0, 30.0), "E", (105.0, 51.0, 0.0)
    return exif


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def tags(html: str, name: str) -> list[dict]:
    parser = _Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.found if tag == name]


def build(site: Path, capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["build", "--site", str(site), *args])
    return code, capsys.readouterr().err.splitlines()


def article(site: Path, url: str = URL) -> str:
    return (site / "public" / url / "index.html").read_text(encoding="utf-8")


def body_of(html: str) -> str:
    return html.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]


def srcset_files(site: Path, srcset: str, page: str = URL) -> list[tuple[Path, int]]:
    """(published file, its w descriptor) for each candidate of a srcset as written."""
    found = []
    for candidate in srcset.split(","):
        url, descriptor = candidate.split()
        path = url.removeprefix("/") if url.startswith("/") else os.path.normpath(os.path.join(page, url))
        found.append((site / "public" / path, int(descriptor.rstrip("w"))))
    return found


def assert_clean(path: Path) -> None:
    data = path.read_bytes()
    with Image.open(path) as image:
        assert not image.getexif(), path
        assert not {"exif", "xmp", "icc_profile"} & image.info.keys(), path
    assert b"Exif" not in data and b"Samsung" not in data and b"SM-A546E" not in data, path


def test_a_phone_photo_is_published_responsive_light_and_private(site_factory, capsys):
    original = phone_jpeg(2400, 1800)
    site = site_factory({
        POST: post(body=f'Mở đầu.\n\n![Quang cảnh hội nghị]({ZALO} "Đồng chí Chủ tịch phát biểu")\n\nHết.'),
        f"{FOLDER}/{ZALO}": original,
    })
    assert build(site, capsys) == (0, [])
    body = body_of(article(site))
    assert re.search(r'<figure class="photo"><picture><source [^>]*type="image/webp"[^>]*><img [^>]+></picture>', body)
    assert "<figcaption>Đồng chí Chủ tịch phát biểu</figcaption></figure>" in body
    [source] = tags(body, "source")
    [img] = tags(body, "img")
    assert source["sizes"] == img["sizes"] == images.SIZES_SINGLE
    assert (img["width"], img["height"], img["alt"]) == ("1600", "1200", "Quang cảnh hội nghị")
    assert (img["loading"], img["decoding"]) == ("lazy", "async")
    assert "title" not in img  # the title became the caption
    assert re.fullmatch(r"/anh/[0-9a-f]{16}-960\.jpg", img["src"])
    for srcset, kind in ((source["srcset"], "WEBP"), (img["srcset"], "JPEG")):
        files = srcset_files(site, srcset)
        assert [w for _, w in files] == [480, 960, 1600]
        for path, width in files:
            with Image.open(path) as image:
                assert (image.format, image.size) == (kind, (width, width * 3 // 4))
                if kind == "JPEG":
                    assert image.info.get("progressive") == 1
            assert_clean(path)
    published = [p for p in (site / "public").rglob("*") if p.is_file()]
    assert not any(p.name == ZALO or p.read_bytes() == original for p in published)  # the original stays home
    assert all(re.fullmatch(r"[0-9a-f]{16}-\d+\.(jpg|webp)", p.name) for p in (site / "public/anh").iterdir())
    assert "<a " not in body  # nothing to open full size
    assert sum(p.stat().st_size for p in published if p.suffix == ".webp") < len(original)


def test_exif_orientation_is_applied_before_the_tags_go(site_factory, capsys):
    site = site_factory({
        POST: post(body="![Ảnh đứng](dung.jpg)\n\n![Ảnh đứng, xoay kiểu khác](dung-8.jpg)"),
        f"{FOLDER}/dung.jpg": phone_jpeg(600, 800, orientation=6),
        f"{FOLDER}/dung-8.jpg": phone_jpeg(600, 800, orientation=8),
    })
    assert build(site, capsys) == (0, [])
    for img in tags(body_of(article(site)), "img"):
        assert (img["width"], img["height"]) == ("600", "800")  # tall, as the phone showed it
        for path, width in srcset_files(site, img["srcset"]):
            with Image.open(path) as image:
                assert image.size == (width, round(800 * width / 600))
                rgb = image.convert("RGB")
                top, bottom = rgb.getpixel((width // 2, 5)), rgb.getpixel((width // 2, image.height - 5))
                assert top[0] > 150 and top[2] < 100, top  # red on top
                assert bottom[2] > 150 and bottom[0] < 100, bottom
            assert_clean(path)


@pytest.mark.parametrize(("width", "expected"), [
    (4000, (480, 960, 1600)), (1600, (480, 960, 1600)), (1000, (480, 1000)), (700, (480, 700)), (300, (300,)),
    (500, (500,)),
])
def test_variant_widths_are_never_wider_than_the_photo(width, expected):
    assert images.variant_widths(width) == expected


def test_a_small_photo_is_never_upscaled(site_factory, capsys):
    site = site_factory({POST: post(body="![Nhỏ](nho.png)"), f"{FOLDER}/nho.png": _png(700, 500)})
    assert build(site, capsys) == (0, [])
    [img] = tags(body_of(article(site)), "img")
    assert (img["width"], img["height"]) == ("700", "500")
    for path, width in srcset_files(site, img["srcset"]):
        assert width <= 700
        with Image.open(path) as image:
            assert image.width == width
    assert max(Image.open(p).width for p in (site / "public/anh").iterdir()) == 700


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_captions_from_an_italic_line_and_galleries_as_a_grid(site_factory, capsys):
    body = ("![Một](1.jpg)\n*Ảnh: Quang cảnh hội nghị*\n\n"
            "![Hai](2.jpg \"Đại biểu\")\n![Ba](3.jpg)\n![Bốn](4.jpg)\n\n_Một số hình ảnh tại hội nghị_\n\n"
            "Chữ có ảnh ![Năm](5.jpg) ở giữa dòng.")
    files = {f"{FOLDER}/{n}.jpg": phone_jpeg(800, 600, gps=False) for n in range(1, 6)}
    site = site_factory({POST: post(body=body), **files})
    assert build(site, capsys) == (0, [])
    html = body_of(article(site))
    blocks = re.findall(r"<figure class=\"(\w+)\">", html)
    assert blocks == ["photo", "gallery", "photo", "photo", "photo"]
    single, gallery = html.split('<figure class="gallery">')
    assert single.count("<picture>") == 1 and "<figcaption>Ảnh: Quang cảnh hội nghị</figcaption></figure>" in single
    assert "<em>" not in html
    assert gallery.count("<picture>") == 4  # three in the grid, one inline in the text
    assert "<figcaption>Đại biểu</figcaption></figure>" in gallery
    assert "<figcaption>Một số hình ảnh tại hội nghị</figcaption></figure>" in gallery
    assert all(t["sizes"] == images.SIZES_GALLERY for t in tags(gallery.split("<p>")[0], "img"))
    assert re.search(r"<p>Chữ có ảnh <picture><source [^>]+><img [^>]+></picture> ở giữa dòng\.</p>", gallery)


def test_a_rebuild_encodes_nothing_and_output_is_byte_identical(site_factory, capsys, monkeypatch):
    encoded = []
    real_encode = images.encode
    monkeypatch.setattr(images, "encode", lambda data, wanted: encoded.append(1) or real_encode(data, wanted))
    site = site_factory({
        POST: post(body="![Một](1.jpg)\n\n![Hai](../chung/2.jpg)", extra="cover: 1.jpg"),
        f"{FOLDER}/1.jpg": phone_jpeg(1800, 1200),
        "content/posts/chung/2.jpg": phone_jpeg(1000, 800),
    })
    assert build(site, capsys) == (0, [])
    assert len(encoded) == 2
    cache = site / images.CACHE_FOLDER / "images"
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    first = {p.relative_to(site / "public"): p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    assert build(site, capsys) == (0, [])
    assert len(encoded) == 2  # warm: nothing encoded again
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps
    (site / images.CACHE_FOLDER).rename(site / "old-cache")
    assert build(site, capsys) == (0, [])  # cold again: encoded anew, to the same bytes
    assert len(encoded) == 4
    again = {p.relative_to(site / "public"): p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    assert again == first


def cached_keys(site: Path) -> set[str]:
    return {p.name[:16] for p in (site / images.CACHE_FOLDER / "images").iterdir()}


def test_deleting_a_photo_removes_its_files_from_the_site_and_the_cache(site_factory, capsys, monkeypatch):
    encoded = []
    real_encode = images.encode
    monkeypatch.setattr(images, "encode", lambda data, wanted: encoded.append(1) or real_encode(data, wanted))
    draft = "content/posts/2023/nhap.md"
    site = site_factory({POST: post(body="![Một](1.jpg)\n\n![Hai](2.jpg)"),
                         draft: post(title="Bản nháp", body="![Ba](3.jpg)", extra="draft: true"),
                         f"{FOLDER}/1.jpg": phone_jpeg(900, 600), f"{FOLDER}/2.jpg": phone_jpeg(1200, 900),
                         f"{FOLDER}/3.jpg": phone_jpeg(800, 600)})
    cache = site / images.CACHE_FOLDER
    (cache / "build").mkdir(parents=True)
    (cache / "build/index").write_text("another cache's", encoding="utf-8")
    (cache / "images").mkdir()
    (cache / "images/README").write_text("not a photo's", encoding="utf-8")
    assert build(site, capsys, "--drafts") == (0, [])  # the preview of drafts made 3.jpg's variants
    assert build(site, capsys) == (0, [])
    assert len(list((site / "public/anh").iterdir())) == 2 * 2 + 3 * 2
    assert len(encoded) == 3  # 3.jpg is still in the site folder: the build without drafts kept it
    keys = cached_keys(site)
    assert len(keys - {"README"}) == 3

    (site / POST).write_text(post(body="![Một](1.jpg)"), encoding="utf-8")
    (site / FOLDER / "2.jpg").unlink()
    assert build(site, capsys) == (0, [])
    assert len(list((site / "public/anh").iterdir())) == 2 * 2
    assert len(cached_keys(site)) == len(keys) - 1  # 2.jpg's variants are gone from the cache too
    stamps = {p.name: p.stat().st_mtime_ns for p in (cache / "images").iterdir()}
    assert build(site, capsys) == (0, [])
    assert len(encoded) == 3  # warm: nothing encoded, nothing pruned, nothing rewritten
    assert {p.name: p.stat().st_mtime_ns for p in (cache / "images").iterdir()} == stamps
    assert (cache / "build/index").read_text(encoding="utf-8") == "another cache's"  # other caches untouched
    assert (cache / "images/README").is_file()


def test_a_photo_replaced_in_place_is_published_anew_and_its_old_variants_go(site_factory, capsys):
    site = site_factory({POST: post(body="![Một](1.jpg)"), f"{FOLDER}/1.jpg": phone_jpeg(900, 600)})
    assert build(site, capsys) == (0, [])
    assert build(site, capsys) == (0, [])
    old = cached_keys(site)
    (site / FOLDER / "1.jpg").write_bytes(phone_jpeg(900, 600, gps=False))  # same name, new bytes
    assert build(site, capsys) == (0, [])
    new = images.content_key((site / FOLDER / "1.jpg").read_bytes())
    assert cached_keys(site) == {new} != old
    [img] = tags(body_of(article(site)), "img")
    assert img["src"] == f"/anh/{new}-900.jpg" and (site / "public" / img["src"][1:]).is_file()
    assert {p.name[:16] for p in (site / "public/anh").iterdir()} == {new}


def test_the_cache_prunes_only_photos_that_are_gone(tmp_path):
    photo = tmp_path / "content/a.jpg"
    photo.parent.mkdir()
    photo.write_bytes(phone_jpeg(600, 400))
    key = images.content_key(photo.read_bytes())
    found = images.Photo(path=photo, name="content/a.jpg", key=key, width=600, height=400)
    cache = tmp_path / images.CACHE_FOLDER / "images"
    images.publish(images.variants([found], []), cache)
    made = sorted(p.name for p in cache.iterdir())
    (cache / "0123456789abcdef-480.jpg").write_bytes(b"a variant no record speaks for")
    assert images.prune(cache, set()) == 1  # kept: a.jpg is still there
    assert sorted(p.name for p in cache.iterdir()) == made
    os.utime(photo, ns=(0, 0))  # touched (a git checkout), same bytes: still the same photo
    assert images.prune(cache, set()) == 0 and sorted(p.name for p in cache.iterdir()) == made
    photo.write_bytes(phone_jpeg(600, 400, gps=False))
    assert images.prune(cache, {key}) == 0  # used by this build: kept whatever the folder says
    assert images.prune(cache, set()) == 1
    assert list(cache.iterdir()) == []


def original_of(site: Path, img_href: str) -> Path:
    return site / "public" / img_href.removeprefix("/")


def assert_private(path: Path) -> None:
    """No EXIF, GPS, XMP, comment or text left, nor any byte of the tags the test wrote."""
    data = path.read_bytes()
    with Image.open(path) as image:
        assert not image.getexif(), path
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & image.info.keys(), path
        assert not getattr(image, "text", None), path
    for secret in (b"Exif", b"Samsung", b"SM-A546E", PLACE):
        assert secret not in data, (path, secret)


PLACE = b"Phuong Mau 21.0250N 105.8500E"  # where the photo was taken, written in every way a file can


def tagged_png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(Image.new("RGB", (width, height // 2), RED), (0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PLACE.decode())
    info.add_text("Location", PLACE.decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", PLACE.decode())
    info.add(b"tIME", b"\x07\xe7\x0c\x16\x08\x00\x00")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=phone_exif(), pnginfo=info)
    return buffer.getvalue()


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def test_originals_are_published_when_asked_and_carry_no_exif_or_gps(site_factory, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(images, "_PARALLEL_FROM", 100)  # encoded here, where the calls are counted
    real_original = images.encode_original
    monkeypatch.setattr(images, "encode_original", lambda data, ext: calls.append(ext) or real_original(data, ext))
    upright = phone_jpeg(1200, 900, icc_profile=SRGB, comment=PLACE, xmp=PLACE, progressive=True,
                         restart_marker_blocks=3) + b"SEFH" + PLACE  # a phone's trailer after the image
    webp = io.BytesIO()
    Image.open(io.BytesIO(phone_jpeg(640, 480))).save(webp, "WEBP", exif=phone_exif(), xmp=PLACE, icc_profile=SRGB)
    files = {f"{FOLDER}/thang.jpg": upright, f"{FOLDER}/dung.jpg": phone_jpeg(600, 800, orientation=6),
             f"{FOLDER}/hinh.png": tagged_png(500, 300), f"{FOLDER}/web.webp": webp.getvalue()}
    body = ("![Thẳng](thang.jpg)\n\n![Đứng](dung.jpg)\n![Hình](hinh.png)\n\n![Web](web.webp)\n\n"
            "[![Liên kết](thang.jpg)](https://example.vn/)")
    site = site_factory({"site.yaml": MINIMAL_CONFIG + "photos:\n  originals: true\n", POST: post(body=body), **files})
    assert build(site, capsys) == (0, [])
    html = body_of(article(site))
    links = tags(html, "a")
    assert [a["href"] for a in links[:4]] == [
        f"/anh/{images.content_key(data)}.{ext}" for data, ext in zip(files.values(), ("jpg", "jpg", "png", "webp"))]
    assert links[4]["href"] == "https://example.vn/"  # an image already linked keeps its link
    assert re.search(r'<figure class="photo"><a href="/anh/[0-9a-f]{16}\.jpg"><picture>.*?</picture></a></figure>', html)
    originals = [original_of(site, a["href"]) for a in links[:4]]
    for path in originals:
        assert_private(path)
    thang, dung, hinh, web = originals
    with Image.open(thang) as image, Image.open(io.BytesIO(upright)) as before:
        assert image.info.get("icc_profile") == SRGB  # the colour profile stays
        assert image.tobytes() == before.tobytes()  # not encoded again: the very same pixels
    assert len(thang.read_bytes()) < len(upright)
    with Image.open(dung) as image:  # turned upright, full size
        assert image.size == (600, 800)
        top, bottom = image.getpixel((300, 5)), image.getpixel((300, 795))
        assert top[0] > 150 and top[2] < 100 and bottom[2] > 150 and bottom[0] < 100
    for path, data in ((hinh, files[f"{FOLDER}/hinh.png"]), (web, files[f"{FOLDER}/web.webp"])):
        with Image.open(path) as image, Image.open(io.BytesIO(data)) as before:
            assert image.format == before.format and image.tobytes() == before.tobytes()
    assert sorted(calls) == ["jpg", "jpg", "png", "webp"]
    assert build(site, capsys) == (0, [])
    assert len(calls) == 4  # warm: not made again

    assert build(site, capsys, "--relative") == (0, [])
    href = tags(body_of(article(site)), "a")[0]["href"]
    assert href.startswith("../../../anh/") and (site / "public" / URL / href).resolve().is_file()


@pytest.mark.parametrize(("yaml", "line", "expected"), [
    ("photos:\n  originals: có\n", 2, [
        "site.yaml:{line}: photos.originals phải là true hoặc false, không phải 'có'",
        "    gợi ý: true: đăng cả ảnh gốc cỡ đầy đủ (đã xóa EXIF và vị trí GPS); false hoặc bỏ đi: chỉ đăng các bản thu nhỏ"]),
    ("photos:\n  original: true\n", 2, ["site.yaml:{line}: khóa 'original' không có trong photos",
                                         "    gợi ý: có phải ý bạn là 'originals'?"]),
    ("photos: true\n", 1, ["site.yaml:{line}: photos phải là một bảng dạng khóa: giá trị"]),
])
def test_a_bad_photos_setting_names_its_line(site_factory, capsys, yaml, line, expected):
    site = site_factory({"site.yaml": MINIMAL_CONFIG + yaml, POST: post()})
    code, err = build(site, capsys)
    assert code == 1
    line += MINIMAL_CONFIG.count("\n")
    assert err[:len(expected)] == [e.format(line=line) for e in expected]


def test_the_cover_is_a_1200_px_jpeg_for_open_graph(site_factory, capsys):
    site = site_factory({POST: post(extra=f"cover: {ZALO}"), f"{FOLDER}/{ZALO}": phone_jpeg(2400, 1800)})
    assert build(site, capsys) == (0, [])
    html = article(site)
    og = {m["property"]: m["content"] for m in tags(html, "meta") if "property" in m}
    assert re.fullmatch(r"https://phuong-mau\.example\.vn/anh/[0-9a-f]{16}-1200\.jpg", og["og:image"])
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "900")
    path = site / "public" / og["og:image"].split(".vn/", 1)[1]
    with Image.open(path) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 900))
    assert_clean(path)
    assert f'"image": "{og["og:image"]}"' in html  # JSON-LD too


def test_a_photo_in_static_is_processed_and_its_original_withheld(site_factory, capsys):
    site = site_factory({POST: post(body="![Ảnh](/images/2023/hoi-nghi.jpg)", extra="cover: images/2023/hoi-nghi.jpg"),
                         "static/images/2023/hoi-nghi.jpg": phone_jpeg(1000, 750)})
    assert build(site, capsys) == (0, [])
    assert not (site / "public/images/2023/hoi-nghi.jpg").exists()
    [img] = tags(body_of(article(site)), "img")
    assert all(path.is_file() for path, _ in srcset_files(site, img["srcset"]))


def test_photo_urls_follow_the_sub_path_and_relative_builds(site_factory, capsys):
    files = {POST: post(body="![Ảnh](1.jpg)"), f"{FOLDER}/1.jpg": phone_jpeg(1000, 750)}
    site = site_factory(files)
    assert build(site, capsys, "--base-url", "https://tinh.example.gov.vn/phuong-x/") == (0, [])
    [source] = tags(body_of(article(site)), "source")
    assert all(url.startswith("/phuong-x/anh/") for url in source["srcset"].split()[::2])
    site = site_factory(files)
    assert build(site, capsys, "--relative") == (0, [])
    [source] = tags(body_of(article(site)), "source")
    [img] = tags(body_of(article(site)), "img")
    assert source["srcset"].startswith("../../../anh/")
    assert img["src"].startswith("../../../anh/") and (site / "public" / URL / img["src"]).resolve().is_file()
    assert all(path.is_file() for path, _ in srcset_files(site, source["srcset"]))


@pytest.mark.parametrize(("files", "body", "expected"), [
    pytest.param({}, "Mở đầu.\n\n![Ảnh](anh-hop.jpg)", [
        f"{POST}:8: không thấy ảnh 'anh-hop.jpg' (đã tìm: {FOLDER}/anh-hop.jpg, static/anh-hop.jpg)",
        ("    gợi ý: đặt ảnh cạnh bài viết và ghi tên tệp, ví dụ ![Quang cảnh hội nghị](anh-hoi-nghi.jpg);"
         " tên tệp phân biệt chữ hoa, chữ thường")], id="missing"),
    pytest.param({f"{FOLDER}/bao-cao.jpg": b"%PDF-1.4 not a photo"}, "![Báo cáo](bao-cao.jpg)", [
        f"{POST}:6: tệp '{FOLDER}/bao-cao.jpg' không phải là ảnh (hoặc bị hỏng)",
        "    gợi ý: dùng ảnh JPEG, PNG, WebP hoặc GIF; mở tệp trên máy để kiểm tra"], id="not-an-image"),
    pytest.param({f"{FOLDER}/hong.jpg": phone_jpeg(800, 600)[:3000]}, "Một.\n\nHai.\n\n![Hỏng](hong.jpg)", [
        f"{POST}:10: không đọc được nội dung ảnh '{FOLDER}/hong.jpg' (tệp bị hỏng hoặc chép chưa xong)",
        "    gợi ý: chép lại ảnh từ điện thoại hoặc Zalo"], id="truncated"),
    pytest.param({}, "![Ảnh](/../../etc/passwd.jpg)", None, id="outside"),
])
def test_image_errors_name_the_post_and_line(site_factory, capsys, files, body, expected):
    site = site_factory({POST: post(body=body), **files})
    code, err = build(site, capsys)
    assert code == 1
    if expected is None:
        assert err[0].startswith(f"{POST}:6: ")
    else:
        assert err[:2] == expected
    assert err[-1] == "Có 1 lỗi trong 1 tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên."
    assert not (site / "public").exists()


def test_an_image_over_25_mb_is_refused_unread(site_factory, capsys):
    site = site_factory({POST: post(extra="cover: lon.jpg")})
    with open(site / FOLDER / "lon.jpg", "wb") as big:
        big.truncate(26 * 1024 * 1024)  # sparse: no 26 MB written
    code, err = build(site, capsys)
    assert code == 1
    assert err[:2] == [f"{POST}:5: ảnh '{FOLDER}/lon.jpg' quá lớn (26 MB, tối đa 25 MB)",
                       "    gợi ý: lưu một bản nhỏ hơn của ảnh; phuongnews tự làm nhẹ ảnh khi đăng"]


def test_a_photo_without_alt_text_is_a_warning(site_factory, capsys):
    site = site_factory({POST: post(body="Một.\n\n![](1.jpg)"), f"{FOLDER}/1.jpg": phone_jpeg(800, 600)})
    code, err = build(site, capsys, "--lang", "en")
    assert code == 0
    assert err[:2] == [f"{POST}:8: warning: the image '1.jpg' has no text for blind readers (alt text)",
                       "    hint: describe it inside the brackets: ![The meeting hall](photo.jpg)"]


def test_raw_html_images_stay_under_the_sanitiser():
    renderer = MarkdownRenderer()
    html = renderer.render('<img src="a.jpg" srcset="javascript:alert(1) 1x" onerror="x()" loading="lazy" alt="a">\n\n'
                           '<picture><source srcset="/b.webp 480w" type="image/webp" onload="x()">'
                           '<img src="/b.jpg" alt="b"></picture>')
    assert html == ('<p><img src="a.jpg" alt="a" loading="lazy"></p>\n'
                    '<p><picture><source srcset="/b.webp 480w" type="image/webp"><img src="/b.jpg" alt="b"></picture></p>')


def test_without_a_site_folder_images_stay_plain_but_get_figures():
    html = MarkdownRenderer().render('![Ảnh](a.jpg "Chú thích")')
    assert html == '<figure class="photo"><img alt="Ảnh" src="a.jpg"><figcaption>Chú thích</figcaption></figure>'
