"""``mx.model``: MXNet 1.9.1's checkpoint functions and ``BatchEndParam``.

A checkpoint is two files, exactly as MXNet writes them:

* ``prefix-symbol.json``: the network (``Symbol.save``);
* ``'%s-%04d.params' % (prefix, epoch)``: one ``nd.save`` dict holding
  ``'arg:' + name`` for every argument parameter, then ``'aux:' + name`` for
  every auxiliary state, in the order of the given dicts.

Unlike MXNet, each file is written atomically (temporary file + rename), so a
crash during a save never leaves a truncated checkpoint behind. The legacy
``FeedForward`` class is not provided: constructing it (or ``FeedForward.load`` /
``FeedForward.create``) raises a clear ``MXNetError``; use ``mx.mod.Module``.
"""

from __future__ import annotations

import logging
import os
from collections import namedtuple
from typing import Any

from ._unsupported import unsupported_class
from .base import MXNetError
from .ndarray import utils as _nd_utils

__all__ = ["BatchEndParam", "FeedForward", "save_checkpoint", "load_checkpoint", "load_params"]

#: MXNet's deprecated FeedForward model: every use raises a clear MXNetError
FeedForward = unsupported_class(
    "FeedForward", "model", "the deprecated FeedForward API was removed from mxjax",
    "use mx.mod.Module (fit/predict/score) and mx.model.load_checkpoint",
    methods=("load", "create"))

#: What ``batch_end_callback`` receives (MXNet's namedtuple, type name ``BatchEndParams``).
BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def _params_name(prefix: str, epoch: int) -> str:
    return f"{prefix}-{int(epoch):04d}.params"  # MXNet's '%s-%04d.params'


def save_checkpoint(prefix: str, epoch: int, symbol: Any, arg_params: dict,
                    aux_params: dict, remove_amp_cast: bool = True) -> None:
    """``mx.model.save_checkpoint``: write ``prefix-symbol.json`` and ``prefix-%04d.params``.

    The symbol file is skipped when ``symbol`` is None. Keys are ``arg:<name>``
    then ``aux:<name>``; arrays are stored with a ``cpu(0)`` context, as MXNet
    stores them after ``as_in_context(cpu())``. Logs ``Saved checkpoint to "<file>"``
    on the root logger.
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v for k, v in aux_params.items()})
    param_name = _params_name(prefix, epoch)
    _nd_utils.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix: str, epoch: int) -> tuple[dict, dict]:
    """``mx.model.load_params``: ``(arg_params, aux_params)`` from ``prefix-%04d.params``.

    Each key is split on its first ``':'``; ``arg`` keys go to ``arg_params``,
    ``aux`` keys to ``aux_params``, any other prefix is dropped (as MXNet does).
    An empty file logs a warning and gives two empty dicts. A key with no
    ``':'`` raises ``ValueError``.
    """
    fname = _params_name(prefix, epoch)
    save_dict = _nd_utils.load(fname)
    arg_params: dict = {}
    aux_params: dict = {}
    if not save_dict:
        logging.warning("Params file '%s' is empty", fname)
        return arg_params, aux_params
    if not isinstance(save_dict, dict):
        raise MXNetError(f"{fname!r} holds a list of {len(save_dict)} unnamed arrays, not a "
                         "checkpoint (a dict with 'arg:'/'aux:' names)")
    for key, value in save_dict.items():
        if ":" not in key:
            raise ValueError(f"Invalid param file {fname}: key {key!r} has no 'arg:' or "
                             "'aux:' prefix")
        kind, name = key.split(":", 1)
        if kind == "arg":
            arg_params[name] = value
        elif kind == "aux":
            aux_params[name] = value
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int) -> tuple[Any, dict, dict]:
    """``mx.model.load_checkpoint``: ``(symbol, arg_params, aux_params)``.

    The symbol comes from ``prefix-symbol.json`` and the parameters from
    ``prefix-%04d.params`` (see :func:`load_params`).
    """
    from . import symbol as _sym

    sym_name = f"{prefix}-symbol.json"
    if not os.path.exists(sym_name):
        raise MXNetError(f"checkpoint symbol file {sym_name!r} does not exist")
    symbol = _sym.load(sym_name)
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params
