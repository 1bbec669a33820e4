"""The longer, coverage-guided run of the fuzz targets in tests/fuzz_targets.py, with atheris.

Not part of ./test (it runs until stopped, or for --seconds). atheris is not a dependency:

    .venv/bin/python -m pip install atheris
    .venv/bin/python tests/fuzz_atheris.py machines --seconds 300      # one target
    .venv/bin/python tests/fuzz_atheris.py all --seconds 60            # each target in turn

A finding is an exception other than the parser's own error: atheris prints it with the input,
and saves the input as crash-<hash> in the current folder (run it again with that file to repeat).
Extra arguments go to libFuzzer (e.g. -max_len=4096, or a corpus folder).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_one(name: str, seconds: float, extra: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["imgcast", "fuzz_targets", "construct"]):
        import fuzz_targets
    target = fuzz_targets.TARGETS[name]
    # libFuzzer ends the process itself (no atexit runs): its closing DONE line gives exec/s
    atheris.Setup([sys.argv[0], f"-max_total_time={int(seconds)}", "-max_len=4096", *extra], target)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description="coverage-guided fuzzing of imgcast's parsers (atheris)")
    parser.add_argument("target", help="a target of tests/fuzz_targets.py, or all")
    parser.add_argument("--seconds", type=float, default=60.0)
    args, extra = parser.parse_known_args()
    if args.target != "all":
        run_one(args.target, args.seconds, extra)  # imports the code under test instrumented
        return 0
    import fuzz_targets

    status = 0
    for name in sorted(fuzz_targets.TARGETS):  # each in its own process: libFuzzer runs one target per process
        done = subprocess.run([sys.executable, __file__, name, "--seconds", str(args.seconds), *extra],
                              check=False, env=os.environ)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
