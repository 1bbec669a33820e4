"""Error types people see. Each carries a one-line message that says what was wrong and what to do."""


class ImgcastError(Exception):
    """Base of every error imgcast reports to a person; str(error) is the one-line message."""


class UsageError(ImgcastError):
    """A bad argument or setting: exit status 2, nothing was done."""


class SessionFailed(ImgcastError):
    """The session could not complete: exit status 1."""
