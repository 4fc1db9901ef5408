"""RSRefSeg for QGIS: a Processing provider that runs the rsrefseg command-line program.

QGIS calls classFactory(iface) for the desktop (iface is the QgisInterface) and for
qgis_process (iface is None); the plugin then registers the provider (initProcessing) and, in
the desktop, the "Segment by text" toolbar button (initGui).
"""


def classFactory(iface):  # noqa: N802 (the name QGIS looks for)
    from .plugin import RSRefSegPlugin

    return RSRefSegPlugin(iface)
