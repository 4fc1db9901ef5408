"""Runs rsrefseg as a separate process with `--progress jsonl` and turns its JSON lines into
Processing feedback (README, "Inside QGIS"; the format: core/engine/jsonprogress.h).

  result = CliRun(program, ["segment", raster, "-q", "roofs", ...], feedback).run()

- {"type":"progress"} -> feedback.setProgress (percent) and setProgressText
- {"type":"message"}  -> pushInfo / pushWarning
- {"type":"result"}   -> returned by run()
- {"type":"error"}    -> QgsProcessingException with the program's message
- cancel (feedback.isCanceled()) -> SIGTERM; rsrefseg stops after the current tile, writes
  nothing and exits with 130 -> QgsProcessingException("Cancelled: ... (exit status 130) ...")
"""

import json
import queue
import shlex
import signal
import subprocess
import threading

from qgis.core import QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

EXIT_CANCELLED = 130


def tr(text):
    return QCoreApplication.translate("RSRefSeg", text)


def _push_warning(feedback, text):
    push = getattr(feedback, "pushWarning", None)  # QGIS >= 3.16
    if push:
        push(text)
    else:
        feedback.reportError(text, False)


class CliRun:
    def __init__(self, program, args, feedback, poll_seconds=0.1):
        self.program = program
        self.args = list(args)
        self.feedback = feedback
        self.poll_seconds = poll_seconds
        self.result = None
        self.error = None
        self.cancelled = False
        self.plain = []  # stderr lines that are not JSON (usage errors, crashes)
        self.exit_status = None

    def command(self):
        return [self.program] + self.args + ["--progress", "jsonl"]

    def command_line(self):
        return " ".join(shlex.quote(a) for a in self.command())

    def run(self):
        self.feedback.pushCommandInfo(self.command_line())
        try:
            process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as e:
            raise QgsProcessingException(
                tr("Cannot run rsrefseg ('{0}'): {1}. Install RSRefSeg Desktop or set the program's path in "
                   "Settings > Options > Processing > Providers > RSRefSeg.").format(self.program, e.strerror or e)
            )
        lines = queue.Queue()

        def read():
            for raw in process.stderr:
                lines.put(raw)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        terminated = False
        while True:
            if self.feedback.isCanceled() and not terminated:
                process.send_signal(signal.SIGTERM)
                terminated = True
            try:
                raw = lines.get(timeout=self.poll_seconds)
            except queue.Empty:
                continue
            if raw is None:
                break
            self._handle(raw.decode("utf-8", "replace").rstrip("\r\n"))
        reader.join()
        self.exit_status = process.wait()
        return self._finish(terminated)

    def _handle(self, line):
        if not line.strip():
            return
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if not isinstance(event, dict) or "type" not in event:
            self.plain.append(line)
            self.feedback.pushInfo(line)
            return
        kind = event["type"]
        if kind == "progress":
            fraction = float(event.get("fraction") or 0.0)
            self.feedback.setProgress(100.0 * max(0.0, min(1.0, fraction)))
            total = event.get("total") or 0
            text = event.get("stage", "")
            if total:
                text = "{0} {1}/{2}".format(text, event.get("done", 0), total)
            if hasattr(self.feedback, "setProgressText"):
                self.feedback.setProgressText(text)
        elif kind == "message":
            if event.get("level") == "warning":
                _push_warning(self.feedback, event.get("text", ""))
            else:
                self.feedback.pushInfo(event.get("text", ""))
        elif kind == "result":
            self.result = event
        elif kind == "error":
            self.error = event.get("text", "")
        elif kind == "cancelled":
            self.cancelled = True

    def _finish(self, terminated):
        status = self.exit_status
        self.feedback.pushInfo(tr("rsrefseg exit status {0}").format(status))
        if status == 0 and self.result is not None:
            return self.result
        if status == EXIT_CANCELLED or self.cancelled or (terminated and status == -signal.SIGTERM):
            # A plain QgsProcessingException: QGIS shows a Python subclass as a traceback.
            raise QgsProcessingException(tr("Cancelled: rsrefseg stopped (exit status {0}); no output was written").format(status))
        if self.error:
            raise QgsProcessingException(self.error)
        detail = "\n".join(self.plain[-5:]) if self.plain else tr("no message")
        if status is not None and status < 0:
            raise QgsProcessingException(tr("rsrefseg was killed by signal {0}: {1}").format(-status, detail))
        raise QgsProcessingException(tr("rsrefseg failed (exit status {0}): {1}").format(status, detail))
