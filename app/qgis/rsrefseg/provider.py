"""The Processing provider "RSRefSeg" (id rsrefseg): rsrefseg:segment and rsrefseg:batch, and
the provider's settings."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import settings
from .batchalgorithm import BatchAlgorithm
from .models import ModelChoices
from .segmentalgorithm import SegmentAlgorithm

ICON = os.path.join(os.path.dirname(__file__), "icon.svg")


class RSRefSegProvider(QgsProcessingProvider):
    def id(self):
        return "rsrefseg"

    def name(self):
        return "RSRefSeg"

    def longName(self):
        return settings.tr("RSRefSeg: segmentation by text prompts")

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):
        return ICON

    def load(self):
        from processing.core.ProcessingConfig import ProcessingConfig

        ProcessingConfig.settingIcons[self.name()] = self.icon()
        settings.register(self.name())
        self.refreshAlgorithms()
        return True

    def unload(self):
        settings.unregister()

    def loadAlgorithms(self):
        # One `rsrefseg model list` per refresh (the settings dialog refreshes after a change).
        models = ModelChoices.load()
        self.addAlgorithm(SegmentAlgorithm(models))
        self.addAlgorithm(BatchAlgorithm(models))
