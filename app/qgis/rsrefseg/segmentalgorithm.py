"""rsrefseg:segment: a raster and a text prompt -> mask GeoTIFF, probability GeoTIFF, polygons,
by running `rsrefseg segment` (README, "Inside QGIS")."""

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from . import rasterinput, settings
from .models import ModelChoices, ModelChoicesMixin
from .runner import CliRun
from .settings import tr


def queries_of(prompt):
    """One query per non-empty line. A prompt without any is passed on as it is, so that
    rsrefseg's own message ("query 1 is empty") reaches the user."""
    lines = [line.strip() for line in (prompt or "").splitlines() if line.strip()]
    return lines or [prompt or ""]


class SegmentAlgorithm(ModelChoicesMixin, QgsProcessingAlgorithm):
    INPUT = "INPUT"
    PROMPT = "PROMPT"
    MODEL = "MODEL"
    EXTENT = "EXTENT"
    MODE = "MODE"
    THRESHOLD = "THRESHOLD"
    MIN_AREA = "MIN_AREA"
    TILE = "TILE"
    OVERLAP = "OVERLAP"
    GATE = "GATE"
    OUTPUT_MASK = "OUTPUT_MASK"
    OUTPUT_PROB = "OUTPUT_PROB"
    OUTPUT_VECTOR = "OUTPUT_VECTOR"
    POLYGON_COUNT = "POLYGON_COUNT"

    MODES = ["tiled", "view"]

    def createInstance(self):
        return SegmentAlgorithm(self._models)

    def name(self):
        return "segment"

    def displayName(self):
        return tr("Segment by text")

    def tags(self):
        return tr("segmentation,text,prompt,referring,SAM,SigLIP,mask,polygons").split(",")

    def shortHelpString(self):
        return tr(
            "Segments what a sentence describes (\"the white storage tanks left of the road\") in a raster, with "
            "the RSRefSeg program running as a separate process.\n\n"
            "Prompt: one query per line; each query gets its own outputs (the file name with _ and the query added).\n"
            "Extent: optional, in any CRS (converted to the raster's); the part outside the raster is clipped.\n"
            "Mode: tiled (native resolution, tiles with overlap) or view (the extent as one model input, keeps "
            "context).\n"
            "Outputs: mask (1 object, 0 background, 255 nodata) and probability on the raster's grid and CRS; "
            "polygons with query, score, relevance, iou_pred, area_m2, source, model and created.\n\n"
            "Models:\n{0}\n\n"
            "The program, device, threads and cache folder are set in Settings > Options > Processing > "
            "Providers > RSRefSeg."
        ).format(self.models().help_text())

    def initAlgorithm(self, config=None):
        models = self.models()
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster")))
        self.addParameter(QgsProcessingParameterString(self.PROMPT, tr("Prompt (one query per line)"), multiLine=True))
        model = QgsProcessingParameterEnum(self.MODEL, tr("Model"), options=models.values,
                                           defaultValue=models.values[0])
        model.setUsesStaticStrings(True)
        self.addParameter(model)
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Extent (empty: the whole raster)"),
                                                       optional=True))
        mode = QgsProcessingParameterEnum(self.MODE, tr("Mode"), options=self.MODES, defaultValue=self.MODES[0])
        mode.setUsesStaticStrings(True)
        self.addParameter(mode)
        self.addParameter(QgsProcessingParameterNumber(self.THRESHOLD, tr("Probability threshold"),
                                                       QgsProcessingParameterNumber.Double, 0.5, False, 0.01, 0.99))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA, tr("Minimum object area (m², pixels for rasters without a CRS)"),
            QgsProcessingParameterNumber.Double, 0.0, False, 0.0))
        for name, label, default, minimum in ((self.TILE, tr("Tile size (pixels, tiled mode)"), 1024, 16),
                                              (self.OVERLAP, tr("Tile overlap (pixels)"), 128, 0)):
            p = QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Integer, default, False, minimum)
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        gate = QgsProcessingParameterNumber(self.GATE, tr("Tile gating threshold (tiled mode; 0: off)"),
                                            QgsProcessingParameterNumber.Double, 0.05, False, 0.0, 0.99)
        gate.setFlags(gate.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(gate)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_MASK, tr("Mask")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_PROB, tr("Probability"), optional=True,
                                                                  createByDefault=False))
        self.addParameter(QgsProcessingParameterVectorDestination(self.OUTPUT_VECTOR, tr("Polygons"),
                                                                  QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber(self.POLYGON_COUNT, tr("Number of polygons")))

    def checkParameterValues(self, parameters, context):
        # A raster path that QGIS cannot open and an empty prompt go on to rsrefseg, whose
        # message says what is wrong ("cannot open raster ...", "query 1 is empty"), as it does
        # for every other caller; everything else is checked as usual.
        for definition in self.parameterDefinitions():
            value = parameters.get(definition.name())
            if definition.name() == self.INPUT and isinstance(value, str) and value.strip():
                continue
            if definition.name() == self.PROMPT and self.PROMPT in parameters and (not value or isinstance(value, str)):
                continue  # qgis_process passes "--PROMPT=" as NULL
            if not definition.checkValueIsAcceptable(value, context):
                return False, tr("Incorrect parameter value for {0}").format(definition.name())
        return True, ""

    def raster_source(self, parameters, context, feedback):
        """(path for rsrefseg, the layer or None, region options)."""
        layer = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        has_extent = parameters.get(self.EXTENT) not in (None, "")
        extent = self.parameterAsExtent(parameters, self.EXTENT, context) if has_extent else None
        extent_crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context) if has_extent else None
        if layer is None:
            return self.parameterAsString(parameters, self.INPUT, context), None, []
        if not rasterinput.is_gdal(layer):
            return rasterinput.export_layer(layer, extent, extent_crs, context, feedback), layer, []
        return layer.source(), layer, rasterinput.region_args(extent, extent_crs, layer.crs())

    def processAlgorithm(self, parameters, context, feedback):
        raster, layer, region = self.raster_source(parameters, context, feedback)
        queries = queries_of(self.parameterAsString(parameters, self.PROMPT, context))
        model = self.parameterAsString(parameters, self.MODEL, context)
        mode = self.parameterAsString(parameters, self.MODE, context) or self.MODES[0]
        mask = self.parameterAsOutputLayer(parameters, self.OUTPUT_MASK, context)
        prob = self.parameterAsOutputLayer(parameters, self.OUTPUT_PROB, context)
        vector = self.parameterAsOutputLayer(parameters, self.OUTPUT_VECTOR, context)
        geographic_or_projected = layer is not None and layer.crs().isValid()

        args = ["segment", raster]
        for q in queries:
            args += ["-q", q]
        args += ModelChoices.model_args(model)
        args += settings.compute_args() + settings.cache_args()
        args += region
        args += ["--mode", mode,
                 "--threshold", repr(self.parameterAsDouble(parameters, self.THRESHOLD, context)),
                 "--min-area", repr(self.parameterAsDouble(parameters, self.MIN_AREA, context)),
                 "--area-unit", "m2" if geographic_or_projected else "px",
                 "--tile", str(self.parameterAsInt(parameters, self.TILE, context)),
                 "--overlap", str(self.parameterAsInt(parameters, self.OVERLAP, context)),
                 "--gate", repr(self.parameterAsDouble(parameters, self.GATE, context)),
                 "--overwrite"]
        for option, path in (("--out-mask", mask), ("--out-prob", prob), ("--out-vector", vector)):
            if path:
                args += [option, path]
        for folder in [os.path.dirname(p) for p in (mask, prob, vector) if p] + settings.cache_args()[1:]:
            if folder:
                os.makedirs(folder, exist_ok=True)

        result = CliRun(settings.program(), args, feedback).run()
        return self.outputs_of(result, context, mask, prob, vector)

    def outputs_of(self, result, context, mask, prob, vector):
        """The first query's files are the algorithm's outputs; with several queries the others
        are loaded as well, named after their query."""
        queries = result.get("queries", [])
        outputs = {self.OUTPUT_MASK: mask, self.OUTPUT_PROB: prob or None, self.OUTPUT_VECTOR: vector,
                   self.POLYGON_COUNT: 0}
        if not queries:
            return outputs
        first = queries[0].get("outputs", {})
        outputs[self.OUTPUT_MASK] = first.get("mask") or mask
        outputs[self.OUTPUT_PROB] = first.get("probability") or None
        outputs[self.OUTPUT_VECTOR] = first.get("vector") or vector
        for q in queries[1:] if context.project() is not None else []:
            for key, kind in (("mask", tr("mask")), ("probability", tr("probability")), ("vector", tr("polygons"))):
                path = q.get("outputs", {}).get(key)
                if path:
                    details = QgsProcessingContext.LayerDetails("{0} {1}".format(q.get("query", ""), kind),
                                                                context.project())
                    context.addLayerToLoadOnCompletion(path, details)
        outputs[self.POLYGON_COUNT] = sum(int(q.get("polygons", 0)) for q in queries)
        return outputs
