"""The QGIS Processing provider (app/qgis) in real, headless QGIS through qgis_process.bin:
the plugin is found and enabled, rsrefseg:segment with the built-in colour test model and an
extent in EPSG:4326 writes a mask on the raster's grid and CRS and polygons with the promised
attributes (read back with GDAL/OGR and compared with what the synthetic raster holds), and
bad input (an empty prompt, a raster that does not exist) ends in a Processing error that
carries rsrefseg's own message."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qgistestsupport as support  # noqa: E402

support.require_qgis()

import numpy  # noqa: E402
from osgeo import gdal, ogr, osr  # noqa: E402

gdal.UseExceptions()
CLI = support.env_path("RSREFSEG_CLI")

# The scene: UTM 31N, 10 m pixels, a red rectangle (band 1 = 230; elsewhere 40) over green and
# blue noise below 128, so that the colour test model's mask for "red" is exactly the rectangle.
EPSG, ORIGIN_X, ORIGIN_Y, PIXEL, WIDTH, HEIGHT = 32631, 500000.0, 5800000.0, 10.0, 512, 384
RECT_X0, RECT_X1, RECT_Y0, RECT_Y1 = 150, 350, 100, 250
# The region, in UTM; its top lies 500 m above the raster (clipped) and it holds the rectangle.
REGION_UTM = (500800.0, 5796500.0, 504200.0, 5800500.0)


def scene_value(band, xs, ys):
    inside = (xs >= RECT_X0) & (xs < RECT_X1) & (ys >= RECT_Y0) & (ys < RECT_Y1)
    if band == 1:
        return numpy.where(inside, 230, 40)
    return (xs * 7 + ys * 13 + band) % 100


def traditional(epsg):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def cli_error(args):
    """The text of rsrefseg's own "error" line for `args` (--progress jsonl)."""
    done = subprocess.run([CLI] + args + ["--progress", "jsonl"], capture_output=True, timeout=300)
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        event = json.loads(line)
        if event["type"] == "error":
            return event["text"]
    raise AssertionError("rsrefseg gave no error line: " + done.stderr.decode())


class TestQgisProcess(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rsrefseg-qgis-data-")
        cls.raster = support.make_raster(os.path.join(cls.dir, "scene.tif"), WIDTH, HEIGHT, EPSG, ORIGIN_X,
                                         ORIGIN_Y, PIXEL, scene_value)
        cls.profile = support.Profile({"RSREFSEG_TEST_MODELS": "true"})
        code, out, err = cls.profile.qgis_process("plugins", "enable", "rsrefseg")
        assert code == 0, out + err

    @classmethod
    def tearDownClass(cls):
        cls.profile.remove()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_segment(self, *params):
        return self.profile.qgis_process("--json", "run", "rsrefseg:segment", *params)

    def test_plugin_listed_and_enabled(self):
        code, out, err = self.profile.qgis_process("plugins")
        self.assertEqual(code, 0, err)
        self.assertIn("* rsrefseg", out.splitlines(), out)  # "*": loaded, implements a provider
        code, out, err = self.profile.qgis_process("list")
        self.assertEqual(code, 0, err)
        self.assertIn("RSRefSeg", out)
        self.assertIn("rsrefseg:segment", out)
        self.assertIn("rsrefseg:batch", out)
        code, out, err = self.profile.qgis_process("help", "rsrefseg:segment")
        self.assertEqual(code, 0, err)
        for parameter in ("INPUT", "PROMPT", "MODEL", "EXTENT", "MODE", "THRESHOLD", "MIN_AREA", "OUTPUT_MASK",
                          "OUTPUT_PROB", "OUTPUT_VECTOR"):
            self.assertIn(parameter + ":", out)
        # The models come from `rsrefseg model list`: the default, the bundled one, the test model.
        self.assertIn("- 0: default", out)
        self.assertIn("golden-tiny", out)
        self.assertIn("builtin:colour-test", out)

    def test_segment_writes_mask_on_raster_grid_and_polygons(self):
        to_wgs84 = osr.CoordinateTransformation(traditional(EPSG), traditional(4326))
        lon0, lat0, lon1, lat1 = to_wgs84.TransformBounds(*REGION_UTM, 21)
        out = tempfile.mkdtemp(dir=self.dir)
        mask_path, vector_path = os.path.join(out, "mask.tif"), os.path.join(out, "roofs.gpkg")
        code, stdout, err = self.run_segment(
            "--INPUT=" + self.raster, "--PROMPT=the red roofs", "--MODEL=builtin:colour-test",
            "--EXTENT={0!r},{1!r},{2!r},{3!r} [EPSG:4326]".format(lon0, lon1, lat0, lat1), "--MODE=tiled",
            "--TILE=256", "--OVERLAP=0", "--GATE=0", "--THRESHOLD=0.5", "--MIN_AREA=0",
            "--OUTPUT_MASK=" + mask_path, "--OUTPUT_VECTOR=" + vector_path)
        self.assertEqual(code, 0, stdout + err)
        results = json.loads(stdout)["results"]
        self.assertEqual(results["OUTPUT_MASK"], mask_path)
        self.assertEqual(results["OUTPUT_VECTOR"], vector_path)
        self.assertEqual(results["POLYGON_COUNT"], 1)
        self.assertIn("lies partly outside the raster", stdout + err)  # the clipped region, as a warning

        # The window the region covers, computed here: the EPSG:4326 box back in UTM, every
        # pixel it touches, clipped to the raster.
        box = osr.CoordinateTransformation(traditional(4326), traditional(EPSG)).TransformBounds(
            lon0, lat0, lon1, lat1, 21)
        c0 = max(0, int(numpy.floor((box[0] - ORIGIN_X) / PIXEL + 1e-6)))
        c1 = min(WIDTH, int(numpy.ceil((box[2] - ORIGIN_X) / PIXEL - 1e-6)))
        r0 = max(0, int(numpy.floor((ORIGIN_Y - box[3]) / PIXEL + 1e-6)))
        r1 = min(HEIGHT, int(numpy.ceil((ORIGIN_Y - box[1]) / PIXEL - 1e-6)))
        self.assertEqual(r0, 0)  # the region was clipped at the top

        mask = gdal.Open(mask_path)
        self.assertTrue(osr.SpatialReference(mask.GetProjection()).IsSame(traditional(EPSG)))
        gt = mask.GetGeoTransform()
        self.assertEqual((gt[1], gt[2], gt[4], gt[5]), (PIXEL, 0.0, 0.0, -PIXEL))
        col, row = (gt[0] - ORIGIN_X) / PIXEL, (ORIGIN_Y - gt[3]) / PIXEL
        self.assertEqual((col, row), (round(col), round(row)))  # on the raster's grid
        self.assertEqual((int(col), int(row), mask.RasterXSize, mask.RasterYSize), (c0, r0, c1 - c0, r1 - r0))
        ys, xs = numpy.mgrid[r0:r1, c0:c1]
        expected = ((xs >= RECT_X0) & (xs < RECT_X1) & (ys >= RECT_Y0) & (ys < RECT_Y1)).astype(numpy.uint8)
        numpy.testing.assert_array_equal(mask.GetRasterBand(1).ReadAsArray(), expected)
        self.assertEqual(mask.GetRasterBand(1).GetNoDataValue(), 255)

        vector = ogr.Open(vector_path)
        layer = vector.GetLayer(0)
        self.assertTrue(layer.GetSpatialRef().IsSame(traditional(EPSG)))
        fields = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
        for name in ("query", "score", "relevance", "iou_pred", "area_m2", "source", "model", "created"):
            self.assertIn(name, fields)
        self.assertEqual(layer.GetFeatureCount(), 1)
        feature = layer.GetNextFeature()
        rectangle_m2 = (RECT_X1 - RECT_X0) * (RECT_Y1 - RECT_Y0) * PIXEL * PIXEL
        self.assertEqual(feature.GetField("query"), "the red roofs")
        self.assertAlmostEqual(feature.GetField("area_m2"), rectangle_m2, delta=1e-6 * rectangle_m2)
        self.assertAlmostEqual(feature.GetGeometryRef().GetArea(), rectangle_m2, delta=1e-6 * rectangle_m2)
        minx, maxx, miny, maxy = feature.GetGeometryRef().GetEnvelope()
        self.assertEqual((minx, maxy), (ORIGIN_X + RECT_X0 * PIXEL, ORIGIN_Y - RECT_Y0 * PIXEL))
        self.assertEqual(feature.GetField("source"), self.raster)
        self.assertGreater(feature.GetField("score"), 0.5)

    def test_batch_runs_every_raster_and_resumes(self):
        folder = tempfile.mkdtemp(dir=self.dir)
        for name in ("a.tif", "b.tif"):
            support.make_raster(os.path.join(folder, name), 256, 256, EPSG, ORIGIN_X, ORIGIN_Y, PIXEL, scene_value)
        out = os.path.join(self.dir, "batch-out")
        params = ["--INPUT_FOLDER=" + folder, "--QUERIES=the red roofs\nthe blue roofs", "--MODEL=builtin:colour-test",
                  "--FORMATS=tif+gpkg", "--RESUME=true", "--OUTPUT_FOLDER=" + out]
        code, stdout, err = self.profile.qgis_process("--json", "run", "rsrefseg:batch", *params)
        self.assertEqual(code, 0, stdout + err)
        results = json.loads(stdout)["results"]
        self.assertEqual((results["DONE"], results["SKIPPED"]), (4, 0))
        self.assertTrue(os.path.isfile(results["MANIFEST"]))
        with open(results["MANIFEST"], encoding="utf-8") as f:
            items = [json.loads(line) for line in f if line.strip()]
        self.assertEqual(sorted((i["input"], i["query"], i["status"]) for i in items),
                         [(r, q, "done") for r in ("a.tif", "b.tif") for q in ("the blue roofs", "the red roofs")])
        for item in items:
            self.assertTrue(os.path.isfile(item["outputs"]["mask"]), item)
            self.assertTrue(os.path.isfile(item["outputs"]["vector"]), item)
            # The red rectangle's part inside the 256 x 256 px rasters; nothing is blue.
            expected = (256 - RECT_X0) * (RECT_Y1 - RECT_Y0) if item["query"] == "the red roofs" else 0
            self.assertEqual(item["object_pixels"], expected, item)
        # Again with RESUME: every item is in the manifest, nothing is redone.
        code, stdout, err = self.profile.qgis_process("--json", "run", "rsrefseg:batch", *params)
        self.assertEqual(code, 0, stdout + err)
        results = json.loads(stdout)["results"]
        self.assertEqual((results["DONE"], results["SKIPPED"]), (0, 4))

    def test_empty_prompt_is_a_processing_error_with_the_cli_message(self):
        out = tempfile.mkdtemp(dir=self.dir)
        expected = cli_error(["segment", self.raster, "-q", "  ", "--model", "builtin:colour-test", "--out-mask",
                              os.path.join(out, "m.tif")])
        self.assertIn("query 1 is empty", expected)
        for prompt in ("", "  "):
            code, stdout, err = self.run_segment(
                "--INPUT=" + self.raster, "--PROMPT=" + prompt, "--MODEL=builtin:colour-test",
                "--OUTPUT_MASK=" + os.path.join(out, "m.tif"), "--OUTPUT_VECTOR=" + os.path.join(out, "v.gpkg"))
            self.assertNotEqual(code, 0, stdout)
            self.assertIn(expected, stdout + err)
            self.assertEqual(os.listdir(out), [])

    def test_missing_raster_is_a_processing_error_with_the_cli_message(self):
        out = tempfile.mkdtemp(dir=self.dir)
        missing = os.path.join(self.dir, "no-such-raster.tif")
        expected = cli_error(["segment", missing, "-q", "roofs", "--model", "builtin:colour-test", "--out-mask",
                              os.path.join(out, "m.tif")])
        self.assertIn(missing, expected)
        code, stdout, err = self.run_segment(
            "--INPUT=" + missing, "--PROMPT=roofs", "--MODEL=builtin:colour-test",
            "--OUTPUT_MASK=" + os.path.join(out, "m.tif"), "--OUTPUT_VECTOR=" + os.path.join(out, "v.gpkg"))
        self.assertNotEqual(code, 0, stdout)
        self.assertIn(expected, stdout + err)
        self.assertEqual(os.listdir(out), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
