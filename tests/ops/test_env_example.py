"""deploy/lophoc.env.example is read two ways: by systemd (EnvironmentFile of every lophoc-*
unit) and by the shell (docs/deploy.md's `set -a; . /etc/lophoc/lophoc.env`). Both must see
the same values, and systemd keeps a "# comment" after a value as part of the value."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "lophoc.env.example"


def _as_systemd_reads_it() -> dict[str, str]:
    """systemd.exec(5) EnvironmentFile: '#'/';' lines are comments, KEY=VALUE, a value in
    double quotes loses its quotes; nothing else is stripped but the surrounding blanks."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[key.strip()] = value
    return values


def test_systemd_and_the_shell_read_the_same_values():
    systemd = _as_systemd_reads_it()
    shell = subprocess.run(
        [
            "bash",
            "-c",
            f'set -euo pipefail; set -a; . "{EXAMPLE}"; set +a; '
            'python3 -c "import json, os, sys; print(json.dumps(dict(os.environ)))"',
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    environment = json.loads(shell.stdout)
    for key, value in systemd.items():
        assert environment.get(key) == value, key
        assert "#" not in value, f"{key}: a comment after the value would be part of it"
    for key in ("LOPHOC_PROXY_COUNT", "LOPHOC_THREADS", "LOPHOC_DB_POOL_SIZE", "MAIL_PORT"):
        int(systemd[key])
    assert systemd["MAIL_DEFAULT_SENDER"] == "LopHoc <lophoc@example.edu.vn>"
