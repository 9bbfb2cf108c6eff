"""Reading and typing a ledger's rows in a second process while this one decides and writes.

An import does two kinds of work one after the other: reading the sheet and typing each row's cells
(openpyxl's parsing, the normalisers: pure Python, no database), and deciding and writing (the register's
lookups, the checks, the bulk writer). On a machine with a second CPU, ``forked`` runs the first in a
child process forked for the purpose and hands its results back through a pipe, so the two overlap.

The child is a fork of the importing process: it starts with everything the importer has set up (the
regions, the column layout, the open workbook, the active language), so nothing has to be sent to it.
It never touches the database: it only iterates what it is given, and leaves with ``os._exit`` so that
nothing inherited (the database connection among it) is closed or flushed from the child. Objects that
both processes hold from before the fork (the regions) are sent by reference rather than copied, so a
row comes back pointing at the parent's own ``Region``.

A fork copies only the thread that calls it: a lock another thread held at that moment stays held in the
child for ever. So ``can_fork`` says no while any other thread runs (a threaded web server, a test's live
server), and the import then reads in its own process as before.
"""

import contextlib
import io
import os
import pickle
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import Pipe
from typing import Any, TypeVar

T = TypeVar("T")

# Items per message through the pipe: enough to make pickling's per-call cost vanish, small enough that
# the parent starts working early and memory stays constant.
BATCH_ITEMS = 500

# Messages waiting for this process: 40 × 500 rows, a little more than the rows it handles at once.
QUEUED_MESSAGES = 40

_ITEMS, _RAISE = 0, 1


def has_fork() -> bool:
    return hasattr(os, "fork")


def can_fork() -> bool:
    """Whether a second process would help and forking is safe: a second CPU, and no other thread."""
    return has_fork() and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


# Objects sent by reference, by their ``id``: an object that existed before the fork has the same
# address in both processes.
_SHARED: dict[int, Any] = {}


def _shared(key: int) -> Any:
    return _SHARED[key]


def _reducer(obj) -> tuple:
    key = id(obj)
    if key in _SHARED:
        return _shared, (key,)
    return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _pickled(message, shared_types: set[type]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # A dispatch table rather than ``persistent_id``: the pickler consults it only for these types, where
    # ``persistent_id`` would be a Python call for every object of every row.
    pickler.dispatch_table = {kind: _reducer for kind in shared_types}
    pickler.dump(message)
    return buffer.getvalue()


def forked(
    produce: Callable[[Callable[[int], None]], Iterable[T]],
    *,
    progress: Callable[[int], None] | None = None,
    shared: Iterable[Any] = (),
) -> Iterator[T]:
    """The items of ``produce(note_progress)``, computed in a forked child process.

    ``produce`` runs in the child; the ``note_progress`` it is given takes a number (the last row read)
    that reaches ``progress`` here, in order with the items. An exception raised in the child is raised
    here, after the items produced before it. ``shared`` objects come back as the parent's own objects.
    """
    by_id = {id(obj): obj for obj in shared}
    shared_types = {type(obj) for obj in by_id.values()}
    _SHARED.update(by_id)
    receiving, sending = Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        receiving.close()
        _child(produce, sending, shared_types)
    sending.close()
    inbox = _Inbox(receiving)
    try:
        yield from _receive(inbox, progress)
    finally:
        # A child that sent its last message is leaving by itself; one still reading is told to stop.
        _reap(pid, stop=not inbox.heard_last)
        inbox.close()
        for key in by_id:
            _SHARED.pop(key, None)


def _child(produce, sending, shared_types) -> None:
    status = 0
    try:
        # The parent's handlers are not the child's (a web server's worker turns SIGTERM into a graceful
        # stop); an interrupt from the terminal reaches the parent, which stops the child.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        last_row = [0]

        def note_progress(number: int) -> None:
            last_row[0] = number

        batch: list = []
        try:
            for item in produce(note_progress):
                batch.append(item)
                if len(batch) >= BATCH_ITEMS:
                    _send(sending, shared_types, (_ITEMS, batch, last_row[0], False))
                    batch = []
        except BaseException:
            # What was produced before the failure comes first, as it would in one process.
            _send(sending, shared_types, (_ITEMS, batch, last_row[0], False))
            raise
        _send(sending, shared_types, (_ITEMS, batch, last_row[0], True))
    except (BrokenPipeError, KeyboardInterrupt):
        status = 1  # the parent has stopped listening
    except BaseException as error:  # every failure goes to the parent, which raises it
        try:
            _send(sending, shared_types, (_RAISE, _transportable(error)))
        except BaseException:
            status = 1
    finally:
        try:
            sending.close()
        finally:
            os._exit(status)


def _transportable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes, made here)
        return error
    except Exception:  # whatever does not pickle travels as its traceback
        return RuntimeError("".join(traceback.format_exception(error)))


def _send(sending, shared_types, message) -> None:
    sending.send_bytes(_pickled(message, shared_types))


def _receive(inbox: "_Inbox", progress) -> Iterator:
    reported = 0
    while True:
        data = inbox.get()
        if data is None:
            raise RuntimeError("The process reading the ledger stopped without a word.")
        message = pickle.loads(data)  # noqa: S301 (the bytes come from our own child, through a private pipe)
        if message[0] == _RAISE:
            inbox.heard_last = True
            raise message[1]
        _kind, items, last_row, final = message
        inbox.heard_last = final
        yield from items
        if progress is not None and last_row != reported:
            progress(last_row)
            reported = last_row
        if final:
            return


class _Inbox:
    """The child's messages as they arrive, taken off the pipe by a thread of their own: a pipe holds
    only 64 KB, so without it the child would wait whenever this process is busy writing, and the two
    would take turns instead of overlapping. The queue is bounded, so memory stays constant."""

    def __init__(self, receiving) -> None:
        self.receiving = receiving
        self.messages: queue.Queue = queue.Queue(maxsize=QUEUED_MESSAGES)
        self.stopping = threading.Event()
        self.heard_last = False
        self.thread = threading.Thread(target=self._take, name="ledger-pipe", daemon=True)
        self.thread.start()

    def _take(self) -> None:
        while True:
            try:
                data = self.receiving.recv_bytes()
            except (EOFError, OSError):
                data = None
            while not self.stopping.is_set():
                try:
                    self.messages.put(data, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if data is None or self.stopping.is_set():
                return

    def get(self) -> bytes | None:
        return self.messages.get()

    def close(self) -> None:
        """Once the child has gone: stop the thread (the pipe's end has reached it) and let go."""
        self.stopping.set()
        self.thread.join()
        self.receiving.close()


def _reap(pid: int, *, stop: bool) -> None:
    if stop:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
