"""The plugin object QGIS creates (classFactory): registers the Processing provider and, in the
QGIS desktop, a "Segment by text" button that opens rsrefseg:segment with the active raster
layer and the canvas extent."""


from qgis.core import QgsApplication, QgsRasterLayer
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .provider import ICON, RSRefSegProvider
from .settings import tr


class RSRefSegPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.action = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        if self.provider is None:
            self.provider = RSRefSegProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        self.action = QAction(QIcon(ICON), tr("Segment by text"), self.iface.mainWindow())
        self.action.setObjectName("rsrefsegSegmentByText")
        self.action.setToolTip(tr("Segment what a sentence describes in the active raster, on the canvas extent "
                                  "(RSRefSeg)"))
        self.action.triggered.connect(self.open_segment_dialog)
        self.iface.addToolBarIcon(self.action)
        self.iface.addPluginToRasterMenu(tr("RSRefSeg"), self.action)

    def unload(self):
        if self.action is not None:
            self.iface.removeToolBarIcon(self.action)
            self.iface.removePluginRasterMenu(tr("RSRefSeg"), self.action)
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    def dialog_parameters(self):
        """INPUT: the active layer when it is a raster; EXTENT: the canvas extent in the
        canvas's CRS (rsrefseg converts it to the raster's)."""
        params = {}
        layer = self.iface.activeLayer()
        if isinstance(layer, QgsRasterLayer):
            params["INPUT"] = layer
        canvas = self.iface.mapCanvas()
        extent = canvas.extent()
        crs = canvas.mapSettings().destinationCrs()
        if not extent.isEmpty():
            text = "{0!r},{1!r},{2!r},{3!r}".format(extent.xMinimum(), extent.xMaximum(), extent.yMinimum(),
                                                    extent.yMaximum())
            params["EXTENT"] = text + (" [{0}]".format(crs.authid()) if crs.authid() else "")
        return params

    def open_segment_dialog(self):
        import processing

        processing.execAlgorithmDialog("rsrefseg:segment", self.dialog_parameters())
