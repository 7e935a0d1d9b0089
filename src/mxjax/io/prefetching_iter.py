"""``PrefetchingIter``: read batches in background threads (MXNet 1.9.1's ``PrefetchingIter``).

Reproduces ``mxnet.io.PrefetchingIter``: one thread per wrapped iterator
fetches that iterator's next batch while the current one is used. Several
iterators are read in lockstep and their batches joined: data lists and
label lists concatenated in iterator order, ``pad`` and ``index`` taken from
the first (all pads must agree, and all iterators must end together).
``rename_data``/``rename_label`` (one ``{old: new}`` dict per iterator) rename
the ``provide_data``/``provide_label`` entries; renamed descriptions keep
name, shape and dtype (their layout becomes the default, as in MXNet).
``batch_size`` is the first data description's first dimension.

Unlike MXNet, an exception raised by a wrapped iterator in its thread is
re-raised by ``next()`` instead of leaving the caller waiting forever, and the
threads stop when the iterator is garbage-collected.
"""

from __future__ import annotations

import threading
import weakref

from .io import BatchWrapperIter, DataBatch, DataDesc, DataIter

__all__ = ["PrefetchingIter"]


class _Worker:
    """A thread that fetches ``it.next()`` each time the previous batch was taken."""

    def __init__(self, it: DataIter):
        self.it = it
        self.ready = threading.Event()
        self.taken = threading.Event()
        self.taken.set()
        self.running = True
        self.batch: DataBatch | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            self.taken.wait()
            if not self.running:
                break
            try:
                self.batch, self.error = self.it.next(), None
            except StopIteration:
                self.batch, self.error = None, None
            except BaseException as err:  # handed to the consumer thread
                self.batch, self.error = None, err
            self.taken.clear()
            self.ready.set()

    def stop(self) -> None:
        self.running = False
        self.taken.set()
        if self.thread is not threading.current_thread():
            self.thread.join(timeout=10)


def _stop_all(workers: list[_Worker]) -> None:
    for w in workers:
        w.stop()


def _renamed(descs: list, mapping: dict) -> list[DataDesc]:
    return [DataDesc(mapping[x.name], x.shape, x.dtype) if isinstance(x, DataDesc)
            else DataDesc(*x) for x in descs]


class PrefetchingIter(BatchWrapperIter):
    """Prefetch batches of one or several iterators in background threads."""

    def __init__(self, iters: DataIter | list[DataIter], rename_data: list[dict] | None = None,
                 rename_label: list[dict] | None = None):
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise ValueError("PrefetchingIter: iters must contain at least one iterator")
        self.n_iter = len(iters)
        self.iters = iters
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.current_batch: DataBatch | None = None
        self._workers = [_Worker(it) for it in iters]
        self._finalizer = weakref.finalize(self, _stop_all, self._workers)

    @property
    def provide_data(self) -> list:
        if self.rename_data is None:
            return sum([list(i.provide_data) for i in self.iters], [])
        return sum([_renamed(i.provide_data, r)
                    for r, i in zip(self.rename_data, self.iters, strict=False)], [])

    @property
    def provide_label(self) -> list:
        if self.rename_label is None:
            return sum([list(i.provide_label) for i in self.iters], [])
        return sum([_renamed(i.provide_label, r)
                    for r, i in zip(self.rename_label, self.iters, strict=False)], [])

    def close(self) -> None:
        """Stop the prefetch threads (also done when the iterator is garbage-collected)."""
        self._finalizer()

    def reset(self) -> None:
        for w in self._workers:
            w.ready.wait()
        for it in self.iters:
            it.reset()
        for w in self._workers:
            w.ready.clear()
        for w in self._workers:
            w.taken.set()

    def iter_next(self) -> bool:
        for w in self._workers:
            w.ready.wait()
        for w in self._workers:
            if w.error is not None:
                err, w.error = w.error, None
                w.ready.clear()
                w.taken.set()
                raise err
        batches = [w.batch for w in self._workers]
        if batches[0] is None:
            if any(b is not None for b in batches):
                raise AssertionError("Number of entry mismatches between iterators")
            return False
        for b in batches:
            if b is None or b.pad != batches[0].pad:
                raise AssertionError("Number of entry mismatches between iterators")
        self.current_batch = DataBatch(
            sum([list(b.data or []) for b in batches], []),
            sum([list(b.label or []) for b in batches], []),
            batches[0].pad, batches[0].index,
            provide_data=self.provide_data, provide_label=self.provide_label)
        for w in self._workers:
            w.ready.clear()
        for w in self._workers:
            w.taken.set()
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self.current_batch
        raise StopIteration
