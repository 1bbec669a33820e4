"""PyInstaller's entry script for the `img` bundle.

PyInstaller needs a script, not a console-script entry point, so this is the bundle's
equivalent of the `img` script pip writes: the same `imgcast.engine.cli.main:main`, so the
bundle and `.venv/bin/img` behave alike (no arguments: the wizard; arguments: the command).
"""

import sys

from imgcast.engine.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
