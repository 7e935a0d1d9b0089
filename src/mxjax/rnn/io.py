"""Sentence encoding and the bucketing sentence iterator (``mx.rnn.io``).

Reproduces MXNet 1.9.1's ``python/mxnet/rnn/io.py``: ``encode_sentences`` builds
the vocabulary in first-seen order, and ``BucketSentenceIter`` pads every
sentence to the smallest bucket that holds it, labels each token with the next
one, and shuffles with Python's ``random`` (batch order) and numpy's global RNG
(sentences within a bucket) exactly as MXNet does, so seeding both gives
MXNet's batches.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import ndarray
from ..base import MXNetError
from ..io import DataBatch, DataDesc, DataIter

__all__ = ["encode_sentences", "BucketSentenceIter"]


def encode_sentences(sentences: Sequence[Sequence[str]], vocab: dict | None = None,
                     invalid_label: int = -1, invalid_key: str = "\n", start_label: int = 0,
                     unknown_token: str | None = None) -> tuple[list[list[int]], dict]:
    """Map token lists to index lists, growing the vocabulary (``mx.rnn.encode_sentences``).

    Without ``vocab`` a new one ``{invalid_key: invalid_label}`` is built: each new
    token gets the next index from ``start_label``, skipping ``invalid_label``. With
    a given ``vocab`` an unknown token is an error unless ``unknown_token`` is set;
    then it is encoded as ``unknown_token`` (added to ``vocab`` on first use, which,
    as in MXNet, assigns each new unknown word the next index to that entry).
    Returns ``(encoded sentences, vocab)``.
    """
    idx = start_label
    new_vocab = vocab is None
    if vocab is None:
        vocab = {invalid_key: invalid_label}
    res = []
    for sent in sentences:
        coded = []
        for word in sent:
            if word not in vocab:
                if not (new_vocab or unknown_token):
                    raise AssertionError(f"Unknown token {word}")  # MXNet asserts
                if idx == invalid_label:
                    idx += 1
                if unknown_token:
                    word = unknown_token
                vocab[word] = idx
                idx += 1
            coded.append(vocab[word])
        res.append(coded)
    return res, vocab


class BucketSentenceIter(DataIter):
    """Bucketing iterator for language models (``mx.rnn.BucketSentenceIter``).

    Each batch holds ``batch_size`` sentences of one bucket (``bucket_key`` = its
    length), padded with ``invalid_label``; the label is the data shifted left by
    one with ``invalid_label`` last. Sentences longer than the largest bucket are
    dropped. ``buckets=None`` uses every length that at least ``batch_size``
    sentences have. ``layout`` 'NT' gives (batch, time) arrays, 'TN' (time, batch).
    """

    def __init__(self, sentences: Sequence[Sequence[Any]], batch_size: int,
                 buckets: list[int] | None = None, invalid_label: int = -1,
                 data_name: str = "data", label_name: str = "softmax_label",
                 dtype: Any = "float32", layout: str = "NT"):
        super().__init__(batch_size)
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise MXNetError(f"BucketSentenceIter: batch_size must be a positive int, got "
                             f"{batch_size!r}")
        if not isinstance(layout, str) or layout.find("N") not in (0, 1):
            raise ValueError(f"Invalid layout {layout!r}: Must by NT (batch major) or TN "
                             "(time major)")
        if not buckets:
            counts = np.bincount([len(s) for s in sentences])
            buckets = [length for length, n in enumerate(counts) if n >= batch_size]
        if not buckets:
            raise MXNetError("BucketSentenceIter: no bucket: no sentence length occurs at "
                             f"least batch_size={batch_size} times; pass buckets=[...]")
        buckets.sort()  # sorts the caller's list in place, as MXNet does

        ndiscard = 0
        per_bucket: list[list[np.ndarray]] = [[] for _ in buckets]
        used = [False] * len(buckets)
        for sent in sentences:
            b = bisect.bisect_left(buckets, len(sent))
            if b == len(buckets):
                ndiscard += 1
                continue
            used[b] = True
            row = np.full((buckets[b],), invalid_label, dtype=dtype)
            row[:len(sent)] = sent
            per_bucket[b].append(row)
        self.buckets = [n for n, u in zip(buckets, used, strict=False) if u]
        self.data = [np.asarray(rows, dtype=dtype) for rows in per_bucket if rows]
        print(f"WARNING: discarded {ndiscard} sentences longer than the largest bucket.")
        if not self.buckets:
            raise MXNetError("BucketSentenceIter: every sentence is longer than the largest "
                             f"bucket {max(buckets)}")

        self.batch_size = batch_size
        self.data_name = data_name
        self.label_name = label_name
        self.dtype = dtype
        self.invalid_label = invalid_label
        self.nddata: list = []
        self.ndlabel: list = []
        self.layout = layout
        self.major_axis = layout.find("N")
        self.default_bucket_key = max(self.buckets)
        self.provide_data = [DataDesc(name=data_name, shape=self._shape(self.default_bucket_key),
                                      layout=layout)]
        self.provide_label = [DataDesc(name=label_name,
                                       shape=self._shape(self.default_bucket_key),
                                       layout=layout)]
        self.idx = [(i, j) for i, rows in enumerate(self.data)
                    for j in range(0, len(rows) - batch_size + 1, batch_size)]
        self.curr_idx = 0
        self.reset()

    def _shape(self, length: int) -> tuple[int, int]:
        return (self.batch_size, length) if self.major_axis == 0 else (length, self.batch_size)

    def reset(self) -> None:
        """Rewind; reshuffle the batch order (``random.shuffle``) and the sentences of
        every bucket (``np.random.shuffle``), then rebuild the label arrays."""
        self.curr_idx = 0
        random.shuffle(self.idx)
        for rows in self.data:
            np.random.shuffle(rows)
        self.nddata = []
        self.ndlabel = []
        for rows in self.data:
            label = np.empty_like(rows)
            label[:, :-1] = rows[:, 1:]
            label[:, -1] = self.invalid_label
            self.nddata.append(ndarray.array(rows, dtype=self.dtype))
            self.ndlabel.append(ndarray.array(label, dtype=self.dtype))

    def next(self) -> DataBatch:
        """The next batch (``StopIteration`` at the end of the epoch)."""
        if self.curr_idx == len(self.idx):
            raise StopIteration
        i, j = self.idx[self.curr_idx]
        self.curr_idx += 1
        data = self.nddata[i][j:j + self.batch_size]
        label = self.ndlabel[i][j:j + self.batch_size]
        if self.major_axis == 1:
            data, label = data.T, label.T
        return DataBatch([data], [label], pad=0, bucket_key=self.buckets[i],
                         provide_data=[DataDesc(name=self.data_name, shape=data.shape,
                                                layout=self.layout)],
                         provide_label=[DataDesc(name=self.label_name, shape=label.shape,
                                                 layout=self.layout)])
