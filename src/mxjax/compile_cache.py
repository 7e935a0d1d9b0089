"""A persistent compilation cache for mxjax's compiled steps, on by default.

Compiling a Module's fused training step or scanned epoch takes about a
second of XLA time; MXNet pays no such cost, so a short script would start
slower than MXNet. JAX's persistent compilation cache stores compiled
executables on disk, so a second run of the same program loads them instead.

mxjax turns the cache on at import, in ``$MXJAX_CACHE_DIR`` or
``$XDG_CACHE_HOME/mxjax/jax`` (``~/.cache/mxjax/jax``), unless the process
already configured one (``jax_compilation_cache_dir``) or
``MXJAX_COMPILATION_CACHE=0`` is set. Entries whose compilation took at least
``MXJAX_CACHE_MIN_COMPILE_SECS`` seconds (default 0.1) are stored.
"""

from __future__ import annotations

import os

import jax

__all__ = ["enable", "default_dir"]


def default_dir() -> str:
    """Where mxjax keeps compiled executables unless told otherwise."""
    explicit = os.environ.get("MXJAX_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mxjax", "jax")


def enable(path: str | None = None, min_compile_secs: float | None = None) -> str | None:
    """Turn on JAX's persistent cache (see the module doc); returns the directory used."""
    if path is None:
        if os.environ.get("MXJAX_COMPILATION_CACHE", "1").lower() in ("0", "false", "off", "no"):
            return None
        if jax.config.jax_compilation_cache_dir:
            return jax.config.jax_compilation_cache_dir  # the user's own setting wins
        path = default_dir()
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None  # a read-only home: run without the cache
    if min_compile_secs is None:
        min_compile_secs = float(os.environ.get("MXJAX_CACHE_MIN_COMPILE_SECS", "0.1"))
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", min_compile_secs)
    return path
