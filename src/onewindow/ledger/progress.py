"""A one-line progress counter for terminals: rows read of the sheet's rows. Silent when the stream is
not a terminal (a pipe, a file, a test)."""

import sys
import time

from django.utils.translation import gettext as _


class TerminalProgress:
    def __init__(self, stream=None, *, label: str = "") -> None:
        self.stream = stream or sys.stderr
        self.shown = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.label = label
        self.began = time.perf_counter()
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if not self.shown:
            return
        now = time.perf_counter()
        if now - self.last < 0.2 and (total is None or done < total):
            return
        self.last = now
        elapsed = now - self.began
        if total:
            line = _("%(label)srows read: %(done)s of %(total)s (%(percent)d%%, %(seconds).1f s)") % {
                "label": self.label,
                "done": f"{done:,}",
                "total": f"{total:,}",
                "percent": min(100, done * 100 // max(total, 1)),
                "seconds": elapsed,
            }
        else:
            line = _("%(label)srows read: %(done)s (%(seconds).1f s)") % {
                "label": self.label,
                "done": f"{done:,}",
                "seconds": elapsed,
            }
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
