"""What the headless QGIS tests share (tests/qgis/CMakeLists.txt registers them, label "qgis").

- Skipping: without QGIS (/usr/bin/qgis_process.bin and PyQGIS) a test prints why and exits
  with 77, which CTest shows as skipped; with RSREFSEG_REQUIRE_QGIS=1 (CI) it fails instead.
- A QGIS profile of the test's own: HOME is a temporary folder, so the user's profile is never
  read or changed; QGIS3.ini there holds the provider's settings the test needs.
- qgis_process: Debian's /usr/bin/qgis_process wrapper passes --noversioncheck, which
  qgis_process rejects (QGIS 3.22); the tests run /usr/bin/qgis_process.bin with
  QT_QPA_PLATFORM=offscreen.
- Rasters are written with GDAL's Python bindings; outputs are read back with GDAL/OGR.
"""

import os
import shutil
import subprocess
import sys
import tempfile

QGIS_PROCESS = os.environ.get("RSREFSEG_QGIS_PROCESS", "/usr/bin/qgis_process.bin")
SKIP = 77


def require_qgis():
    """Exits (77: skipped, or 1 with RSREFSEG_REQUIRE_QGIS=1) when QGIS is not installed."""
    reason = None
    if not os.access(QGIS_PROCESS, os.X_OK):
        reason = "{0} is missing".format(QGIS_PROCESS)
    else:
        try:
            import qgis.core  # noqa: F401
            from osgeo import gdal  # noqa: F401
        except ImportError as e:
            reason = "PyQGIS or GDAL's Python bindings are missing ({0})".format(e)
    if reason is None:
        return
    message = "QGIS is not installed: {0}; run packaging/install-qgis.sh".format(reason)
    if os.environ.get("RSREFSEG_REQUIRE_QGIS") == "1":
        print("FAIL: " + message + " (RSREFSEG_REQUIRE_QGIS=1)", flush=True)
        sys.exit(1)
    print("SKIPPED: " + message, flush=True)
    sys.exit(SKIP)


def env_path(name):
    value = os.environ.get(name)
    if not value:
        print("{0} is not set: run this test through ctest".format(name), flush=True)
        sys.exit(2)
    return value


class Profile:
    """A temporary HOME with a QGIS profile; `settings` go to [Processing] Configuration\\NAME."""

    def __init__(self, settings=None):
        self.home = tempfile.mkdtemp(prefix="rsrefseg-qgis-")
        self.runtime = os.path.join(self.home, "runtime")
        os.makedirs(self.runtime, mode=0o700)
        profile = os.path.join(self.home, ".local", "share", "QGIS", "QGIS3", "profiles", "default", "QGIS")
        os.makedirs(profile)
        lines = ["[Processing]"] + ["Configuration\\{0}={1}".format(k, v) for k, v in (settings or {}).items()]
        with open(os.path.join(profile, "QGIS3.ini"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def env(self):
        env = dict(os.environ)
        env.update({"HOME": self.home, "XDG_RUNTIME_DIR": self.runtime, "QT_QPA_PLATFORM": "offscreen"})
        env.pop("XDG_DATA_HOME", None)
        env.pop("XDG_CONFIG_HOME", None)
        return env

    def qgis_process(self, *args, timeout=600):
        done = subprocess.run([QGIS_PROCESS] + list(args), env=self.env(), capture_output=True, timeout=timeout)
        return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


def make_raster(path, width, height, epsg, origin_x, origin_y, pixel, value):
    """A Byte GeoTIFF of three bands; value(band, xs, ys) gets numpy index grids."""
    import numpy
    from osgeo import gdal, osr

    ds = gdal.GetDriverByName("GTiff").Create(path, width, height, 3, gdal.GDT_Byte, ["TILED=YES"])
    ds.SetGeoTransform([origin_x, pixel, 0.0, origin_y, 0.0, -pixel])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds.SetProjection(srs.ExportToWkt())
    ys, xs = numpy.mgrid[0:height, 0:width]
    for band in (1, 2, 3):
        ds.GetRasterBand(band).WriteArray(value(band, xs, ys).astype(numpy.uint8))
    ds = None
    return path
