"""A PyQGIS script (QGIS's Python in this process, no qgis_process) runs rsrefseg:segment and
cancels it when the progress passes 30 %: rsrefseg receives SIGTERM, stops after its current
tile and exits with 130, the algorithm ends in a Processing error saying so, promptly, and no
output (nor any hidden work file) is left in the output folder.

Then a raster layer that is not a file (QGIS's virtual raster provider, as WMS or XYZ layers
are not files) is written to a temporary GeoTIFF first: the colour test model finds the bright
rectangle of its formula on the layer's grid.

The progress signal is connected with a direct connection: processing.run blocks this thread,
so a queued slot would only run after the algorithm has finished."""

import os
import shutil
import sys
import tempfile
import time

import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qgistestsupport as support  # noqa: E402

support.require_qgis()

PLUGINS = support.env_path("QGIS_PLUGINPATH")
profile = support.Profile()
os.environ.update(profile.env())

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsRasterLayer,
)
from qgis.PyQt.QtCore import Qt  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own Python plugins (processing)
sys.path.insert(0, PLUGINS)
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from rsrefseg import settings  # noqa: E402
from rsrefseg.provider import RSRefSegProvider  # noqa: E402

provider = RSRefSegProvider()
QgsApplication.processingRegistry().addProvider(provider)


def scene(band, xs, ys):
    return ((xs // 40 + ys // 40 + band) % 2) * 200 + 20


def main():
    work = tempfile.mkdtemp(prefix="rsrefseg-cancel-")
    # 1024 x 1024 pixels in 64 px tiles: 256 tiles for the bundled (tiny, untrained) model, each
    # a forward pass, so that most of them are still to come when the cancel arrives.
    raster = support.make_raster(os.path.join(work, "scene.tif"), 1024, 1024, 32631, 500000.0, 5800000.0, 1.0,
                                 scene)
    out = os.path.join(work, "out")
    os.makedirs(out)
    feedback = QgsProcessingFeedback()
    seen = []
    cancelled_at = []

    def on_progress(percent):
        seen.append(percent)
        if percent >= 30.0 and not feedback.isCanceled():
            seen.append("cancel")
            cancelled_at.append(time.monotonic())
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
    ended = time.monotonic()
    print("progress reports: {0}, cancelled at {1} %, error: {2!r}, {3:.1f} s in all, {4} s from cancel to the "
          "end".format(len(seen), [p for p in seen if p != "cancel"][-1:], error, ended - started,
                       "{0:.2f}".format(ended - cancelled_at[0]) if cancelled_at else "?"), flush=True)
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
    shutil.rmtree(work, ignore_errors=True)
    return failures


def check_virtual_raster():
    """A 200 x 100 px virtual raster (10 m pixels, UTM 31N): 230 inside pixels x 60..119,
    y 20..69, 40 elsewhere."""
    from osgeo import gdal

    settings.set_value(settings.TEST_MODELS, True)
    provider.refreshAlgorithms()
    x0, y1 = 500000.0, 5800000.0
    work = tempfile.mkdtemp(prefix="rsrefseg-virtual-")
    # The virtual raster's formula reads a GeoTIFF (the raster calculator has no x, y): the layer
    # itself is no file, so the plugin must export it.
    base = support.make_raster(os.path.join(work, "base.tif"), 200, 100, 32631, x0, y1, 10.0,
                               lambda b, xs, ys: ((xs >= 60) & (xs < 120) & (ys >= 20) & (ys < 70)) * 190 + 40)
    uri = ("?crs=EPSG:32631&extent={0},{1},{2},{3}&width=200&height=100&formula=%22base@1%22&base:uri={4}"
           "&base:provider=gdal").format(x0, y1 - 1000, x0 + 2000, y1, base)
    layer = QgsRasterLayer(uri, "virtual", "virtualraster")
    if not layer.isValid():
        return ["the virtual raster layer is not valid: " + uri]
    mask_path = os.path.join(work, "mask.tif")
    try:
        processing.run("rsrefseg:segment", {
            "INPUT": layer, "PROMPT": "the red rectangle", "MODEL": "builtin:colour-test", "TILE": 256, "OVERLAP": 0,
            "GATE": 0, "OUTPUT_MASK": mask_path, "OUTPUT_VECTOR": os.path.join(work, "v.gpkg")})
    except QgsProcessingException as e:
        return ["the virtual raster run failed: " + str(e)]
    mask = gdal.Open(mask_path) if os.path.exists(mask_path) else None
    if mask is None:
        return ["the virtual raster run wrote no mask"]
    failures = []
    if (mask.RasterXSize, mask.RasterYSize) != (200, 100) or mask.GetGeoTransform() != (x0, 10.0, 0.0, y1, 0.0, -10.0):
        failures.append("the exported raster is not on the layer's grid: {0} x {1} {2}".format(
            mask.RasterXSize, mask.RasterYSize, mask.GetGeoTransform()))
    else:
        values = mask.GetRasterBand(1).ReadAsArray()
        expected = numpy.zeros((100, 200), numpy.uint8)
        expected[20:70, 60:120] = 1
        if not (values == expected).all():
            failures.append("the mask of the virtual raster differs from its rectangle in {0} pixels".format(
                int((values != expected).sum())))
    print("virtual raster: {0}".format("ok" if not failures else failures), flush=True)
    mask = None
    shutil.rmtree(work, ignore_errors=True)
    return failures


failures = main() + check_virtual_raster()
for f in failures:
    print("FAIL: " + f, flush=True)
status = 1 if failures else 0
QgsApplication.processingRegistry().removeProvider(provider)
profile.remove()
# Without QgsApplication.exitQgis(): QGIS 3.22 can crash tearing down Processing in a
# standalone script, which would hide this script's own verdict.
sys.stdout.flush()
os._exit(status)
