"""The README's 生产部署 section, as the deployment smoke test (tests/deploy/run.sh) runs it.

The section's code blocks are the test's script: the environment file's variable names, the install commands,
the two systemd units (WorkingDirectory, EnvironmentFile, Environment, ExecStart) and the backup and restore
commands are read from README.md as written. Only the places differ: the test's environment file, checkout,
backup folder and web port stand in for /etc/lianqiao.env, /opt/lianqiao, /var/backups and 127.0.0.1:8000.

    python -m tests.deploy.readme check-env FILE      README's variables all set in FILE (exit 1 if not)
    python -m tests.deploy.readme script install|backup|restore --env-file F --root R --backups B --port P
    python -m tests.deploy.readme unit web|jobs --env-file F --root R --backups B --port P
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## 生产部署"
BLOCK_RE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
# The subsection headings whose code blocks the test runs (a heading names its part: "### 安装" …).
PARTS = ("环境文件", "安装", "启动", "备份与恢复")
# The commands the test runs as one script each: (part, index of the block in that part).
SCRIPTS = {"install": ("安装", 0), "backup": ("备份与恢复", 0), "restore": ("备份与恢复", 1)}
UNIT_FILES = {"web": "lianqiao-web.service", "jobs": "lianqiao-jobs.service"}


@dataclass(frozen=True)
class Places:
    env_file: str
    root: str
    backups: str
    port: int

    def apply(self, text: str) -> str:
        return (
            text.replace("/etc/lianqiao.env", self.env_file)
            .replace("/opt/lianqiao", self.root)
            .replace("/var/backups", self.backups)
            .replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")
        )


def section(text: str) -> str:
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def blocks(text: str | None = None) -> dict[str, list[str]]:
    """Each part's code blocks, in README order."""
    body = section(text if text is not None else README.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {part: [] for part in PARTS}
    for chunk in re.split(r"^### ", body, flags=re.M)[1:]:
        heading = chunk.splitlines()[0]
        part = next((p for p in PARTS if p in heading), None)
        if part is not None:
            found[part].extend(code for _lang, code in BLOCK_RE.findall(chunk))
    missing = [part for part in PARTS if not found[part]]
    if missing:
        raise SystemExit(f"README {SECTION}: no code block under a heading naming {', '.join(missing)}")
    return found


def env_example(text: str | None = None) -> dict[str, str]:
    """The example environment file: variable → value."""
    lines = blocks(text)["环境文件"][0].splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def env_keys(text: str | None = None) -> list[str]:
    return list(env_example(text))


def unit(name: str, text: str | None = None) -> dict[str, list[str]]:
    """A systemd unit's settings (key → values) from the block that starts with its file name."""
    for code in blocks(text)["启动"]:
        if code.splitlines()[0].endswith(UNIT_FILES[name]):
            settings: dict[str, list[str]] = {}
            for line in code.splitlines():
                if "=" in line and not line.startswith(("#", "[")):
                    key, value = line.split("=", 1)
                    settings.setdefault(key, []).append(value)
            return settings
    raise SystemExit(f"README {SECTION}: no unit block starting with # …/{UNIT_FILES[name]}")


def unit_command(name: str, places: Places, text: str | None = None) -> str:
    """The shell line that starts a unit's process as systemd would: its directory, environment file,
    Environment= lines, then exec ExecStart."""
    settings = unit(name, text)
    steps = [
        f"cd {shlex.quote(places.apply(settings['WorkingDirectory'][0]))}",
        f"set -a && . {shlex.quote(places.apply(settings['EnvironmentFile'][0]))} && set +a",
        *(f"export {shlex.quote(value)}" for value in settings.get("Environment", [])),
        f"exec {places.apply(settings['ExecStart'][0])}",
    ]
    return " && ".join(steps)


def script(name: str, places: Places, text: str | None = None) -> str:
    part, index = SCRIPTS[name]
    found = blocks(text)[part]
    if len(found) <= index:
        raise SystemExit(f"README {SECTION}: {part} needs {index + 1} code blocks for the {name} script")
    return places.apply(found[index])


def check_env(path: Path, text: str | None = None) -> list[str]:
    """README's variables that the file does not set."""
    have = {line.split("=", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if "=" in line}
    return [key for key in env_keys(text) if key not in have]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.deploy.readme")
    parser.add_argument("what", choices=["check-env", "script", "unit"])
    parser.add_argument("name", help="check-env: the file; script: install|backup|restore; unit: web|jobs")
    parser.add_argument("--env-file", default="/etc/lianqiao.env")
    parser.add_argument("--root", default="/opt/lianqiao")
    parser.add_argument("--backups", default="/var/backups")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    places = Places(args.env_file, args.root, args.backups, args.port)
    if args.what == "check-env":
        missing = check_env(Path(args.name))
        if missing:
            print(f"{args.name} lacks README's {', '.join(missing)}", file=sys.stderr)
        return 1 if missing else 0
    print(script(args.name, places) if args.what == "script" else unit_command(args.name, places))
    return 0


if __name__ == "__main__":
    sys.exit(main())
