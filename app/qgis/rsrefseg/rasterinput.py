"""The raster rsrefseg reads for an INPUT layer, and the region for an EXTENT.

GDAL layers are read by rsrefseg itself (it opens any GDAL dataset name). Layers of other
providers (WMS, XYZ tiles, WCS, virtual rasters) are first written to a temporary GeoTIFF of the
extent with QgsRasterFileWriter, at the layer's own resolution when it has one, else at
MAX_SIDE pixels on the longer side.
"""

import os

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsProcessingUtils,
    QgsRasterBlockFeedback,
    QgsRasterDataProvider,
    QgsRasterFileWriter,
    QgsRasterPipe,
    QgsRectangle,
)

from .settings import tr

MAX_SIDE = 4096


def is_gdal(layer):
    return layer.providerType() == "gdal"


def region_args(extent, extent_crs, layer_crs):
    """--region (and --region-crs when the extent is in another CRS) for an EXTENT; rsrefseg
    converts and clips it (core/geo/mapbox.cpp) and refuses one entirely outside the raster."""
    if extent is None or extent.isNull() or extent.isEmpty():
        return []
    args = ["--region", "{0!r},{1!r},{2!r},{3!r}".format(extent.xMinimum(), extent.yMinimum(), extent.xMaximum(),
                                                         extent.yMaximum())]
    if extent_crs is not None and extent_crs.isValid() and layer_crs.isValid() and extent_crs != layer_crs:
        crs = extent_crs.authid() if extent_crs.authid().upper().startswith("EPSG:") else extent_crs.toWkt()
        args += ["--region-crs", crs]
    return args


def export_layer(layer, extent, extent_crs, context, feedback):
    """Writes the part of a non-GDAL raster layer under `extent` (in `extent_crs`; the whole
    layer when empty) to a temporary GeoTIFF in the layer's CRS and returns its path."""
    if extent is None or extent.isNull() or extent.isEmpty():
        extent = layer.extent()
    elif extent_crs is not None and extent_crs.isValid() and extent_crs != layer.crs():
        transform = QgsCoordinateTransform(extent_crs, layer.crs(), context.transformContext())
        extent = transform.transformBoundingBox(extent)
    extent = QgsRectangle(extent)
    if not layer.extent().isEmpty():
        extent = extent.intersect(layer.extent())
    if extent.isEmpty():
        raise QgsProcessingException(tr("The extent does not overlap the layer '{0}'").format(layer.name()))
    provider = layer.dataProvider()
    if provider.capabilities() & QgsRasterDataProvider.Size and layer.rasterUnitsPerPixelX() > 0:
        width = extent.width() / layer.rasterUnitsPerPixelX()
        height = extent.height() / abs(layer.rasterUnitsPerPixelY() or layer.rasterUnitsPerPixelX())
        scale = min(1.0, MAX_SIDE / max(width, height))
        width, height = width * scale, height * scale
    else:
        scale = MAX_SIDE / max(extent.width(), extent.height())
        width, height = extent.width() * scale, extent.height() * scale
    width, height = max(1, int(round(width))), max(1, int(round(height)))
    path = QgsProcessingUtils.generateTempFilename("rsrefseg_input.tif")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    feedback.pushInfo(tr("Writing {0} x {1} pixels of '{2}' to {3}").format(width, height, layer.name(), path))
    pipe = QgsRasterPipe()
    if not pipe.set(provider.clone()):
        raise QgsProcessingException(tr("Cannot read the layer '{0}'").format(layer.name()))
    writer = QgsRasterFileWriter(path)
    writer.setOutputFormat("GTiff")
    block_feedback = QgsRasterBlockFeedback()
    feedback.canceled.connect(block_feedback.cancel)
    error = writer.writeRaster(pipe, width, height, extent, layer.crs(), context.transformContext(), block_feedback)
    if error != QgsRasterFileWriter.NoError or not os.path.exists(path):
        raise QgsProcessingException(tr("Cannot write '{0}' to a temporary GeoTIFF (error {1})").format(
            layer.name(), int(error)))
    return path
