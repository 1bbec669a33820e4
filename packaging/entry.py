"""PyInstaller's entry script for the `img` bundle.

PyInstaller needs a script, not a console-script entry point, so this is the bundle's
equivalent of the `img` script pip writes: the same `imgcast.engine.cli.main:main`, so the
bundle and `.venv/bin/img` behave alike (no arguments: the wizard; arguments: the command).
"""

import os
import sys


def give_children_the_system_libraries() -> None:
    """The bundle's launcher points LD_LIBRARY_PATH at the bundled libraries (saving the
    user's value in LD_LIBRARY_PATH_ORIG). The dynamic loader has read it already, so putting
    the user's value back changes nothing here, but it keeps system tools the engine runs
    (partclone, blkid, mkfs...) from loading the bundle's copies of libssl, libz or libstdc++.
    """
    if not getattr(sys, "frozen", False):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


if __name__ == "__main__":
    give_children_the_system_libraries()
    from imgcast.engine.cli.main import main

    sys.exit(main())
