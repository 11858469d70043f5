"""The `phuongnews` command: parses arguments, calls the library, prints in the clerk's
language and maps failures to exit codes. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import os
import re
import sys
import time
from datetime import date, datetime
from pathlib import Path

from phuongnews import __version__
from phuongnews import build as build_module
from phuongnews.build import BuildOptions, build, check_site, verify
from phuongnews.config import load_config
from phuongnews.errors import BuildFailed, ErrorList
from phuongnews.messages import message_text, seconds_text
from phuongnews.newpost import create_post
from phuongnews.report import build_report, report_json, report_text
from phuongnews.vietnamese import format_date_en, format_date_vi
from phuongnews.writer import OutputRefused

# The writer's hidden work folders next to the output (.public.phuongnews-tmp-x1y2/…): a clerk
# knows only the output folder, so messages name that instead.
_STAGING = re.compile(r"\.([^/\\]+)\.phuongnews-(?:tmp-|old-|lock)[^/\\]*")


def run() -> None:
    """The `phuongnews` command. Exits without tearing down the interpreter's objects: after a
    large build, freeing the loaded site one object at a time takes half a second, for nothing."""
    build_module.KEPT_TO_EXIT = []
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = args.lang or _site_language(args.site)
    try:
        return args.run(args, lang)
    except BuildFailed as failed:
        return _print_errors(failed.errors, lang)
    except OutputRefused as refused:
        _say(lang, refused.code, stream=sys.stderr, folder=str(refused.folder))
        return 1
    except BrokenPipeError:
        # Whoever read what we print stopped reading (`phuongnews build | head -1`): what we
        # print comes after the work is done, so the site is built; nothing to say, and no
        # error about the output folder, which would be false. 128 + SIGPIPE, as a shell
        # reports a program a closed pipe stopped.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- for the flush at exit
        return 141
    except OSError as exc:  # a full disk or a permission problem: the site on disk is untouched
        path = _STAGING.sub(r"\1", str(exc.filename or ""))
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            _say(lang, "os.disk_full", stream=sys.stderr, path=path)
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            _say(lang, "os.no_permission", stream=sys.stderr, path=path)
        else:
            _say(lang, "os.error", stream=sys.stderr, path=path, reason=exc.strerror or str(exc))
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="phuongnews", description="Dựng trang tin tĩnh cho phường, xã.")
    parser.add_argument("--version", action="version", version=f"phuongnews {__version__}")
    # --site and --lang work before or after the command; SUPPRESS keeps a sub-command's
    # missing option from overwriting one given before it.
    common = argparse.ArgumentParser(add_help=False)
    for owner, site_default, lang_default in ((parser, Path("."), None), (common, argparse.SUPPRESS, argparse.SUPPRESS)):
        owner.add_argument("--site", type=Path, default=site_default,
                           help="thư mục trang (có site.yaml); mặc định: thư mục hiện tại")
        owner.add_argument("--lang", choices=("vi", "en"), default=lang_default,
                           help="ngôn ngữ của thông báo (mặc định theo site.yaml)")
    parser.set_defaults(run=lambda args, lang: _print_help(parser))
    commands = parser.add_subparsers(title="lệnh", metavar="{build,check,new,import,serve}")

    build_cmd = commands.add_parser("build", parents=[common], help="dựng toàn bộ trang vào thư mục đầu ra")
    build_cmd.add_argument("--out", type=Path, help="thư mục đầu ra; mặc định: <site>/public")
    build_cmd.add_argument("--base-url", help="địa chỉ gốc thay cho base_url trong site.yaml")
    build_cmd.add_argument("--drafts", action="store_true", help="đăng cả bài nháp (draft: true)")
    build_cmd.add_argument("--report", action="append", type=Path, default=[], metavar="TỆP",
                           help="ghi báo cáo dựng trang: TỆP.json (dữ liệu) hoặc tệp khác (chữ); lặp lại được")
    build_cmd.add_argument("--now", type=_moment, metavar="'YYYY-MM-DD HH:MM'",
                           help="dựng như thể lúc này (xem trước bài hẹn giờ); mặc định: bây giờ")
    build_cmd.add_argument("--relative", action="store_true",
                           help="liên kết tương đối, mở được thẳng từ ổ đĩa hay USB không cần máy chủ")
    build_cmd.add_argument("--jobs", type=_jobs, default=0, metavar="N",
                           help="số tiến trình song song; mặc định: mọi lõi CPU")
    build_cmd.add_argument("--no-cache", dest="cache", action="store_false",
                           help="không dùng bộ nhớ đệm .phuongnews-cache/build: dựng lại mọi trang")
    build_cmd.add_argument("--verify", action="store_true",
                           help="sau khi dựng, dựng lại từ đầu không dùng bộ nhớ đệm và so từng byte")
    build_cmd.set_defaults(run=_build)

    check_cmd = commands.add_parser("check", parents=[common],
                                    help="chỉ kiểm tra nội dung, không ghi trang nào (bài đã đọc được giữ trong .phuongnews-cache)")
    check_cmd.add_argument("--drafts", action="store_true", help="kiểm tra cả bài nháp như khi đăng")
    check_cmd.add_argument("--no-cache", dest="cache", action="store_false",
                           help="không dùng bộ nhớ đệm .phuongnews-cache/build: đọc lại mọi bài")
    check_cmd.set_defaults(run=_check)

    new_cmd = commands.add_parser("new", parents=[common], help="tạo khung một bài viết mới")
    new_cmd.add_argument("title", help='tiêu đề bài, ví dụ "Hội nghị tổng kết công tác Mặt trận năm 2026"')
    new_cmd.add_argument("--unit", action="append", required=True, help="đơn vị của bài (khóa hoặc tên gọi); lặp lại nếu nhiều đơn vị")
    new_cmd.add_argument("--date", type=date.fromisoformat, help="ngày diễn ra sự kiện, YYYY-MM-DD; mặc định: hôm nay")
    new_cmd.set_defaults(run=_new)

    import_cmd = commands.add_parser("import", parents=[common], help="nhập bài từ cổng tin cũ (.txt, .html, RSS/Atom, .sql NukeViet)")
    import_cmd.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="tệp cần nhập")
    import_cmd.add_argument("--out", type=Path, help="thư mục ghi bài; mặc định: <site>/content/posts")
    import_cmd.add_argument("--unit", action="append", default=[], help="đơn vị thêm vào mọi bài nhập (khóa hoặc tên gọi); lặp lại được")
    import_cmd.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không ghi tệp nào")
    import_cmd.add_argument("--old-url", help="mẫu địa chỉ bài trên cổng cũ cho tệp .sql, ví dụ /{lang}/news/{cat}/{alias}-{id}.html")
    import_cmd.set_defaults(run=_import)

    serve_cmd = commands.add_parser("serve", parents=[common], help="xem trước trang, tự tải lại khi lưu tệp")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="địa chỉ nghe; mặc định: 127.0.0.1 (chỉ máy này)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="cổng; mặc định: 8000 (0: cổng trống bất kỳ)")
    serve_cmd.add_argument("--drafts", action="store_true", help="hiện cả bài nháp")
    serve_cmd.set_defaults(run=_serve)
    return parser


def _import(args, lang: str) -> int:
    # the importer is loaded only when used
    from phuongnews.importer.cli import run_import

    return run_import(args, lang, _say)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _build(args, lang: str) -> int:
    options = BuildOptions(site_dir=args.site, out_dir=args.out, base_url=args.base_url, drafts=args.drafts,
                           relative=args.relative, now=args.now, jobs=args.jobs, cache=args.cache,
                           need_site=bool(args.report))
    result = build(options)
    _print_warnings(result.warnings, lang)
    _say(lang, "summary.build", posts=result.posts, pages=result.pages, files=result.files,
         out=str(result.out_dir), seconds=seconds_text(result.seconds, lang))
    next_change = result.next_change
    if next_change is not None:
        _say(lang, "summary.next_change", when=format_date_vi(next_change, with_weekday=True, with_time=True)
             if lang == "vi" else format_date_en(next_change, with_weekday=True, with_time=True))
    _say(lang, "summary.changes", written=result.written, removed=result.removed,
         kept=result.files - result.written, rendered=result.rendered)
    if args.report:
        report = build_report(result.site, result.files, result.timings, next_change, lang)
        for path in args.report:
            path.write_text(report_json(report) if path.suffix == ".json" else report_text(report, lang), encoding="utf-8")
    if args.verify:
        build_module.KEPT_TO_EXIT = None  # not two builds' worth in memory at once
        # Built with the same moment, so scheduled posts cannot make a false difference.
        compared, differences = verify(dataclasses.replace(options, now=result.now))
        if differences:
            raise BuildFailed(differences)
        _say(lang, "verify.same", files=compared)
    return 0


def _jobs(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("N ≥ 0")
    return value


def _moment(text: str) -> datetime:
    """--now: a local moment like the front-matter's dates; the site's zone is applied later."""
    return datetime.fromisoformat(text)


def _check(args, lang: str) -> int:
    started = time.perf_counter()
    result = check_site(BuildOptions(site_dir=args.site, drafts=args.drafts, cache=args.cache))
    _print_warnings(result.warnings, lang)
    _say(lang, "summary.check", posts=result.posts, pages=result.pages,
         seconds=seconds_text(time.perf_counter() - started, lang))
    return 0


def _new(args, lang: str) -> int:
    errors = ErrorList()
    config = load_config(args.site, errors)
    if config is None:
        raise BuildFailed(errors)
    when = args.date or datetime.now(config.timezone).date()
    path = create_post(args.site, config, args.title, args.unit, when, errors)
    if path is None:
        raise BuildFailed(errors)
    _say(lang, "summary.new", path=path)
    return 0


def _print_errors(errors, lang: str) -> int:
    for error in errors:
        print(error.format(lang), file=sys.stderr)
    files = len({error.path for error in errors})
    _say(lang, "summary.failed", stream=sys.stderr, count=len(errors), files=files)
    return 1


def _print_warnings(warnings, lang: str) -> None:
    for warning in sorted(warnings, key=lambda w: w.sort_key()):
        print(warning.format(lang), file=sys.stderr)


def _say(lang: str, code: str, stream=None, **params) -> None:
    message, hint = message_text(code, lang, params)
    if hint:  # the same "    gợi ý: …" line as SourceError.format
        message += "\n    " + message_text("hint.prefix", lang, {})[0] + " " + hint
    print(message, file=stream or sys.stdout)


def _site_language(site_dir: Path) -> str:
    """Messages follow site.yaml's language; a broken or missing site.yaml means Vietnamese."""
    config = load_config(site_dir, ErrorList())
    return config.language if config else "vi"


def _serve(args, lang: str) -> int:
    # watchdog and http.server are loaded only for this command
    from phuongnews.serve import serve

    return serve(args.site, args.host, args.port, args.drafts, lang)
