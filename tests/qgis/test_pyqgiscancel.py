"""A PyQGIS script (QGIS's Python in this process, no qgis_process) runs rsrefseg:segment and
cancels it when the progress passes 30 %: rsrefseg receives SIGTERM, stops after its current
tile and exits with 130, the algorithm ends in a Processing error saying so, promptly, and no
output (nor any hidden work file) is left in the output folder.

The progress signal is connected with a direct connection: processing.run blocks this thread,
so a queued slot would only run after the algorithm has finished."""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qgistestsupport as support  # noqa: E402

support.require_qgis()

PLUGINS = support.env_path("QGIS_PLUGINPATH")
profile = support.Profile()
os.environ.update(profile.env())

from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback  # noqa: E402
from qgis.PyQt.QtCore import Qt  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own Python plugins (processing)
sys.path.insert(0, PLUGINS)
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from rsrefseg.provider import RSRefSegProvider  # noqa: E402

provider = RSRefSegProvider()
QgsApplication.processingRegistry().addProvider(provider)


def scene(band, xs, ys):
    return ((xs // 40 + ys // 40 + band) % 2) * 200 + 20


def main():
    work = tempfile.mkdtemp(prefix="rsrefseg-cancel-")
    # 2048 x 2048 pixels in 64 px tiles: 1024 tiles for the bundled (tiny, untrained) model.
    raster = support.make_raster(os.path.join(work, "scene.tif"), 2048, 2048, 32631, 500000.0, 5800000.0, 1.0,
                                 scene)
    out = os.path.join(work, "out")
    os.makedirs(out)
    feedback = QgsProcessingFeedback()
    seen = []

    def on_progress(percent):
        seen.append(percent)
        if percent >= 30.0 and not feedback.isCanceled():
            seen.append("cancel")
            feedback.cancel()

    feedback.progressChanged.connect(on_progress, Qt.DirectConnection)
    started = time.monotonic()
    error = None
    try:
        processing.run("rsrefseg:segment", {
            "INPUT": raster, "PROMPT": "the bright squares", "MODEL": "default", "MODE": "tiled", "TILE": 64,
            "OVERLAP": 0, "OUTPUT_MASK": os.path.join(out, "mask.tif"), "OUTPUT_PROB": os.path.join(out, "prob.tif"),
            "OUTPUT_VECTOR": os.path.join(out, "squares.gpkg")}, feedback=feedback)
    except QgsProcessingException as e:
        error = str(e)
    seconds = time.monotonic() - started
    print("progress reports: {0}, cancelled at {1}, error: {2!r}, {3:.1f} s".format(
        len(seen), [p for p in seen if p != "cancel"][-1:] if seen else None, error, seconds), flush=True)
    failures = []
    if "cancel" not in seen:
        failures.append("the progress never reached 30 %: {0}".format(seen[-5:]))
    if error is None:
        failures.append("the cancelled run did not end in a Processing error")
    elif "exit status 130" not in error:
        failures.append("rsrefseg did not exit with 130: " + error)
    leftovers = os.listdir(out)
    if leftovers:
        failures.append("outputs left after cancelling: {0}".format(leftovers))
    for f in failures:
        print("FAIL: " + f, flush=True)
    return 1 if failures else 0


status = main()
QgsApplication.processingRegistry().removeProvider(provider)
app.exitQgis()
profile.remove()
sys.exit(status)
