"""The standard output and error streams of a report kernel (loaded in the kernel, by `_kernel.KERNEL_CONFIG`).

ipykernel flushes `sys.stdout` and `sys.stderr` around every request and before every display (~90 flushes per
report), and each flush is a round trip to its IOPub thread: two wake-ups there and a wait here, even when nothing
was written — which is almost always in a report. This stream skips a flush that has nothing to send. Order on
IOPub is unchanged: a flush that finds the buffers empty is one that ran after the IO thread took them, and the IO
thread takes them and queues their message under the same lock (`_flush`), so every earlier output is queued
before anything this thread publishes next.
"""

from __future__ import annotations

from ipykernel.iostream import OutStream as _IpykernelOutStream

__all__ = ["OutStream"]


class OutStream(_IpykernelOutStream):
    """ipykernel's stream, with a flush of empty buffers skipped."""

    def _flush(self) -> None:
        # taking the buffers and queueing their message is one step for `flush` below
        with self._buffer_lock:
            super()._flush()  # type: ignore[no-untyped-call]

    def flush(self) -> None:
        with self._buffer_lock:
            if not any(buffer.tell() for buffer in self._buffers.values()):
                return
        super().flush()  # type: ignore[no-untyped-call]
