"""`phuongnews serve`: the preview server for editors.

The last good build lives in memory (livebuild.Good) and is replaced whole after a rebuild
succeeds, so a request sees either the old site or the new one, never half of each; nothing
is written to disk. A watchdog observer wakes a builder thread, which waits for a quiet
moment (editors save in bursts), rebuilds what changed and tells every open tab over
Server-Sent Events which output files differ. Each tab reloads only if its own page (or a
file it uses, such as the stylesheet) is among them; a build that fails leaves the site as
it was and puts an overlay naming the file, line and message over every open page.

Only HTML responses get the small reload-and-overlay script, at request time; the bytes of
the build are those `phuongnews build` writes. Only the build's own files are served, under
base_url's path: no folder listings, no source files, no paths that climb out.
"""

from __future__ import annotations

import collections
import errno
import ipaddress
import json
import mimetypes
import os
import posixpath
import queue
import secrets
import signal
import socket
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, quote, unquote

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from phuongnews.config import CONFIG_NAME
from phuongnews.errors import SourceError
from phuongnews.livebuild import WATCHED_FOLDERS, Good, LiveSite, Outcome, is_scratch
from phuongnews.messages import message_text, seconds_text

CONTROL = "/__phuongnews/"  # the server's own endpoints; never part of a site
DEBOUNCE = 0.05  # seconds of quiet after the last event before a rebuild (editors write a save within a few ms)
# …or this share of it after an event that ends a write: a file closed after writing, moved
# into place (vim's and VS Code's save) or deleted. A save is then seldom followed by more of
# itself, and the screen shows it 40 ms sooner; a burst of them (a git checkout) still comes
# faster than this and is gathered.
SETTLED_SHARE = 0.2
MAX_DELAY = 1.0  # …but never later than this after the first one
# The interpreter's switch interval while the work for the next build runs (LiveSite.warm),
# which starts as the tabs reload: a server thread that waits for the interpreter gets it
# within this many seconds, not Python's 5 ms, and a reload takes a dozen such waits.
PREPARE_SWITCH = 0.0005
HEARTBEAT = 15.0  # seconds between SSE comments, so a closed tab is noticed

_EVENTS = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
           FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

# ---------------------------------------------------------------------------------------------
# Requests to files


@dataclass(frozen=True)
class Route:
    kind: str  # "file", "redirect", "not_found", "bad"
    key: str = ""  # "file": the output path; "not_found": the path the URL would have had
    location: str = ""  # "redirect"


def resolve(target: str, base_path: str, lookup: Callable[[str], str | None]) -> Route:
    """Map a request target to a file of the build. `lookup(path)` gives the build's own key
    for an output path, or None. Percent-encoding is decoded once; a `.` or `..` segment, a
    backslash, a control character or bytes that are not UTF-8 make the request bad, before
    or after decoding, so `/../`, `%2e%2e/`, `..%2f`, `%5c` and the like never reach a lookup.
    Only keys of the build are ever answered, so nothing else on the disk can be."""
    path, _, query = target.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/") or _unsafe(path) or not path.isascii():  # browsers send %-escapes
        return Route("bad")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Route("bad")
    if _unsafe(decoded) or any(segment in (".", "..") for segment in decoded.split("/")):
        return Route("bad")
    if "//" in decoded:
        return Route("not_found")
    if not decoded.startswith(base_path):
        if base_path.startswith(decoded.rstrip("/") + "/"):  # "/" or "/phuong" for base "/phuong/"
            return Route("redirect", location=base_path)
        return Route("not_found")
    relative = decoded[len(base_path):]
    if relative == "" or relative.endswith("/"):
        key = lookup(relative + "index.html")
        return Route("file", key) if key else Route("not_found", relative + "index.html")
    key = lookup(relative)
    if key:
        return Route("file", key)
    if lookup(relative + "/index.html"):  # a folder URL without its slash, as a clerk may type it
        return Route("redirect", location=base_path + quote(relative) + "/" + ("?" + query if query else ""))
    return Route("not_found", relative)


def _unsafe(path: str) -> bool:
    return "\\" in path or any(ord(char) < 32 or ord(char) == 127 for char in path)


_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".xml": "application/xml", ".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown",
    ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/vnd.microsoft.icon",
    ".pdf": "application/pdf", ".woff": "font/woff", ".woff2": "font/woff2",
    ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_TEXT_TYPES = {"application/json", "application/xml", "application/atom+xml", "application/rss+xml",
               "image/svg+xml", "application/manifest+json", "application/javascript"}


def content_type(path: str, head: bytes = b"") -> str:
    """The Content-Type for an output path; text types say charset=utf-8 (every page and feed
    phuongnews writes is UTF-8). `head`: the file's first bytes, to tell an Atom feed."""
    kind = _TYPES.get(posixpath.splitext(path)[1].lower()) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind == "application/xml" and b"<feed" in head[:1024]:
        kind = "application/atom+xml"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        kind += "; charset=utf-8"
    return kind


# ---------------------------------------------------------------------------------------------
# What the server shows, swapped whole


@dataclass(frozen=True)
class View:
    good: Good | None  # None until a build has succeeded
    version: str  # "<boot>-<n>": n counts the builds that changed something
    errors: dict | None  # the overlay's data while the newest build failed
    lookup: dict[str, str]  # NFC output path -> the build's key, for URLs typed with NFD or NFC
    # Counts the views this run made (each one's news is published): a tab drops an answer
    # older than the news it has shown, as a state asked for before a failed build can
    # arrive after that build's message and would take its overlay away.
    seq: int = 0


def _lookup_table(good: Good | None) -> dict[str, str]:
    if good is None:
        return {}
    table = {unicodedata.normalize("NFC", key): key for key in good.statics}
    table.update({unicodedata.normalize("NFC", key): key for key in good.files})
    return table


class _Hub:
    """The open event streams: one queue per connection."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queues: set[queue.Queue] = set()
        self.closed = False

    def subscribe(self) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            if self.closed:
                client.put(None)
            self._queues.add(client)
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._lock:
            self._queues.discard(client)

    def publish(self, message: dict) -> None:
        data = json.dumps(message, ensure_ascii=False).encode("utf-8")
        with self._lock:
            for client in self._queues:
                client.put(data)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for client in self._queues:
                client.put(None)


# ---------------------------------------------------------------------------------------------
# The server


class PreviewServer:
    """Build, serve, watch. `start()` binds and builds; `stop()` ends every thread it made."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
                 lang: str = "vi", debounce: float = DEBOUNCE, out=None, err=None, incremental: bool = True):
        self.site_dir = Path(site_dir).absolute()
        self.host, self.port, self.lang = host, port, lang
        self.debounce = debounce
        self.out, self.err = out, err
        self.live = LiveSite(self.site_dir, drafts=drafts, incremental=incremental)
        self.boot = secrets.token_hex(4)
        self.outcomes: collections.deque[Outcome] = collections.deque(maxlen=200)
        self._builds = 0
        self._serial = 0
        self._changed_at: dict[str, int] = {}
        self._reported: tuple = ()
        self._scheduled = None  # the scheduled moment last rebuilt for
        self._view = View(None, f"{self.boot}-0", None, {})
        self._hub = _Hub()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._observer = None
        self._watches: dict[str, object] = {}
        self._builder: _Builder | None = None
        self._stopped = threading.Event()

    # -- life cycle

    def start(self) -> Self:
        try:
            self._httpd = _HTTPServer((self.host, self.port), self)
            self.port = self._httpd.server_address[1]
            self._builder = _Builder(self._on_change, self.debounce, self._until_change, self.live.warm)
            self._watch()  # before the first build: a save during it is not lost
            first = self.live.rebuild()
            self._after_build(first, initial=True)
            serving = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="phuongnews-http", daemon=True)
            serving.start()
            self._threads.append(serving)
            self._builder.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        # Every thread here is a daemon and the preview builds in memory: a thread slow to
        # stop loses nothing, so Ctrl-C waits a few seconds at most (9 s in all), not 20.
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
        if self._builder is not None:
            self._builder.stop()
            if self._builder.is_alive():
                self._builder.join(timeout=5)
        self._hub.close()
        if self._httpd is not None:
            if any(thread.name == "phuongnews-http" for thread in self._threads):
                self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=2)

    def wait(self) -> None:
        """Block until stop() (Ctrl-C raises KeyboardInterrupt here)."""
        while not self._stopped.wait(0.5):
            pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        good = self._view.good
        return self.origin + (quote(good.base_path) if good else "/")

    @property
    def view(self) -> View:
        return self._view

    @property
    def builds(self) -> int:
        return self._builds

    # -- watching

    def _watch(self) -> None:
        handler = self._handler = _Events(self.site_dir, self._builder.touch, self._rewatch)
        try:
            self._observer = Observer()
            self._schedule(handler)
            self._observer.start()
        except OSError:  # inotify's limit on watches reached: look every half second instead
            self._observer = PollingObserver(timeout=0.5)
            self._watches.clear()
            self._schedule(handler)
            self._observer.start()

    def _schedule(self, handler) -> None:
        self._watches["."] = self._observer.schedule(handler, str(self.site_dir), recursive=False, event_filter=_EVENTS)
        for folder in WATCHED_FOLDERS:
            if (self.site_dir / folder).is_dir():
                self._watches[folder] = self._observer.schedule(handler, str(self.site_dir / folder), recursive=True,
                                                                event_filter=_EVENTS)

    def _rewatch(self, folder: str) -> None:
        """content/, templates/ or static/ was created, replaced or removed: watch it anew."""
        if self._observer is None or self._stopped.is_set():
            return
        old = self._watches.pop(folder, None)
        if old is not None:
            try:
                self._observer.unschedule(old)
            except (KeyError, OSError):
                pass
        if (self.site_dir / folder).is_dir():
            try:
                self._watches[folder] = self._observer.schedule(self._handler, str(self.site_dir / folder),
                                                                recursive=True, event_filter=_EVENTS)
            except OSError:
                pass

    # -- building

    def _on_change(self, touched: set[str], scheduled: bool = False) -> None:
        if scheduled:
            self._scheduled = self.live.next_change  # once per moment, even if the build fails
        self._after_build(self.live.rebuild(touched, force=scheduled))

    def _until_change(self) -> float | None:
        """Seconds until a scheduled or expiring post changes the site, if one does."""
        when = self.live.next_change
        if when is None or when == self._scheduled:
            return None
        now = self.live.clock() if self.live.clock else datetime.now(when.tzinfo)
        return (when - now).total_seconds()

    def _after_build(self, outcome: Outcome, initial: bool = False) -> None:
        view = self._view
        good = self.live.good
        if outcome.ok:
            errors = None
            changed = sorted(outcome.changed)
            if changed:
                self._serial += 1
                # Replaced, not updated: request threads read it while this one builds.
                self._changed_at = {**self._changed_at, **dict.fromkeys(changed, self._serial)}
            if changed or view.errors is not None or view.good is not good:
                self._view = View(good, f"{self.boot}-{self._serial}", None,
                                  view.lookup if view.good is good else _lookup_table(good), view.seq + 1)
                self._hub.publish({"type": "build", "version": self._view.version, "seq": self._view.seq,
                                   "changed": changed, "errors": None})
        else:
            errors = self._overlay(outcome.errors)
            self._view = View(view.good, view.version, errors, view.lookup, view.seq + 1)
            self._hub.publish({"type": "build", "version": view.version, "seq": self._view.seq, "changed": [],
                               "errors": errors})
        self.outcomes.append(outcome)
        self._report(outcome, initial)
        self._builds += 1

    def changed_since(self, version: str) -> list[str] | str:
        """Output paths changed after the build `version`; "*" if unknown (another run)."""
        boot, _, serial = version.partition("-")
        if boot != self.boot or not serial.isdigit():
            return "*"
        since = int(serial)
        return sorted(key for key, at in self._changed_at.items() if at > since)

    def _overlay(self, errors: Iterable[SourceError]) -> dict:
        errors = list(errors)
        items = []
        for error in errors:
            message, hint = message_text(error.code, self.lang, error.params)
            where = f"{error.path}:{error.line}" if error.line else error.path
            prefix = message_text("hint.prefix", self.lang, {})[0]
            items.append({"where": where, "message": message, "hint": f"{prefix} {hint}" if hint else None})
        return {
            "title": message_text("serve.overlay_title", self.lang, {"count": len(errors)})[0],
            "note": message_text("serve.overlay_note", self.lang, {})[0],
            "close": message_text("serve.overlay_close", self.lang, {})[0],
            "items": items,
        }

    def _report(self, outcome: Outcome, initial: bool) -> None:
        for warning in sorted(outcome.new_warnings, key=SourceError.sort_key):
            self._say_raw(warning.format(self.lang), error=True)
        if not outcome.ok:
            if outcome.errors != self._reported:  # the same errors again after an unrelated save: once is enough
                self._reported = outcome.errors
                for error in outcome.errors:
                    self._say_raw(error.format(self.lang), error=True)
                self._say("serve.failed", error=True, count=len(outcome.errors),
                          files=len({error.path for error in outcome.errors}))
            return
        self._reported = ()
        good = self.live.good
        if initial:
            self._say("serve.built", posts=len(good.site.articles), pages=len(good.files),
                      seconds=seconds_text(outcome.seconds, self.lang))
        elif outcome.kind != "none":
            self._say("serve.rebuilt", pages=len(outcome.changed), seconds=seconds_text(outcome.seconds, self.lang))

    def _say(self, code: str, error: bool = False, **params) -> None:
        message, hint = message_text(code, self.lang, params)
        if hint:
            message += "\n    " + message_text("hint.prefix", self.lang, {})[0] + " " + hint
        self._say_raw(message, error)

    def _say_raw(self, text: str, error: bool = False) -> None:
        stream = (self.err or sys.stderr) if error else (self.out or sys.stdout)
        try:
            print(text, file=stream, flush=True)
        except (OSError, ValueError):  # a closed terminal must not stop the preview
            pass

    # -- answering

    def page_config(self, view: View, keys: list[str]) -> dict:
        base = view.good.base_path if view.good else "/"
        return {"version": view.version, "seq": view.seq, "keys": keys, "base": base, "events": CONTROL + "events",
                "state": CONTROL + "state", "worker": CONTROL + "worker.js", "errors": view.errors}

    def not_built_page(self, view: View) -> bytes:
        title = message_text("serve.not_built", self.lang, {})[0]
        page = (f'<!doctype html>\n<html lang="{self.lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n</body>\n</html>\n')
        return inject(page.encode("utf-8"), self.page_config(view, ["*"]))


class _Builder(threading.Thread):
    """Collects changed paths and runs one rebuild after a quiet moment; also when the clock
    reaches a scheduled post's moment (`until_change()`: seconds to it, or None)."""

    def __init__(self, build: Callable[[set[str], bool], None], debounce: float,
                 until_change: Callable[[], float | None] = lambda: None,
                 prepare: Callable[[], Iterable[str] | None] = lambda: None):
        super().__init__(name="phuongnews-builder", daemon=True)
        self._build, self._debounce, self._until_change = build, debounce, until_change
        self._prepare = prepare  # work for the next build, done while no save waits; -> paths to build
        self._cond = threading.Condition()
        self._touched: set[str] = set()
        self._first: float | None = None
        self._last: float | None = None
        self._settled = False  # the last event ended a write
        self._stopping = False

    def touch(self, paths: Iterable[str], settled: bool = False) -> None:
        """`settled`: the event ended a write (SETTLED_SHARE)."""
        with self._cond:
            self._touched.update(paths)
            now = time.monotonic()
            self._first = self._first if self._first is not None else now
            self._last = now
            self._settled = settled
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def wake(self) -> None:
        """Look at the clock again (a scheduled moment may have come)."""
        with self._cond:
            self._cond.notify_all()

    def _prepared(self) -> Iterable[str] | None:
        usual = sys.getswitchinterval()
        sys.setswitchinterval(PREPARE_SWITCH)
        try:
            return self._prepare()
        finally:
            sys.setswitchinterval(usual)

    def run(self) -> None:
        missed = self._prepared()
        if missed:
            self.touch(missed)
        while True:
            scheduled = False
            with self._cond:
                while not self._stopping and self._last is None:
                    delay = self._until_change()
                    if delay is not None and delay <= 0:
                        scheduled = True
                        break
                    self._cond.wait(60.0 if delay is None else min(delay, 60.0))
                while not self._stopping and not scheduled:
                    quiet = self._debounce * (SETTLED_SHARE if self._settled else 1)
                    due = min(self._last + quiet, self._first + MAX_DELAY)
                    if time.monotonic() >= due:
                        break
                    self._cond.wait(due - time.monotonic())
                if self._stopping:
                    return
                touched, self._touched = self._touched, set()
                self._first = self._last = None
            self._build(touched, scheduled)
            if self._last is None:
                missed = self._prepared()
                if missed:  # changed on disk without the watcher saying so: build them too
                    self.touch(missed)


class _Events(FileSystemEventHandler):
    """Turns watchdog's events into site-relative paths for the builder."""

    def __init__(self, site_dir: Path, touch: Callable[[Iterable[str], bool], None], rewatch: Callable[[str], None]):
        self.site_dir = os.path.abspath(site_dir)
        self.touch, self.rewatch = touch, rewatch

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = []
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            raw = os.fsdecode(raw)
            relative = os.path.relpath(raw, self.site_dir).replace(os.sep, "/")
            top = relative.split("/", 1)[0]
            if top not in WATCHED_FOLDERS and relative != CONFIG_NAME:
                continue
            if relative in WATCHED_FOLDERS and event.is_directory and raw != self.site_dir:
                self.rewatch(relative)  # the folder itself was made, moved or removed
            if event.is_directory or not is_scratch(posixpath.basename(relative)):
                paths.append(relative)
        if paths:
            self.touch(paths, isinstance(event, (FileClosedEvent, FileMovedEvent, FileDeletedEvent)))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, preview: PreviewServer):
        host = address[0]
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.preview = preview
        self.loopback_only = _is_loopback(host)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self._connections_lock:
            (self._connections.add if alive else self._connections.discard)(connection)

    def close_connections(self) -> None:
        """End open connections (event streams above all), so their threads end with us."""
        with self._connections_lock:
            for connection in list(self._connections):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "phuongnews-preview"

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args) -> None:
        pass  # an editor's terminal shows builds and errors, not every request

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        preview = self.server.preview
        lang = preview.lang
        if not self._host_allowed():
            return self._text(HTTPStatus.FORBIDDEN, message_text("serve.wrong_host", lang, {})[0], head)
        if self.path.startswith(CONTROL):
            return self._control(self.path[len(CONTROL):], head)
        view = preview.view
        if view.good is None:
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
                              preview.not_built_page(view), head)
        route = resolve(self.path, view.good.base_path, lambda key: view.lookup.get(unicodedata.normalize("NFC", key)))
        if route.kind == "bad":
            return self._text(HTTPStatus.BAD_REQUEST, message_text("serve.bad_path", lang, {})[0], head)
        if route.kind == "redirect":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return None
        if route.kind == "file":
            data = view.good.files.get(route.key)
            if data is not None:
                kind = content_type(route.key, data)
                if kind.startswith("text/html"):
                    data = inject(data, preview.page_config(view, [route.key]))
                return self._send(HTTPStatus.OK, kind, data, head)
            if self._static(view.good, route.key, head):
                return None
        keys = [route.key, route.key + "/index.html", "404.html"] if route.key else ["404.html"]
        page = view.good.files.get("404.html")
        if page is None:
            return self._text(HTTPStatus.NOT_FOUND, "404", head)
        return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                          inject(page, preview.page_config(view, keys)), head)

    def _static(self, good: Good, key: str, head: bool) -> bool:
        """A file published as it is (static/, photo variants), read at request time; only the
        very file the build checked, never one a shortcut made since leads to."""
        path = good.statics.get(key)
        if path is None:
            return False
        real = os.path.realpath(path)
        if real != good.real.get(key):
            return False
        try:
            with open(real, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                head_bytes = file.read(1024)
                self.send_response(HTTPStatus.OK)
                self._headers(content_type(key, head_bytes), size)
                if not head:
                    self.wfile.write(head_bytes)
                    while chunk := file.read(256 * 1024):
                        self.wfile.write(chunk)
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return False
        except (BrokenPipeError, ConnectionResetError):
            pass
        return True

    def _control(self, rest: str, head: bool) -> None:
        preview = self.server.preview
        name, _, query = rest.partition("?")
        if name == "events" and not head:
            return self._events()
        if name == "state":
            since = parse_qs(query).get("since", [""])[0]
            view = preview.view
            body = {"type": "state", "version": view.version, "seq": view.seq, "changed": preview.changed_since(since),
                    "errors": view.errors}
            return self._send(HTTPStatus.OK, "application/json; charset=utf-8",
                              json.dumps(body, ensure_ascii=False).encode("utf-8"), head)
        if name == "worker.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", WORKER_JS.encode("utf-8"), head)
        return self._text(HTTPStatus.NOT_FOUND, "404", head)

    def _events(self) -> None:
        hub = self.server.preview._hub
        client = hub.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while True:
                try:
                    data = client.get(timeout=HEARTBEAT)
                except queue.Empty:
                    data = b""
                if data is None:
                    break
                self.wfile.write(b"data: " + data + b"\n\n" if data else b": ping\n\n")
                self.wfile.flush()
        except OSError:
            pass  # the tab went away
        finally:
            hub.unsubscribe(client)
            self.close_connection = True

    def _host_allowed(self) -> bool:
        """Bound to this machine only, answer only requests addressed to it: a web page that
        points its own host name at 127.0.0.1 (DNS rebinding) must not read the preview."""
        if not self.server.loopback_only:
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host[1:host.find("]")] if host.startswith("[") else host.rpartition(":")[0] or host
        return _is_loopback(name.lower())

    def _text(self, status: HTTPStatus, text: str, head: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", (text + "\n").encode("utf-8"), head)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool) -> None:
        try:
            self.send_response(status)
            self._headers(kind, len(data))
            if not head:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _headers(self, kind: str, length: int) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a preview is never stale
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()


def serve(site_dir: Path, host: str, port: int, drafts: bool, lang: str) -> int:
    """The `phuongnews serve` command: run until Ctrl-C (or SIGTERM), then stop cleanly."""
    server = PreviewServer(site_dir, host=host, port=port, drafts=drafts, lang=lang)
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            server.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            server._say("serve.port_in_use", error=True, port=port, host=host, other=port + 1)
            return 1
        if not _is_loopback(host):
            server._say("serve.open_to_network", error=True, host=host)
        server._say("serve.listening", url=server.url)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    server._say("serve.stopped")
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------------------------------------
# What a served page gets


def inject(page: bytes, config: dict) -> bytes:
    """The page with the reload-and-overlay script before its last </body> (at the end if it
    has none). Only served responses get it; the build's bytes are left as they are."""
    data = json.dumps(config, ensure_ascii=False)
    # Inside <script>, "</script>" or "<!--" in a file name or message must stay text.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    snippet = (f'<script id="__phuongnews-config" type="application/json">{data}</script>\n'
               f'<style id="__phuongnews-style">{OVERLAY_CSS}</style>\n'
               f'<script id="__phuongnews-client">{CLIENT_JS}</script>\n').encode()
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + snippet
    return page[:at] + snippet + page[at:]


OVERLAY_CSS = """
#__phuongnews-overlay{all:initial;position:fixed;inset:0;z-index:2147483647;display:block;
background:rgba(20,20,20,.55);overflow:auto;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
#__phuongnews-overlay .pn-panel{display:block;box-sizing:border-box;max-width:52rem;margin:6vh auto;padding:1.25rem 1.5rem;
background:#fff;color:#1b1b1b;border-left:.4rem solid #b3261e;border-radius:.35rem;box-shadow:0 .5rem 2rem rgba(0,0,0,.35)}
#__phuongnews-overlay h2{all:unset;display:block;font-size:1.25rem;font-weight:700;color:#b3261e;margin:0 0 .5rem}
#__phuongnews-overlay p{all:unset;display:block;margin:0 0 1rem;color:#333}
#__phuongnews-overlay ol{display:block;margin:0;padding:0 0 0 1.25rem}
#__phuongnews-overlay li{display:list-item;margin:0 0 .75rem}
#__phuongnews-overlay code{all:unset;display:block;font:600 .95rem/1.4 ui-monospace,Menlo,Consolas,monospace;color:#1b1b1b;
overflow-wrap:anywhere}
#__phuongnews-overlay .pn-hint{color:#555;font-style:italic}
#__phuongnews-overlay button{all:unset;float:right;cursor:pointer;padding:.1rem .6rem;border:1px solid #999;border-radius:.25rem;
color:#1b1b1b;background:#f3f3f3;font-size:.9rem}
#__phuongnews-overlay button:focus{outline:2px solid #1a5fb4}
"""

CLIENT_JS = r"""
(function () {
  "use strict";
  var holder = document.getElementById("__phuongnews-config");
  if (!holder || window.__phuongnewsPreview) return;
  var cfg = JSON.parse(holder.textContent);
  var watched = {}, any = false, reloading = false, overlay = null, shown = null;
  var boot = cfg.version.split("-")[0], seq = cfg.seq || 0;
  window.__phuongnewsPreview = cfg;
  cfg.keys.forEach(function (k) { if (k === "*") any = true; watched[k] = true; });

  function keyOf(url) {
    var u, path;
    try { u = new URL(url, location.href); path = decodeURIComponent(u.pathname); } catch (e) { return null; }
    if (u.origin !== location.origin || path.indexOf(cfg.base) !== 0) return null;
    path = path.slice(cfg.base.length);
    return path === "" || path.charAt(path.length - 1) === "/" ? path + "index.html" : path;
  }
  function affected(changed) {
    if (changed === "*") return true;
    if (!changed || !changed.length) return false;
    if (any) return true;
    // What the page loads (a stylesheet, a script, a picture), not what it merely links to.
    var used = document.querySelectorAll("link[rel~=stylesheet][href],link[rel~=icon][href]," +
      "link[rel=preload][href],link[rel=modulepreload][href],script[src],img[src],source[src],video[src],audio[src]");
    for (var i = 0; i < used.length; i++) {
      var k = keyOf(used[i].getAttribute("href") || used[i].getAttribute("src"));
      if (k) watched[k] = true;
    }
    for (var j = 0; j < changed.length; j++) if (watched[changed[j]]) return true;
    return false;
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function show(errors) {
    var key = JSON.stringify(errors);
    if (key === shown) return;
    hide();
    shown = key;
    overlay = el("div");
    overlay.id = "__phuongnews-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "false");
    overlay.setAttribute("aria-labelledby", "__phuongnews-title");
    var panel = el("div", null, "pn-panel");
    var close = el("button", errors.close);
    close.type = "button";
    close.onclick = function () { if (overlay) { overlay.remove(); overlay = null; } };
    var title = el("h2", errors.title);
    title.id = "__phuongnews-title";
    panel.appendChild(close);
    panel.appendChild(title);
    panel.appendChild(el("p", errors.note));
    var list = el("ol");
    errors.items.forEach(function (item) {
      var li = el("li");
      li.appendChild(el("code", item.where));
      li.appendChild(el("span", item.message));
      if (item.hint) { li.appendChild(el("br")); li.appendChild(el("span", item.hint, "pn-hint")); }
      list.appendChild(li);
    });
    panel.appendChild(list);
    overlay.appendChild(panel);
    document.body.appendChild(overlay);
  }
  function hide() {
    shown = null;
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function handle(msg) {
    if (!msg || reloading) return;
    if (msg.type === "open") { catchUp(); return; }
    // News older than what this tab has shown (a state asked for before a build, answered
    // after that build's message) is dropped; from another run of the server, never.
    if (String(msg.version).split("-")[0] === boot) {
      if (msg.seq < seq) return;
      seq = msg.seq;
    }
    if (affected(msg.changed)) { reloading = true; location.reload(); return; }
    if (msg.errors) show(msg.errors); else hide();
  }
  function catchUp() {
    fetch(cfg.state + "?since=" + encodeURIComponent(cfg.version), { cache: "no-store" })
      .then(function (r) { return r.json(); }).then(handle).catch(function () {});
  }
  function direct() {
    var source = new EventSource(cfg.events);
    source.onopen = catchUp;
    source.onmessage = function (ev) { try { handle(JSON.parse(ev.data)); } catch (e) {} };
  }
  if (cfg.errors) show(cfg.errors);
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) catchUp(); });
  // One event stream for all tabs (browsers allow six connections per server), else one each.
  try {
    if (!window.SharedWorker) throw new Error("no SharedWorker");
    var worker = new SharedWorker(cfg.worker, { name: "phuongnews-preview" });
    worker.onerror = direct;
    worker.port.onmessage = function (ev) { handle(ev.data); };
    worker.port.start();
    catchUp();
  } catch (e) {
    direct();
  }
})();
"""

WORKER_JS = """\
"use strict";
var ports = [], source = null;
function send(msg) { ports.forEach(function (port) { port.postMessage(msg); }); }
function open() {
  source = new EventSource("events");
  source.onopen = function () { send({ type: "open" }); };
  source.onmessage = function (ev) { try { send(JSON.parse(ev.data)); } catch (e) {} };
}
onconnect = function (ev) {
  var port = ev.ports[0];
  ports.push(port);
  port.start();
  if (!source) open();
};
"""
