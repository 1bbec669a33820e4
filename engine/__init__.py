"""imgcast's engine: everything that is not a window. No Qt is imported anywhere below here."""



def imgcast_version() -> str:
    """The one place the version comes from: the installed package metadata. (Imported here, not
    at the top: importlib.metadata costs every `img` start 50 ms, and only a few paths ask.)"""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("imgcast")
    except PackageNotFoundError:  # running from a tree that was never installed
        return "0+unknown"
