"""``ResizeIter``: a fixed number of batches per epoch from another iterator (MXNet 1.9.1).

Reproduces ``mxnet.io.ResizeIter``: each epoch yields exactly ``size``
batches; when the inner iterator runs out it is reset and iteration goes on,
and ``reset()`` resets the inner iterator only if ``reset_internal`` (so with
``reset_internal=False`` consecutive epochs continue where the last stopped).
"""

from __future__ import annotations

from .io import BatchWrapperIter, DataBatch, DataIter

__all__ = ["ResizeIter"]


class ResizeIter(BatchWrapperIter):
    """Resize ``data_iter`` to ``size`` batches per epoch (``mx.io.ResizeIter``)."""

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True):
        super().__init__()
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch: DataBatch | None = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True
