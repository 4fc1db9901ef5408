"""Run inside QGIS desktop (qgis --code): opens the sample raster, zooms in, presses the plugin's
"Segment by text" toolbar action, types a prompt into the dialog and saves the screen and the
dialog as PNGs in $RSREFSEG_SHOT_DIR, then quits. Driven by make-qgis-screenshot.sh."""

import os

from qgis.core import QgsApplication, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface, plugins

OUT = os.environ["RSREFSEG_SHOT_DIR"]
SAMPLE = os.environ["RSREFSEG_SAMPLE"]
PROMPT = "the plane below the green storage tank"


def log(text):
    with open(os.path.join(OUT, "log.txt"), "a", encoding="utf-8") as f:
        f.write(text + "\n")


def find_dialog():
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and hasattr(widget, "setParameters"):
            return widget
    return None


def shoot():
    dialog = find_dialog()
    log("dialog: {0}".format(dialog))
    if dialog is not None:
        dialog.setParameters({"PROMPT": PROMPT})
        screen = QApplication.primaryScreen().availableGeometry()
        dialog.resize(760, 640)
        dialog.move(screen.right() - 780, screen.top() + 150)
        QTimer.singleShot(1500, lambda: save(dialog))
    else:
        QgsApplication.exit(1)


def save(dialog):
    dialog.grab().save(os.path.join(OUT, "dialog.png"))
    QApplication.primaryScreen().grabWindow(0).save(os.path.join(OUT, "screen.png"))
    log("saved")
    dialog.reject()
    QTimer.singleShot(500, lambda: QgsApplication.exit(0))


def start():
    # No window manager under Xvfb: place the window over the whole screen by hand.
    iface.mainWindow().setGeometry(QApplication.primaryScreen().availableGeometry())
    layer = iface.addRasterLayer(SAMPLE, "sample")
    log("layer valid: {0}".format(layer is not None and layer.isValid()))
    extent = layer.extent()
    iface.mapCanvas().setExtent(QgsRectangle(extent.xMinimum() + extent.width() * 0.15,
                                             extent.yMinimum() + extent.height() * 0.15,
                                             extent.xMaximum() - extent.width() * 0.15,
                                             extent.yMaximum() - extent.height() * 0.15))
    iface.mapCanvas().refresh()
    plugin = plugins.get("rsrefseg")
    log("plugin: {0}".format(plugin))
    QTimer.singleShot(1000, lambda: press(plugin))


def press(plugin):
    log("parameters: {0}".format(plugin.dialog_parameters()))
    log("algorithm: {0}".format(QgsApplication.processingRegistry().algorithmById("rsrefseg:segment")))
    QTimer.singleShot(4000, shoot)  # runs inside the dialog's own event loop
    try:
        plugin.action.trigger()
    except Exception as e:  # noqa: BLE001 (the log says what went wrong)
        log("trigger failed: {0!r}".format(e))


QTimer.singleShot(3000, start)
