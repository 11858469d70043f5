"""The publishing recipes in recipes/ and the pre-commit hook, run locally: their build steps
must work as written on the example site, and stop on a content error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

BIN = str(Path(sys.executable).parent)  # where the venv's `phuongnews` command is


@pytest.fixture
def ward(tmp_path) -> Path:
    """A ward's repository: the example site's sources, nothing else."""
    site = tmp_path / "ward"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, site / folder)
    return site


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], **env}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", check=False, timeout=120)


def break_a_post(site: Path) -> None:
    post = next((site / "content/posts").rglob("*.md"))
    post.write_text(post.read_text(encoding="utf-8").replace("date: ", "date: 29/", 1), encoding="utf-8")


def github_build_step() -> str:
    workflow = yaml.safe_load((REPO / "recipes/github-pages.yml").read_text(encoding="utf-8"))
    steps = [s for s in workflow["jobs"]["build"]["steps"] if s.get("name") == "Dựng trang"]
    assert len(steps) == 1
    assert steps[0]["env"]["PAGES_URL"] == "${{ steps.pages.outputs.base_url }}"
    return steps[0]["run"]


def gitlab_script() -> str:
    pipeline = yaml.safe_load((REPO / "recipes/gitlab-pages.yml").read_text(encoding="utf-8"))
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]  # GitLab publishes only ./public
    return "\n".join(pipeline["pages"]["script"])


@pytest.mark.parametrize(("script", "env"), [
    pytest.param(github_build_step, {"PAGES_URL": "https://phuong-x.github.io/trang-tin"}, id="github-pages"),
    pytest.param(gitlab_script, {"CI_PAGES_URL": "https://phuong-x.gitlab.io/trang-tin"}, id="gitlab-pages"),
])
def test_pages_recipes_build_under_the_pages_sub_path(ward, script, env):
    result = bash(script(), ward, **env)
    assert result.returncode == 0, result.stderr
    home = (ward / "public/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://phuong-x.' in home and '/trang-tin/">' in home
    assert 'href="/trang-tin/css/style.css"' in home


@pytest.mark.parametrize("script", [github_build_step, gitlab_script], ids=["github-pages", "gitlab-pages"])
def test_pages_recipes_stop_on_a_content_error(ward, script):
    break_a_post(ward)
    result = bash(script(), ward, PAGES_URL="https://x.github.io/t", CI_PAGES_URL="https://x.gitlab.io/t")
    assert result.returncode == 1
    assert "ngày '29/" in result.stderr
    assert not (ward / "public").exists()


def test_publish_script_syncs_to_a_folder_and_removes_deleted_pages(ward, tmp_path):
    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed (.ci/run installs it)")
    dest = tmp_path / "www"
    dest.mkdir()
    script = str(REPO / "recipes/publish.sh")
    result = bash(script, ward, DEST=str(dest), BASE_URL="https://phuong.example.gov.vn/")
    assert result.returncode == 0, result.stderr
    assert (dest / "index.html").is_file() and not (dest / ".phuongnews-output").exists()
    removed = next((ward / "content/posts").rglob("*.md"))
    page = next(dest.glob(f"tin-tuc/*/{removed.stem}/index.html"))
    removed.unlink()
    assert bash(script, ward, DEST=str(dest)).returncode == 0
    assert not page.exists()


def test_publish_script_publishes_nothing_on_a_content_error(ward, tmp_path):
    dest = tmp_path / "www"
    dest.mkdir()
    (dest / "index.html").write_text("trang cũ", encoding="utf-8")
    break_a_post(ward)
    result = bash(str(REPO / "recipes/publish.sh"), ward, DEST=str(dest))
    assert result.returncode == 1
    assert [p.name for p in dest.iterdir()] == ["index.html"]
    assert (dest / "index.html").read_text(encoding="utf-8") == "trang cũ"


def test_pre_commit_hook_runs_check(ward):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["phuongnews-check"]
    hook = hooks[0]
    assert hook["pass_filenames"] is False
    assert bash(hook["entry"], ward).returncode == 0
    break_a_post(ward)
    failed = bash(hook["entry"], ward)
    assert failed.returncode == 1 and "ngày '29/" in failed.stderr
