"""imgcast's engine: everything that is not a window. No Qt is imported anywhere below here."""

from importlib.metadata import PackageNotFoundError, version


def imgcast_version() -> str:
    """The one place the version comes from: the installed package metadata."""
    try:
        return version("imgcast")
    except PackageNotFoundError:  # running from a tree that was never installed
        return "0+unknown"
