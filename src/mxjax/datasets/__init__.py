"""Data files shipped inside the mxjax package.

The UCI letter-recognition file that MXNet's Module tutorial downloads is
shipped here, so ``mx.test_utils.download`` can serve it offline: the
download cache (``$MXJAX_HOME``, default ``~/.mxjax``) is seeded from these
files the first time their URL is asked for.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit

__all__ = ["LETTER_RECOGNITION_URL", "url_key", "shipped_file", "shipped_urls"]

#: The URL MXNet's Module tutorial passes to ``mx.test_utils.download``.
LETTER_RECOGNITION_URL = ("http://archive.ics.uci.edu/ml/machine-learning-databases/"
                          "letter-recognition/letter-recognition.data")

# url_key(url) -> file name inside this package
_SHIPPED: dict[str, str] = {}


def url_key(url: str) -> str:
    """A URL without scheme, query or fragment, host lower-cased: ``host/path``.

    ``http://`` and ``https://`` forms of a URL have the same key.
    """
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if not host:
        raise ValueError(f"not a URL with a host: {url!r}")
    return host + (parts.path or "/")


def _ship(url: str, name: str) -> None:
    _SHIPPED[url_key(url)] = name


_ship(LETTER_RECOGNITION_URL, "letter-recognition.data")


def shipped_urls() -> list[str]:
    """Keys (``host/path``) of the URLs whose content ships with mxjax."""
    return sorted(_SHIPPED)


def shipped_file(url: str) -> Traversable | None:
    """The packaged copy of ``url``'s content, or None when mxjax does not ship it."""
    try:
        name = _SHIPPED.get(url_key(url))
    except ValueError:
        return None
    if name is None:
        return None
    res = resources.files(__name__).joinpath(name)
    return res if res.is_file() else None
