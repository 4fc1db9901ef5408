"""rsrefseg:batch: every raster of a folder with every query of a list, by running
`rsrefseg batch` (resumable: finished raster x query items are recorded in OUT/manifest.jsonl
and skipped when the same batch runs again with "Resume")."""

import os

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingUtils,
)

from . import settings
from .models import ModelChoices, ModelChoicesMixin
from .runner import CliRun
from .segmentalgorithm import SegmentAlgorithm
from .settings import tr


class BatchAlgorithm(ModelChoicesMixin, QgsProcessingAlgorithm):
    INPUT_FOLDER = "INPUT_FOLDER"
    QUERIES = "QUERIES"
    MODEL = "MODEL"
    RECURSIVE = "RECURSIVE"
    MODE = "MODE"
    THRESHOLD = "THRESHOLD"
    MIN_AREA = "MIN_AREA"
    FORMATS = "FORMATS"
    RESUME = "RESUME"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    MANIFEST = "MANIFEST"
    DONE = "DONE"
    SKIPPED = "SKIPPED"

    # `rsrefseg batch --formats` with "+" for ",": Processing reads a comma in an enum value as a
    # list of values.
    FORMAT_CHOICES = ["tif+gpkg", "tif+prob+gpkg", "tif", "gpkg", "tif+geojson", "tif+shp", "tif+fgb"]

    def createInstance(self):
        return BatchAlgorithm(self._models)

    def name(self):
        return "batch"

    def displayName(self):
        return tr("Segment a folder by text (batch)")

    def shortHelpString(self):
        return tr(
            "Segments every raster of a folder with every query of a list (one per line). Outputs: "
            "OUTPUT/<raster name>/<query>.tif and .gpkg, and OUTPUT/manifest.jsonl with one line per raster and "
            "query. With Resume, a batch that was cancelled or failed continues where it stopped.\n\nModels:\n{0}"
        ).format(self.models().help_text())

    def initAlgorithm(self, config=None):
        models = self.models()
        self.addParameter(QgsProcessingParameterFile(self.INPUT_FOLDER, tr("Folder of rasters"),
                                                     behavior=QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterBoolean(self.RECURSIVE, tr("Include sub-folders"), False))
        self.addParameter(QgsProcessingParameterString(self.QUERIES, tr("Queries (one per line)"), multiLine=True))
        model = QgsProcessingParameterEnum(self.MODEL, tr("Model"), options=models.values,
                                           defaultValue=models.values[0])
        model.setUsesStaticStrings(True)
        self.addParameter(model)
        mode = QgsProcessingParameterEnum(self.MODE, tr("Mode"), options=SegmentAlgorithm.MODES,
                                          defaultValue=SegmentAlgorithm.MODES[0])
        mode.setUsesStaticStrings(True)
        self.addParameter(mode)
        self.addParameter(QgsProcessingParameterNumber(self.THRESHOLD, tr("Probability threshold"),
                                                       QgsProcessingParameterNumber.Double, 0.5, False, 0.01, 0.99))
        self.addParameter(QgsProcessingParameterNumber(self.MIN_AREA, tr("Minimum object area (pixels)"),
                                                       QgsProcessingParameterNumber.Double, 0.0, False, 0.0))
        formats = QgsProcessingParameterEnum(self.FORMATS, tr("Outputs per raster and query"),
                                             options=self.FORMAT_CHOICES, defaultValue=self.FORMAT_CHOICES[0])
        formats.setUsesStaticStrings(True)
        self.addParameter(formats)
        self.addParameter(QgsProcessingParameterBoolean(self.RESUME, tr("Resume (skip finished items)"), True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")))
        self.addOutput(QgsProcessingOutputString(self.MANIFEST, tr("Manifest")))
        self.addOutput(QgsProcessingOutputNumber(self.DONE, tr("Items done")))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED, tr("Items skipped (done earlier)")))

    def processAlgorithm(self, parameters, context, feedback):
        folder = self.parameterAsFile(parameters, self.INPUT_FOLDER, context)
        out = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        queries = self.parameterAsString(parameters, self.QUERIES, context)
        # The queries go through a file, as `rsrefseg batch --queries` reads them ('#' comments).
        queries_file = QgsProcessingUtils.generateTempFilename("rsrefseg_queries.txt")
        os.makedirs(os.path.dirname(queries_file), exist_ok=True)
        with open(queries_file, "w", encoding="utf-8") as f:
            f.write(queries or "")
        os.makedirs(out, exist_ok=True)
        args = ["batch", "--input", folder, "--queries", queries_file, "--out", out,
                "--formats", self.parameterAsString(parameters, self.FORMATS, context).replace("+", ","),
                "--mode", self.parameterAsString(parameters, self.MODE, context),
                "--threshold", repr(self.parameterAsDouble(parameters, self.THRESHOLD, context)),
                "--min-area", repr(self.parameterAsDouble(parameters, self.MIN_AREA, context))]
        if self.parameterAsBool(parameters, self.RECURSIVE, context):
            args.append("--recursive")
        if self.parameterAsBool(parameters, self.RESUME, context):
            args.append("--resume")
        args += ModelChoices.model_args(self.parameterAsString(parameters, self.MODEL, context))
        args += settings.compute_args() + settings.cache_args()
        result = CliRun(settings.program(), args, feedback).run()
        return {self.OUTPUT_FOLDER: out, self.MANIFEST: result.get("manifest", ""),
                self.DONE: result.get("done", 0), self.SKIPPED: result.get("skipped", 0)}
