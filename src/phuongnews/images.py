"""Photos: phone pictures (3–8 MB, 4000 px, EXIF with GPS) published responsive, light and private.

Two halves:
- planning, pure: which widths a photo gets (`variant_widths`), their names (content hash +
  width, so output is byte-identical build after build), the `srcset`/`sizes` markup values;
- the I/O edge: `PhotoResolver` finds a referenced file and reads its header (size, EXIF
  orientation) while posts are parsed; `publish` encodes the variants (orientation applied,
  every byte of EXIF/GPS/XMP/ICC metadata dropped, progressive JPEG + WebP) into a cache
  folder keyed by content hash and settings, so a rebuild encodes nothing it has encoded before,
  then `prune`s the cache of photos that are gone from the site folder.

The originals are not published unless site.yaml says `photos: {originals: true}`; then each
body photo's original is published too (`encode_original`), with every EXIF/GPS/XMP byte
removed: losslessly where the pixels are already upright, re-encoded at full size where the
EXIF orientation must be applied.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

WIDTHS = (480, 960, 1600)  # what the body's srcset offers; never wider than the photo
OG_WIDTH = 1200  # the cover's Open Graph JPEG (Facebook and Zalo want about 1200 px)
JPEG_QUALITY = 78
WEBP_QUALITY = 72
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 120_000_000  # a 12 000 × 10 000 photo; more is a decompression bomb, not a picture
# Any change to how variants are made must change this, so cached variants are made again.
SETTINGS = f"v1 widths={WIDTHS} og={OG_WIDTH} jpeg={JPEG_QUALITY} webp={WEBP_QUALITY} progressive srgb"
OUTPUT_FOLDER = "anh"  # variants are published as anh/<key>-<width>.<jpg|webp>
CACHE_FOLDER = ".phuongnews-cache"  # shared with other caches: photos only ever touch its images/
ORIGINAL = 0  # the "width" of a published original (photos: originals: true): anh/<key>.<ext>
ORIGINAL_TAG = "original1"  # in the original's cache name; change it when encode_original changes
ORIGINAL_JPEG_QUALITY = 92  # an original that must be turned upright is encoded again, at full size
ORIGINAL_WEBP_QUALITY = 90
# What a Markdown image or a cover may name to become a photo. Anything else (a drawing in
# .svg, a file with another ending) is left as a plain <img> and link-checked as before.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".jfif", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif")
# Body photos fill the article column (42rem) or, in a gallery, half of it on a phone.
SIZES_SINGLE = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
SIZES_GALLERY = "(min-width: 44rem) 20rem, calc(50vw - 1.5rem)"
FALLBACK_WIDTH = 960  # the <img src> for browsers without srcset
_PARALLEL_FROM = 4  # fewer photos to encode than this: no worker processes (they cost ~0.1 s)


@dataclass(frozen=True)
class Photo:
    """A referenced photo: where it is, what it is, and where it was referenced (for errors)."""

    path: Path  # the file on disk
    name: str  # as the clerk knows it: "content/posts/2023/z401….jpg"
    key: str  # hash of the file's bytes and SETTINGS: names every variant
    width: int  # after EXIF orientation
    height: int
    source: str = ""  # the post or page that references it
    line: int | None = None
    original: str = ""  # "jpg", "png" or "webp": the site publishes the original as that; "": it does not

    @property
    def widths(self) -> tuple[int, ...]:
        return variant_widths(self.width)

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def url(self, width: int, ext: str) -> str:
        """Site-relative path of a variant (of the original for width ORIGINAL)."""
        if width == ORIGINAL:
            return f"{OUTPUT_FOLDER}/{self.key}.{ext}"
        return f"{OUTPUT_FOLDER}/{self.key}-{width}.{ext}"

    @property
    def original_url(self) -> str | None:
        """Site-relative path of the published original; None if the site does not publish it."""
        return self.url(ORIGINAL, self.original) if self.original else None

    @property
    def og_width(self) -> int:
        return min(OG_WIDTH, self.width)


def variant_widths(width: int) -> tuple[int, ...]:
    """The standard widths narrower than the photo, plus the photo's own width when it is
    narrower than the widest (a standard width within 10 % of it is then dropped): never upscaled."""
    if width >= WIDTHS[-1]:
        return WIDTHS
    return tuple([w for w in WIDTHS if w < width * 0.9] + [width])


def srcset(photo: Photo, ext: str) -> str:
    return ", ".join(f"/{photo.url(w, ext)} {w}w" for w in photo.widths)


def fallback_width(photo: Photo) -> int:
    return min((w for w in photo.widths if w >= FALLBACK_WIDTH), default=photo.widths[-1])


@dataclass
class Needed:
    """What the site needs of one photo (one content hash): its variants as {(width, ext)},
    and every file it was found in (so the cache knows when the photo is gone)."""

    photo: Photo
    wanted: set[tuple[int, str]]
    paths: set[Path]


def variants(photos: Iterable[Photo], covers: Iterable[Photo]) -> dict[str, Needed]:
    """key -> Needed for every variant the site needs; body photos of a site that publishes
    originals also need (ORIGINAL, ext). A cover only feeds og:image: its original is not needed."""
    needed: dict[str, Needed] = {}

    def entry(photo: Photo) -> Needed:
        found = needed.get(photo.key)
        if found is None:
            found = needed[photo.key] = Needed(photo, set(), set())
        found.paths.add(photo.path)
        return found

    for photo in photos:
        wanted = entry(photo).wanted
        wanted.update((w, ext) for w in photo.widths for ext in ("jpg", "webp"))
        if photo.original:
            wanted.add((ORIGINAL, photo.original))
    for photo in covers:
        entry(photo).wanted.add((photo.og_width, "jpg"))
    return needed


def choose(photo: Photo, css_width: float, dpr: float) -> int:
    """The variant a browser downloads for a slot `css_width` px wide at device pixel ratio
    `dpr`: the narrowest at least that many pixels, else the widest (the srcset rule browsers follow)."""
    want = css_width * dpr
    return min((w for w in photo.widths if w >= want), default=photo.widths[-1])


# --- the I/O edge: finding and probing -------------------------------------------------------


class PhotoProblem(Exception):
    """A referenced image that cannot be published; `code` names the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class PhotoResolver:
    """Finds the files posts reference and reads their headers, once per file and build.
    `originals`: whether the site publishes photos' originals (site.yaml `photos: originals`)."""

    def __init__(self, site_dir: Path, originals: bool = False) -> None:
        self.site_dir = site_dir
        self._content = Path(os.path.realpath(site_dir / "content"))
        self._static = Path(os.path.realpath(site_dir / "static"))
        self._probed: dict[tuple, tuple[str, int, int, str]] = {}
        self.originals = originals

    def local(self, src: str) -> bool:
        """Whether `src` names a file of the site that is processed as a photo."""
        parts = urlsplit(src)
        path = unquote(parts.path)
        return not (parts.scheme or parts.netloc) and path.lower().endswith(PHOTO_SUFFIXES)

    def find(self, src: str, source: str, static_first: bool = False) -> Photo:
        """The photo `src` names, written in `source` (a post or page, site-relative).
        `/x.jpg` is looked up in static/ then content/; `x.jpg` next to the post (for a cover
        written the old way, `static_first`, in static/ first), then in static/."""
        candidates = self.candidates(src, source, static_first)
        for name in candidates:
            file = self.site_dir / name
            if file.is_file():
                real = Path(os.path.realpath(file))
                if not (real.is_relative_to(self._content) or real.is_relative_to(self._static)):
                    raise PhotoProblem("image.outside", src=src)
                return self._probe(file, name)
        raise PhotoProblem("image.missing", src=src, looked=", ".join(candidates))

    def candidates(self, src: str, source: str, static_first: bool = False) -> list[str]:
        """The site files `find` looks at for `src`, in order (the build cache watches them)."""
        path = unquote(urlsplit(src).path)
        folder = posixpath.dirname(source)
        if path.startswith("/"):
            candidates = [f"static/{path.lstrip('/')}", f"content/{path.lstrip('/')}"]
        else:
            candidates = [posixpath.join(folder, path), f"static/{path}"]
            if static_first:
                candidates.reverse()
        return [posixpath.normpath(c) for c in candidates]

    def _probe(self, file: Path, name: str) -> Photo:
        stat = file.stat()
        memo = (str(file), stat.st_size, stat.st_mtime_ns)
        if memo not in self._probed:
            if stat.st_size > MAX_BYTES:
                raise PhotoProblem("image.too_large", src=name, megabytes=f"{stat.st_size / 1048576:.0f}")
            self._probed[memo] = probe(file.read_bytes(), name)
        key, width, height, original = self._probed[memo]
        return Photo(path=file, name=name, key=key, width=width, height=height,
                     original=original if self.originals else "")


def probe(data: bytes, name: str) -> tuple[str, int, int, str]:
    """(key, width, height as displayed, the extension its published original would have) of
    an image file's bytes; PhotoProblem if it is none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
            original = _original_ext(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoProblem("image.not_image", src=name) from None
    if width * height > MAX_PIXELS:
        raise PhotoProblem("image.too_many_pixels", src=name, width=width, height=height)
    if orientation in (5, 6, 7, 8):  # stored on its side: shown turned a quarter
        width, height = height, width
    return content_key(data), width, height, original


def content_key(data: bytes) -> str:
    """What names a photo's variants: its bytes and the settings they are made with."""
    return hashlib.sha256(data + b"\0" + SETTINGS.encode()).hexdigest()[:16]


def _original_ext(image) -> str:
    """JPEG, PNG and WebP originals stay what they are; other formats (GIF, BMP, TIFF, HEIC),
    which browsers show badly or not at all, are published as PNG (drawings, transparency) or JPEG."""
    kind = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}.get(image.format or "")
    if kind:
        return kind
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return "png" if alpha or image.format in ("GIF", "BMP") or image.mode in ("P", "1") else "jpg"


# --- the I/O edge: encoding with a cache -----------------------------------------------------


@dataclass(frozen=True)
class Published:
    files: dict[str, Path]  # site-relative output path -> cached file to copy
    encoded: int  # photos encoded by this build (0 on a warm cache)
    cached: int  # photos whose every variant was already in the cache
    broken: tuple[tuple[Photo, str], ...] = ()  # photos that could not be decoded, with a message code
    pruned: int = 0  # photos whose cached files were removed, their photo being gone


def publish(needed: dict[str, Needed], cache_dir: Path) -> Published:
    """Make sure every needed variant is in `cache_dir`; return where each one is, and which
    photos could not be decoded (a header that reads but a body that does not: truncated files).
    When every photo could be made, the cache is then pruned (see `prune`)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    jobs = []
    for key in sorted(needed):
        photo, wanted = needed[key].photo, needed[key].wanted
        _record_sources(cache_dir, key, needed[key].paths)  # before encoding: see prune
        missing = sorted(v for v in wanted if not (cache_dir / _cache_name(key, *v)).is_file())
        for width, ext in wanted:
            files[photo.url(width, ext)] = cache_dir / _cache_name(key, width, ext)
        if missing:
            jobs.append((photo, tuple(missing)))
    if len(jobs) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        from concurrent.futures import (
            ProcessPoolExecutor,  # here: a build without new photos never needs it
        )

        with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(jobs))) as pool:
            results = list(pool.map(_job, [(str(p.path), p.key, v, str(cache_dir)) for p, v in jobs]))
    else:
        results = [_job((str(p.path), p.key, v, str(cache_dir))) for p, v in jobs]
    broken = tuple((photo, code) for (photo, _), code in zip(jobs, results) if code is not None)
    pruned = 0 if broken else prune(cache_dir, set(needed))
    return Published(files, encoded=len(jobs), cached=len(needed) - len(jobs), broken=broken, pruned=pruned)


def _cache_name(key: str, width: int, ext: str) -> str:
    if width == ORIGINAL:
        return f"{key}-{ORIGINAL_TAG}.{ext}"
    return f"{key}-{width}.{ext}"


def _job(args: tuple[str, str, tuple[tuple[int, str], ...], str]) -> str | None:
    """Encode one photo's missing variants into the cache; a message code if it cannot."""
    path, key, wanted, cache = args
    try:
        data = Path(path).read_bytes()
        sized = [v for v in wanted if v[0] != ORIGINAL]
        encoded = encode(data, sized) if sized else {}
        for width, ext in wanted:
            if width == ORIGINAL:
                encoded[(width, ext)] = encode_original(data, ext)
    except (OSError, SyntaxError, ValueError):
        return "image.broken"
    for (width, ext), data in encoded.items():
        _write_atomic(Path(cache) / _cache_name(key, width, ext), data)
    return None


def encode(data: bytes, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], bytes]:
    """(width, "jpg"|"webp") -> encoded bytes: EXIF orientation applied, converted to sRGB,
    resized (never up), and saved with no metadata at all (EXIF, GPS, XMP, ICC, comments)."""
    from PIL import Image, ImageOps

    wanted = sorted(set(wanted), reverse=True)
    with Image.open(io.BytesIO(data)) as opened:
        orientation = opened.getexif().get(0x0112, 1)
        largest = wanted[0][0]
        if opened.format == "JPEG":  # decode at 1/2, 1/4 … scale when that is still large enough
            w, h = opened.size
            sideways = orientation in (5, 6, 7, 8)
            scale = largest / (h if sideways else w)
            opened.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        image = ImageOps.exif_transpose(opened)
        image.load()
        image = _srgb(image, opened.info.get("icc_profile"))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    out: dict[tuple[int, str], bytes] = {}
    current = image
    for width in sorted({w for w, _ in wanted}, reverse=True):
        height = max(1, round(image.height * width / image.width))
        if width < current.width:
            current = current.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        current.info.clear()  # nothing of the original's metadata travels on
        for ext in sorted(e for w, e in wanted if w == width):
            buffer = io.BytesIO()
            if ext == "jpg":
                flat = current
                if has_alpha:
                    flat = Image.new("RGB", current.size, "white")
                    flat.paste(current, mask=current.getchannel("A"))
                flat.save(buffer, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
            else:
                current.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
            out[(width, ext)] = buffer.getvalue()
    return out


def _srgb(image, icc: bytes | None):
    """Phones shoot in Display P3; with the profile stripped, colours must be sRGB already."""
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(source) or "").lower():
            return image
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


# --- originals (photos: originals: true): published whole, without a byte of EXIF/GPS ------


def encode_original(data: bytes, ext: str) -> bytes:
    """The photo as it was taken, fit to publish as `ext`: a JPEG, PNG or WebP whose pixels are
    already upright loses only its metadata segments, byte for byte otherwise (the colour
    profile stays, so colours do not change); one that must be turned upright (EXIF orientation
    other than 1), or another format, is encoded again at full size, at high quality. Either way
    no EXIF, GPS, XMP, comment or maker data is left."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        kind, orientation = opened.format, opened.getexif().get(0x0112, 1)
    strip = _STRIPPERS.get((kind, ext))
    if strip is not None and orientation not in range(2, 9):
        stripped = strip(data)
        if stripped is not None and _no_metadata(stripped):
            return stripped
    return _full_size(data, ext)


def _full_size(data: bytes, ext: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        icc = opened.info.get("icc_profile") or None
        image = ImageOps.exif_transpose(opened)
        image.load()
    if ext == "png":
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if alpha or image.mode not in ("1", "L", "P", "RGB", "I", "I;16"):
            image = image.convert("RGBA" if alpha else "RGB")
    elif ext == "jpg" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    elif ext == "webp" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA", "P") else "RGB")
    image.info.clear()  # nothing of the original's metadata travels on but its colour profile
    buffer = io.BytesIO()
    if ext == "jpg":
        image.save(buffer, "JPEG", quality=ORIGINAL_JPEG_QUALITY, optimize=True, progressive=True, icc_profile=icc)
    elif ext == "webp":
        image.save(buffer, "WEBP", quality=ORIGINAL_WEBP_QUALITY, method=4, icc_profile=icc)
    else:
        image.save(buffer, "PNG", icc_profile=icc)
    return buffer.getvalue()


def _no_metadata(data: bytes) -> bool:
    """Whether a stripped file still opens and decodes, with no EXIF, XMP, text or comment."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.getexif() or {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & image.info.keys():
                return False
            if getattr(image, "text", None):  # PNG text chunks
                return False
            if image.format == "JPEG":
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except (OSError, SyntaxError, ValueError):
        return False
    return True


def _strip_jpeg(data: bytes) -> bytes | None:
    """Every segment but metadata, up to the image's end: APP0 JFIF, the ICC profile (APP2) and
    Adobe's colour transform (APP14) are kept; EXIF/XMP (APP1), every other APPn and comments
    go, and so does whatever follows the image (phones append a second picture, a motion-photo
    video or maker data there). None if the file is not the plain JPEG this expects."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image
            out.append(b"\xff\xd9")
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            out.append(bytes((0xFF, marker)))
            continue
        if i + 2 > n:
            return None
        end = i + int.from_bytes(data[i:i + 2], "big")
        if end > n or end < i + 2:
            return None
        payload = data[i + 2:end]
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE) or (
                (marker == 0xE0 and payload.startswith(b"JFIF\0"))
                or (marker == 0xE2 and payload.startswith(b"ICC_PROFILE\0"))
                or (marker == 0xEE and payload.startswith(b"Adobe"))):
            out.append(bytes((0xFF, marker)) + data[i:end])
        i = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j += 1 if following == 0xFF else 2
                    continue
                break
            out.append(data[i:j])
            i = j
    return None


# PNG chunks that draw the picture or say how its colours look; the rest (tEXt, zTXt, iTXt,
# eXIf, tIME, private chunks) is metadata and goes.
_PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
                       b"cICP", b"mDCv", b"cLLi", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT"})


def _strip_png(data: bytes) -> bytes | None:
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        return None
    out, i, n = [signature], len(signature), len(data)
    while i + 12 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        kind, end = data[i + 4:i + 8], i + 12 + length
        if end > n:
            return None
        if kind in _PNG_KEEP:
            out.append(data[i:end])
        if kind == b"IEND":
            return b"".join(out)
        i = end
    return None


# WebP chunks of the picture and its colour profile; EXIF and XMP go.
_WEBP_KEEP = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})


def _strip_webp(data: bytes) -> bytes | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    body, i, n = [], 12, min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while i + 8 <= n:
        kind, size = data[i:i + 4], int.from_bytes(data[i + 4:i + 8], "little")
        end = i + 8 + size + (size & 1)
        if i + 8 + size > n:
            return None
        if kind == b"VP8X" and size >= 1:  # its flags must not announce EXIF (0x08) or XMP (0x04)
            body.append(data[i:i + 8] + bytes((data[i + 8] & ~0x0C,)) + data[i + 9:end])
        elif kind in _WEBP_KEEP:
            body.append(data[i:end])
        i = end
    joined = b"".join(body)
    return b"RIFF" + (4 + len(joined)).to_bytes(4, "little") + b"WEBP" + joined if body else None


_STRIPPERS = {("JPEG", "jpg"): _strip_jpeg, ("MPO", "jpg"): _strip_jpeg, ("PNG", "png"): _strip_png,
              ("WEBP", "webp"): _strip_webp}


# --- the cache: what each photo was made from, and pruning what no build can use -------------

_SOURCES = ".sources"  # <key>.sources: the files a photo was found in, with their size and time
_ENTRY = re.compile(r"^\.?([0-9a-f]{16})[-.]")
_STALE_TEMPORARY = 3600  # seconds: a half-written file this old was left by a build that died


def prune(cache_dir: Path, keep: set[str]) -> int:
    """Remove from `cache_dir` (the images cache, nothing above it) every photo's files whose
    key is not in `keep` (used by this build) and whose photo is gone: none of the files it
    was found in is still there with the same bytes. A photo still in the site folder keeps its
    files (a draft's, a scheduled post's, one used by `--drafts` or the preview), so builds of
    one site never undo each other's work. Returns how many photos were removed."""
    groups: dict[str, list[Path]] = {}
    now = time.time()
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return 0
    for entry in entries:
        match = _ENTRY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue  # not ours: left alone
        if entry.name.startswith("."):
            try:
                if entry.name.endswith(".tmp") and now - entry.stat().st_mtime > _STALE_TEMPORARY:
                    os.unlink(entry.path)
            except OSError:
                pass
            continue
        groups.setdefault(match[1], []).append(Path(entry.path))
    removed = 0
    for key, paths in sorted(groups.items()):
        if key in keep or _still_there(cache_dir, key):
            continue
        for path in sorted(paths, key=lambda p: p.name.endswith(_SOURCES)):  # the record last
            path.unlink(missing_ok=True)
        removed += 1
    return removed


def _record_sources(cache_dir: Path, key: str, paths: Iterable[Path]) -> None:
    """Add the files a photo was found in to its record (written only when it changes)."""
    record = cache_dir / f"{key}{_SOURCES}"
    old = _read_sources(record)
    new = dict(old)
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        new[_relative(path, cache_dir)] = [stat.st_size, stat.st_mtime_ns]
    if new != old:
        _write_atomic(record, json.dumps(new, sort_keys=True, ensure_ascii=False).encode())


def _still_there(cache_dir: Path, key: str) -> bool:
    """Whether a file this photo was found in still holds it (same size and time, or same bytes)."""
    record = cache_dir / f"{key}{_SOURCES}"
    sources = _read_sources(record)
    for name, (size, mtime) in sources.items():
        path = Path(os.path.normpath(os.path.join(cache_dir, name)))
        try:
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) == (size, mtime):
                return True
            if stat.st_size <= MAX_BYTES and content_key(path.read_bytes()) == key:
                _write_atomic(record, json.dumps({**sources, name: [stat.st_size, stat.st_mtime_ns]},
                                                 sort_keys=True, ensure_ascii=False).encode())
                return True
        except OSError:
            continue
    return False


def _read_sources(record: Path) -> dict[str, list[int]]:
    try:
        found = json.loads(record.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {name: value for name, value in found.items()
            if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)}


def _relative(path: Path, cache_dir: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(cache_dir))).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(os.path.abspath(path)).as_posix()


def _write_atomic(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # never a half-written file in the cache
