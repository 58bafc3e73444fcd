"""Run every benchmark in this folder, one after another (they need the machine to themselves).

    .venv/bin/python benchmarks/run.py            # all of them
    .venv/bin/python benchmarks/run.py near_repeat networks   # some of them

Each benchmark prints its figures; record them in benchmarks/RESULTS.md with the date and machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
        missing = set(names) - {p.stem for p in scripts}
        if missing:
            print(f"no benchmark called: {', '.join(sorted(missing))}; there are: {', '.join(p.stem for p in HERE.glob('*.py'))}")
            return 2
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
