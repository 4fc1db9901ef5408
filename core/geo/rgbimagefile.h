// RgbImageFile: small 8-bit images read and written whole through GDAL, as referring-segmentation
// data sets hold them (PNG, JPEG, TIFF tiles of a few hundred pixels): the size from the header
// alone, the pixels as RGB, and a georeferenced RGB GeoTIFF for synthetic data sets. Large
// georeferenced rasters go through Raster (windowed, stretched) instead.
//
//   cv::Size size = RgbImageFile::readSize("images/02934.jpg");   // header only
//   cv::Mat rgb = RgbImageFile::readRgb("images/02934.jpg");       // CV_8UC3, R G B
//   RgbImageFile::writeGeoTiff("scene.tif", rgb, GeoTransform({x0, 1, 0, y0, 0, -1}), 32633);
//
// Errors are rsrefseg::Error naming the file ("image <path>: ..."); GDAL's own messages are
// kept off stderr while reading and appear in the error instead.
#pragma once

#include "geo/geotransform.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace rsrefseg {

class RgbImageFile
{
  public:
    // The image's width and height, from its header.
    static cv::Size readSize(const std::string &path);
    // The whole image as 8-bit RGB: 1 band is grey replicated, 2 bands grey + alpha (alpha
    // dropped), 3 or more the first three. Bands 1..3 must be 8-bit.
    static cv::Mat readRgb(const std::string &path);
    // A 3-band DEFLATE-compressed tiled GeoTIFF of `rgb` (CV_8UC3) on `transform` in EPSG:`epsg`,
    // written to "<path>.part" and renamed into place (nothing is left behind on failure).
    static void writeGeoTiff(const std::string &path, const cv::Mat &rgb, const GeoTransform &transform, int epsg);
};

} // namespace rsrefseg
