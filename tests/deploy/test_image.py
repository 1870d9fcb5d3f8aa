"""deploy/Dockerfile and .dockerignore, checked without a container engine (none runs here).

The Dockerfile is parsed and its steps that matter are replayed in a temp folder: the
build context as .dockerignore leaves it, the COPY steps in their order, the locked
dependency set of the first `uv sync` (from pyproject.toml and uv.lock alone), the wheel
the second `uv sync --no-editable` builds, installed into a fresh venv, and the imports
the CLI needs, run from that venv outside the checkout. The venv borrows the third-party
packages of the project's .venv (the image installs the same locked versions), so the
replay is offline and takes seconds.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
    return instructions


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """One .dockerignore line as Docker reads it: relative to the context root, `*` and
    `?` within one path segment, `**` across segments."""
    pattern = pattern.strip().lstrip("/").rstrip("/")
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(f"^{out}$")


def load_dockerignore(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern_regex(line.lstrip("!"))))
    return rules


def is_ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: a path is left out when it or one of its parent folders matches
    (the last matching line wins; `!` lines bring paths back)."""
    parts = path.split("/")
    ignored = False
    for negated, regex in rules:
        if any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not negated
    return ignored


def _rules() -> list[tuple[bool, re.Pattern[str]]]:
    return load_dockerignore(DOCKERIGNORE.read_text(encoding="utf-8"))


def _copy_from_context(source: str, dest: Path, rules: list[tuple[bool, re.Pattern[str]]]) -> None:
    src = REPO / source
    if src.is_file():
        if not is_ignored(source, rules):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
        return
    for folder, dirs, files in os.walk(src):
        rel_folder = Path(folder).relative_to(REPO).as_posix()
        dirs[:] = [d for d in dirs if not is_ignored(f"{rel_folder}/{d}", rules)]
        for d in dirs:  # COPY keeps a symlink as a symlink (src/newswatch/flows -> flows/)
            if (link := REPO / rel_folder / d).is_symlink():
                target = dest / Path(f"{rel_folder}/{d}").relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(os.readlink(link))
        for name in files:
            rel = f"{rel_folder}/{name}"
            if not is_ignored(rel, rules):
                target = dest / Path(rel).relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / rel, target)


def _uv() -> str:
    local = REPO / ".tools" / "bin" / "uv"
    found = str(local) if local.is_file() else shutil.which("uv")
    if not found:
        pytest.skip("uv not installed (make install puts it in .tools/)")
    return found


def _uv_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_OFFLINE="1", UV_PYTHON_DOWNLOADS="never", UV_PYTHON=sys.executable)
    return env


def _uv_syncs(instructions: list[Instruction]) -> list[tuple[int, list[str]]]:
    return [
        (i, shlex.split(ins.args))
        for i, ins in enumerate(instructions)
        if ins.keyword == "RUN" and "uv sync" in ins.args
    ]


def _extras(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == "--extra"]


def test_dockerfile_installs_locked_dependencies_first_then_the_project() -> None:
    instructions = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    syncs = _uv_syncs(instructions)
    assert len(syncs) == 2, syncs
    (deps_at, deps), (project_at, project) = syncs
    copied = [shlex.split(ins.args)[:-1] for ins in instructions[:deps_at] if ins.keyword == "COPY"]
    # the dependency layer sees the lock and pyproject only, so code changes keep it cached
    assert [src for srcs in copied for src in srcs] == ["pyproject.toml", "uv.lock"]
    assert "--no-install-project" in deps and "--frozen" in deps and "--no-dev" in deps
    assert "--frozen" in project and "--no-dev" in project and "--no-editable" in project
    copied_before_project = {
        src
        for ins in instructions[deps_at:project_at]
        if ins.keyword == "COPY"
        for src in shlex.split(ins.args)[:-1]
    }
    assert {"src", "flows", "README.md"} <= copied_before_project
    # the dask and postgres extras, the same in both steps, declared in pyproject
    assert _extras(deps) == _extras(project)
    assert {"dask", "postgres"} <= set(_extras(deps))
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert set(_extras(deps)) <= set(declared["optional-dependencies"])
    # one copy of the venv: nothing re-owns it in a later layer
    assert not any("chown" in ins.args for ins in instructions if ins.keyword == "RUN")
    # a fixed non-root user, the one the Helm values run the pods as
    (user,) = [ins.args for ins in instructions if ins.keyword == "USER"]
    assert user == "1001:1001"
    assert instructions[-2].keyword == "USER"  # only CMD after it
    text = DOCKERFILE.read_text()
    assert "useradd --uid 1001 --gid 1001" in text and "groupadd --gid 1001" in text


def test_dockerfile_copies_what_the_deployments_load_from_the_working_directory() -> None:
    instructions = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    (workdir,) = [ins.args for ins in instructions if ins.keyword == "WORKDIR"]
    env_line = next(ins.args for ins in instructions if ins.keyword == "ENV")
    assert f"NEWSWATCH_HOME={workdir}" in env_line
    assert f"UV_PROJECT_ENVIRONMENT={workdir}/.venv" in env_line
    copied = {
        src for ins in instructions if ins.keyword == "COPY" for src in shlex.split(ins.args)[:-1]
    }
    prefect_yaml = yaml.safe_load((REPO / "deploy" / "prefect.yaml").read_text())
    for deployment in prefect_yaml["deployments"]:
        top = deployment["entrypoint"].split("/")[0]
        assert top in copied, deployment["entrypoint"]
    # the volume-seeding script and the defaults it copies
    assert {"seeds", "config", "deploy"} <= copied


def test_dependency_layer_resolves_from_the_lock_alone(tmp_path: Path) -> None:
    """Replay of the first `uv sync`: with only pyproject.toml and uv.lock in the folder,
    the frozen lock yields the runtime set with both extras and no dev tools."""
    instructions = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    (_, deps), _ = _uv_syncs(instructions)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO / name, tmp_path / name)
    argv = [_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    for extra in _extras(deps):
        argv += ["--extra", extra]
    exported = subprocess.run(
        argv, cwd=tmp_path, env=_uv_env(), check=True, capture_output=True, text=True
    ).stdout
    pins = {
        line.split("==")[0]: line.split("==")[1].split(" ")[0]
        for line in exported.splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert pins["prefect"].startswith("3.9.")
    assert {"prefect-dask", "psycopg", "psycopg-binary", "apprise", "trafilatura"} <= set(pins)
    assert not {"pytest", "ruff", "mypy", "import-linter"} & set(pins)


def test_the_image_build_installs_a_project_whose_cli_imports_the_flows(tmp_path: Path) -> None:
    """Replay of the COPY steps (through .dockerignore) and of `uv sync --no-editable`:
    the wheel uv builds there, installed into a fresh venv and imported from outside
    the checkout, as the image's `newswatch` command runs."""
    rules = _rules()
    instructions = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    (_, _), (project_at, _) = _uv_syncs(instructions)
    app = tmp_path / "app"
    app.mkdir()
    for ins in instructions[:project_at]:
        if ins.keyword == "COPY":
            *sources, dest = shlex.split(ins.args)
            for source in sources:
                target = app / dest / Path(source).name if dest.endswith("/") else app / dest
                _copy_from_context(source, target, rules)
    assert not (app / ".venv").exists() and (app / "flows" / "ingest.py").is_file()

    dist = tmp_path / "dist"
    subprocess.run(
        [_uv(), "build", "--wheel", "--out-dir", str(dist)],
        cwd=app,
        env=_uv_env(),
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("newswatch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(
        n.endswith("newswatch/cli.py") or n.endswith("newswatch/cli/__init__.py") for n in names
    )
    assert "newswatch/flows/ingest.py" in names, "the flows are not in the wheel"

    # a fresh venv: the wheel without its dependencies, which come from the project's
    # .venv (same locked versions) through a path file. Its own .pth files (the editable
    # checkout) are not read from there, so newswatch can only come from the wheel.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [_uv(), "pip", "install", "--no-deps", "--python", str(python), str(wheel)],
        env=_uv_env(),
        check=True,
        capture_output=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    probe = """
import importlib, json, sys
import newswatch.cli
found = {}
for name in ("newswatch.flows.ingest", "flows.ingest"):
    try:
        found[name] = importlib.import_module(name).__file__
    except ModuleNotFoundError:
        pass
print(json.dumps({"cli": newswatch.cli.__file__, "flows": found}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["DO_NOT_TRACK"] = "1"
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    got = subprocess.run(
        [str(python), "-I", "-c", probe],
        cwd=outside,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(got.stdout.strip().splitlines()[-1])
    assert result["cli"].startswith(site), result
    # the wheel ships flows/ as newswatch.flows (no top-level `flows` to clash with)
    assert list(result["flows"]) == ["newswatch.flows.ingest"], result
    assert all(path.startswith(site) for path in result["flows"].values()), result
    # the console script the image puts on PATH
    help_text = subprocess.run(
        [str(venv / "bin" / "newswatch"), "--help"],
        cwd=outside,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "run" in help_text and "serve" in help_text


@pytest.mark.parametrize(
    "path",
    [
        "deploy/compose.env",
        "deploy/notify.yaml",
        "config/notify.yaml",
        ".env",
        "config/settings.env",
        "deploy/staging.env",
        ".venv/bin/python",
        ".tools/bin/uv",
        "data/newswatch.db",
        ".newswatch/prefect/prefect.db",
        ".git/HEAD",
        "src/newswatch/__pycache__/cli.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/CACHEDIR.TAG",
    ],
)
def test_dockerignore_keeps_secrets_local_state_and_caches_out(path: str) -> None:
    assert is_ignored(path, _rules()), path


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "src/newswatch/cli.py",
        "flows/ingest.py",
        "seeds/README.md",
        "config/feeds.yaml",
        "config/profile.yaml",
        "config/notify.example.yaml",
        "deploy/prefect.yaml",
        "deploy/seed-volume.sh",
    ],
)
def test_dockerignore_keeps_what_the_image_needs(path: str) -> None:
    assert not is_ignored(path, _rules()), path


def test_dockerignore_matcher_reads_patterns_as_docker_does() -> None:
    rules = load_dockerignore("*.env\n**/*.pyc\ndata/\n!data/keep\n")
    assert is_ignored("a.env", rules) and not is_ignored("x/a.env", rules)
    assert is_ignored("x/y/a.pyc", rules) and is_ignored("a.pyc", rules)
    assert is_ignored("data/a/b", rules) and not is_ignored("data/keep", rules)
    assert not is_ignored("mydata/a", rules)
