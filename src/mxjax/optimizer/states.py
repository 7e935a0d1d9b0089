"""Optimizer states on disk without pickle: MXNet's NDArray file + plain JSON metadata.

MXNet pickles ``Updater.get_states()`` (``{index: NDArray | tuple}``, optionally
with the optimizer object). Unpickling runs code from the file, so mxjax never
does it; it writes instead an ordinary MXNet NDArray *dict* file (the ``.params``
binary format, readable by ``mx.nd.load`` in MXNet too) holding:

* ``"s<k>"``: the k-th state array (float16/32/64, ints, ... kept exactly);
* ``"__mxjax_optimizer_states__"``: a uint8 array holding UTF-8 JSON::

    {"format": "mxjax.optimizer_states", "version": 1,
     "states": [[<index>, <tree>], ...],      # index: JSON int or string, as given
     "optimizer": null | {"class": <registered name>, "attrs": <value>}}

A ``<tree>`` / ``<value>`` is JSON with these typed forms (so nothing is
ambiguous and nothing is executed):

* ``null``, ``true``/``false``, integers, strings, finite floats — themselves;
  ``{"float": "nan" | "inf" | "-inf"}`` for the others;
* ``{"array": "s<k>", "shape": [...]}`` — an NDArray (``shape`` restores 0-d arrays,
  which the file stores as ``(1,)``);
* ``{"tuple": [...]}``, a JSON list for a list, ``{"dict": [[key, value], ...]}``
  for a dict (keys keep their int/str type);
* ``{"scheduler": <class name in mx.lr_scheduler>, "attrs": <dict value>}``.

With ``dump_optimizer=True`` the optimizer's attributes (its ``__dict__``, as
MXNet pickles it, without ``param_dict``) are stored and restored onto a fresh
instance of the registered class — without calling ``__init__``, as unpickling
does. Bytes starting with the pickle protocol byte 0x80 are MXNet's own ``.states``
files: they are read by a restricted unpickler that knows only MXNet's NDArray and
``bytearray`` (all such a file contains), so nothing in the file is ever run; the
per-parameter states come back, the update counts restart (as in MXNet, whose Module does
not pickle the optimizer).
"""

from __future__ import annotations

import io
import json
import math
import pickle
from typing import Any

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..ndarray.ndarray import array as _nd_array

__all__ = ["dumps_states", "loads_states", "META_KEY", "FORMAT"]

META_KEY = "__mxjax_optimizer_states__"
FORMAT = "mxjax.optimizer_states"
VERSION = 1


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, NDArray] = {}

    def enc(self, v: Any, where: str) -> Any:
        from .. import lr_scheduler as _lrs

        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return f if math.isfinite(f) else {"float": repr(f)}
        if isinstance(v, NDArray):
            key = f"s{len(self.arrays)}"
            self.arrays[key] = v if v.ndim else v.reshape((1,))
            return {"array": key, "shape": list(v.shape)}
        if isinstance(v, tuple):
            return {"tuple": [self.enc(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, list):
            return [self.enc(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, dict):
            return {"dict": [[self.enc(k, f"{where} key"), self.enc(x, f"{where}[{k!r}]")]
                             for k, x in v.items()]}
        if isinstance(v, _lrs.LRScheduler):
            cls = type(v).__name__
            if getattr(_lrs, cls, None) is not type(v):
                raise MXNetError(f"cannot save {where}: lr_scheduler class {cls} is not one of "
                                 "mx.lr_scheduler's (mxjax stores no code in state files)")
            attrs = {k: x for k, x in v.__dict__.items() if not k.startswith("_initial")}
            return {"scheduler": cls, "attrs": self.enc(attrs, where)}
        raise MXNetError(f"cannot save {where}: values of type {type(v).__name__} have no "
                         "mxjax optimizer-state encoding (NDArray, None, numbers, str, "
                         "tuple, list, dict and mx.lr_scheduler objects do)")


def _optimizer_attrs(opt: Any) -> dict:
    """The optimizer's ``__dict__`` as MXNet pickles it; the current per-device count dict
    (an alias into ``_all_index_update_counts``) is stored as its device id."""
    attrs = {k: v for k, v in opt.__dict__.items()
             if k not in ("param_dict", "_index_update_count") and not k.startswith("_jit")}
    current = getattr(opt, "_index_update_count", None)
    for dev, counts in getattr(opt, "_all_index_update_counts", {}).items():
        if counts is current:
            attrs["_current_device"] = dev
    return attrs


def dumps_states(states: dict, optimizer: Any = None) -> bytes:
    """Serialise an Updater's ``states`` (and optionally its optimizer) to bytes."""
    from ..ndarray.utils import save_tobuffer

    w = _Writer()
    entries = []
    for idx, st in states.items():
        if not isinstance(idx, (int, np.integer, str)):
            raise MXNetError(f"cannot save optimizer states: index {idx!r} is neither int nor str")
        entries.append([int(idx) if isinstance(idx, np.integer) else idx,
                        w.enc(st, f"state of index {idx!r}")])
    meta: dict[str, Any] = {"format": FORMAT, "version": VERSION, "states": entries,
                            "optimizer": None}
    if optimizer is not None:
        meta["optimizer"] = {"class": type(optimizer).__name__.lower(),
                             "attrs": w.enc(_optimizer_attrs(optimizer), "optimizer attribute")}
    raw = np.frombuffer(json.dumps(meta, allow_nan=False).encode("utf-8"), dtype=np.uint8)
    data = {META_KEY: _nd_array(raw, dtype=np.uint8)}
    data.update(w.arrays)
    return save_tobuffer(data)


class _Reader:
    def __init__(self, arrays: dict[str, NDArray]):
        self.arrays = arrays

    def dec(self, v: Any) -> Any:
        from .. import lr_scheduler as _lrs

        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.dec(x) for x in v]
        if not isinstance(v, dict) or len(v) not in (1, 2):
            raise MXNetError(f"malformed optimizer state file: unexpected value {v!r:.80}")
        if "float" in v:
            if v["float"] not in ("nan", "inf", "-inf"):
                raise MXNetError(f"malformed optimizer state file: float {v['float']!r}")
            return float(v["float"])
        if "array" in v:
            key = v["array"]
            if key not in self.arrays:
                raise MXNetError(f"malformed optimizer state file: array {key!r} is missing")
            arr = self.arrays[key]
            shape = tuple(int(s) for s in v.get("shape", arr.shape))
            return arr.reshape(shape) if shape != arr.shape else arr
        if "tuple" in v:
            return tuple(self.dec(x) for x in v["tuple"])
        if "dict" in v:
            return {self._key(self.dec(k)): self.dec(x) for k, x in v["dict"]}
        if "scheduler" in v:
            cls = getattr(_lrs, str(v["scheduler"]), None)
            if not (isinstance(cls, type) and issubclass(cls, _lrs.LRScheduler)):
                raise MXNetError("malformed optimizer state file: unknown lr_scheduler "
                                 f"{v['scheduler']!r}")
            obj = cls.__new__(cls)
            obj.__dict__.update(self.dec(v["attrs"]))
            return obj
        raise MXNetError(f"malformed optimizer state file: unexpected value {v!r:.80}")

    @staticmethod
    def _key(k: Any) -> Any:
        return tuple(k) if isinstance(k, list) else k


class _PickledNDArray:
    """Stands in for ``mxnet.ndarray.ndarray.NDArray`` while reading an MXNet pickle: the
    pickle calls ``NDArray(None)`` and then sets ``{'handle': raw bytes}``."""

    def __init__(self, handle: Any = None) -> None:
        self.raw: bytes | None = None

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict) or set(state) != {"handle"} or \
                not isinstance(state["handle"], (bytes, bytearray, type(None))):
            raise MXNetError("malformed MXNet optimizer states: an NDArray's pickled state "
                             "is not {'handle': bytes}")
        self.raw = None if state["handle"] is None else bytes(state["handle"])


class _StatesUnpickler(pickle.Unpickler):
    """Reads MXNet's ``.states`` (``pickle.dumps(Updater.states)``) and nothing else: the
    only globals such a file names are MXNet's NDArray and ``bytearray``; any other global
    (code the file would run) is refused before anything is called."""

    _ALLOWED = {("mxnet.ndarray.ndarray", "NDArray"): _PickledNDArray,
                ("builtins", "bytearray"): bytearray}

    def find_class(self, module: str, name: str) -> Any:
        found = self._ALLOWED.get((module, name))
        if found is None:
            hint = (" (an optimizer object: the file was saved with dump_optimizer=True, which "
                    "mxjax does not read; Module.save_optimizer_states never does that)"
                    if module.startswith("mxnet.optimizer") else "")
            raise MXNetError(f"refusing to read these pickled optimizer states: they name "
                             f"{module}.{name}, which an MXNet optimizer-state file does not "
                             f"contain{hint}")
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise MXNetError("refusing to read these pickled optimizer states: persistent ids")


def _loads_mxnet_pickle(buf: bytes) -> dict:
    """MXNet's own ``.states``: ``{index: NDArray | (NDArray, ...) | None}`` read without
    running anything from the file (``_StatesUnpickler``)."""
    from ..ndarray.utils import from_raw_bytes

    try:
        raw = _StatesUnpickler(io.BytesIO(buf)).load()
    except MXNetError:
        raise
    except Exception as err:  # truncated or corrupt pickle data
        raise MXNetError(f"malformed MXNet optimizer states (pickle): {err}") from err
    if not isinstance(raw, dict):
        raise MXNetError(f"MXNet optimizer states must pickle a dict of states, got "
                         f"{type(raw).__name__}")

    def convert(v: Any, where: str) -> Any:
        if v is None:
            return None
        if isinstance(v, _PickledNDArray):
            if v.raw is None:
                return None
            return _nd_array(from_raw_bytes(v.raw, f"optimizer state {where}"))
        if isinstance(v, (tuple, list)):
            return type(v)(convert(x, f"{where}[{i}]") for i, x in enumerate(v))
        raise MXNetError(f"MXNet optimizer state {where} is a {type(v).__name__}, not an "
                         "NDArray or a tuple of NDArrays")

    states = {}
    for k, v in raw.items():
        if not isinstance(k, (int, str)):
            raise MXNetError(f"MXNet optimizer states: key {k!r} is not an index")
        states[k] = convert(v, repr(k))
    return states


def loads_states(buf: bytes) -> tuple[dict, Any]:
    """``(states, optimizer or None)`` from bytes written by :func:`dumps_states`."""
    from ..ndarray.utils import load_frombuffer
    from .optimizer import Optimizer

    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise MXNetError(f"optimizer states must be bytes, got {type(buf).__name__}")
    buf = bytes(buf)
    if buf[:1] == b"\x80":
        return _loads_mxnet_pickle(buf), None
    loaded = load_frombuffer(buf)
    if not isinstance(loaded, dict) or META_KEY not in loaded:
        raise MXNetError("not an mxjax optimizer state file: the NDArray file has no "
                         f"{META_KEY!r} entry")
    try:
        meta = json.loads(loaded[META_KEY].asnumpy().tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise MXNetError(f"malformed optimizer state file: bad metadata ({err})") from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise MXNetError("not an mxjax optimizer state file (format tag missing)")
    if meta.get("version") != VERSION:
        raise MXNetError(f"optimizer state file version {meta.get('version')!r} is not "
                         f"supported (this mxjax reads version {VERSION})")
    r = _Reader({k: v for k, v in loaded.items() if k != META_KEY})
    states = {}
    for entry in meta.get("states", []):
        if not isinstance(entry, list) or len(entry) != 2 or \
                not isinstance(entry[0], (int, str)):
            raise MXNetError(f"malformed optimizer state file: state entry {entry!r:.80}")
        states[entry[0]] = r.dec(entry[1])
    opt = None
    if meta.get("optimizer") is not None:
        info = meta["optimizer"]
        cls = Optimizer.opt_registry.get(str(info.get("class")))
        if cls is None:
            raise MXNetError(f"optimizer state file names optimizer {info.get('class')!r}, "
                             "which is not registered (mx.optimizer.register it first)")
        opt = cls.__new__(cls)
        attrs = r.dec(info["attrs"])
        if not isinstance(attrs, dict):
            raise MXNetError("malformed optimizer state file: optimizer attributes")
        dev = attrs.pop("_current_device", 0)
        opt.__setstate__(attrs)
        all_counts = opt.__dict__.setdefault("_all_index_update_counts", {0: {}})
        opt._index_update_count = all_counts.setdefault(dev, {})
    return states, opt
