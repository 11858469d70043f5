"""Photos: phone pictures (3–8 MB, 4000 px, EXIF with GPS) published responsive, light and private.

Two halves:
- planning, pure: which widths a photo gets (`variant_widths`), their names (content hash +
  width, so output is byte-identical build after build), the `srcset`/`sizes` markup values;
- the I/O edge: `PhotoResolver` finds a referenced file and reads its header (size, EXIF
  orientation) while posts are parsed; `publish` encodes the variants (orientation applied,
  every byte of EXIF/GPS/XMP/ICC metadata dropped, progressive JPEG + WebP) into a cache
  folder keyed by content hash and settings, so a rebuild encodes nothing it has encoded before.

The originals are never published: only the variants are, copied from the cache by the writer.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
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
CACHE_FOLDER = ".phuongnews-cache"
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

    @property
    def widths(self) -> tuple[int, ...]:
        return variant_widths(self.width)

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def url(self, width: int, ext: str) -> str:
        """Site-relative path of a variant."""
        return f"{OUTPUT_FOLDER}/{self.key}-{width}.{ext}"

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


def variants(photos: Iterable[Photo], covers: Iterable[Photo]) -> dict[str, tuple[Photo, set[tuple[int, str]]]]:
    """key -> (photo, {(width, ext)}) for every variant the site needs."""
    needed: dict[str, tuple[Photo, set[tuple[int, str]]]] = {}
    for photo in photos:
        entry = needed.setdefault(photo.key, (photo, set()))
        entry[1].update((w, ext) for w in photo.widths for ext in ("jpg", "webp"))
    for photo in covers:
        needed.setdefault(photo.key, (photo, set()))[1].add((photo.og_width, "jpg"))
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
    """Finds the files posts reference and reads their headers, once per file and build."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._content = Path(os.path.realpath(site_dir / "content"))
        self._static = Path(os.path.realpath(site_dir / "static"))
        self._probed: dict[tuple, tuple[str, int, int]] = {}

    def local(self, src: str) -> bool:
        """Whether `src` names a file of the site that is processed as a photo."""
        parts = urlsplit(src)
        path = unquote(parts.path)
        return not (parts.scheme or parts.netloc) and path.lower().endswith(PHOTO_SUFFIXES)

    def find(self, src: str, source: str, static_first: bool = False) -> Photo:
        """The photo `src` names, written in `source` (a post or page, site-relative).
        `/x.jpg` is looked up in static/ then content/; `x.jpg` next to the post (for a cover
        written the old way, `static_first`, in static/ first), then in static/."""
        path = unquote(urlsplit(src).path)
        folder = posixpath.dirname(source)
        if path.startswith("/"):
            candidates = [f"static/{path.lstrip('/')}", f"content/{path.lstrip('/')}"]
        else:
            candidates = [posixpath.join(folder, path), f"static/{path}"]
            if static_first:
                candidates.reverse()
        candidates = [posixpath.normpath(c) for c in candidates]
        for name in candidates:
            file = self.site_dir / name
            if file.is_file():
                real = Path(os.path.realpath(file))
                if not (real.is_relative_to(self._content) or real.is_relative_to(self._static)):
                    raise PhotoProblem("image.outside", src=src)
                return self._probe(file, name)
        raise PhotoProblem("image.missing", src=src, looked=", ".join(candidates))

    def _probe(self, file: Path, name: str) -> Photo:
        stat = file.stat()
        memo = (str(file), stat.st_size, stat.st_mtime_ns)
        if memo not in self._probed:
            if stat.st_size > MAX_BYTES:
                raise PhotoProblem("image.too_large", src=name, megabytes=f"{stat.st_size / 1048576:.0f}")
            self._probed[memo] = probe(file.read_bytes(), name)
        key, width, height = self._probed[memo]
        return Photo(path=file, name=name, key=key, width=width, height=height)


def probe(data: bytes, name: str) -> tuple[str, int, int]:
    """(key, width, height as displayed) of an image file's bytes; PhotoProblem if it is none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoProblem("image.not_image", src=name) from None
    if width * height > MAX_PIXELS:
        raise PhotoProblem("image.too_many_pixels", src=name, width=width, height=height)
    if orientation in (5, 6, 7, 8):  # stored on its side: shown turned a quarter
        width, height = height, width
    key = hashlib.sha256(data + b"\0" + SETTINGS.encode()).hexdigest()[:16]
    return key, width, height


# --- the I/O edge: encoding with a cache -----------------------------------------------------


@dataclass(frozen=True)
class Published:
    files: dict[str, Path]  # site-relative output path -> cached file to copy
    encoded: int  # photos encoded by this build (0 on a warm cache)
    cached: int  # photos whose every variant was already in the cache
    broken: tuple[tuple[Photo, str], ...] = ()  # photos that could not be decoded, with a message code


def publish(needed: dict[str, tuple[Photo, set[tuple[int, str]]]], cache_dir: Path) -> Published:
    """Make sure every needed variant is in `cache_dir`; return where each one is, and which
    photos could not be decoded (a header that reads but a body that does not: truncated files)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    jobs = []
    for key in sorted(needed):
        photo, wanted = needed[key]
        missing = sorted(v for v in wanted if not (cache_dir / _cache_name(key, *v)).is_file())
        for width, ext in wanted:
            files[photo.url(width, ext)] = cache_dir / _cache_name(key, width, ext)
        if missing:
            jobs.append((photo, tuple(missing)))
    if len(jobs) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(jobs))) as pool:
            results = list(pool.map(_job, [(str(p.path), p.key, v, str(cache_dir)) for p, v in jobs]))
    else:
        results = [_job((str(p.path), p.key, v, str(cache_dir))) for p, v in jobs]
    broken = tuple((photo, code) for (photo, _), code in zip(jobs, results) if code is not None)
    return Published(files, encoded=len(jobs), cached=len(needed) - len(jobs), broken=broken)


def _cache_name(key: str, width: int, ext: str) -> str:
    return f"{key}-{width}.{ext}"


def _job(args: tuple[str, str, tuple[tuple[int, str], ...], str]) -> str | None:
    """Encode one photo's missing variants into the cache; a message code if it cannot."""
    path, key, wanted, cache = args
    try:
        encoded = encode(Path(path).read_bytes(), wanted)
    except (OSError, SyntaxError, ValueError):
        return "image.broken"
    for (width, ext), data in encoded.items():
        target = Path(cache) / _cache_name(key, width, ext)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)  # never a half-written file in the cache
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
