// GeoTransform: GDAL's affine pixel <-> map transform
//   X = c[0] + col * c[1] + row * c[2],  Y = c[3] + col * c[4] + row * c[5]
// (col/row are pixel-edge coordinates: (0,0) is the top-left corner of the top-left pixel).
#pragma once

#include <array>
#include <utility>

namespace rsrefseg {

class GeoTransform
{
  public:
    GeoTransform();
    explicit GeoTransform(const std::array<double, 6> &coefficients);

    // QGIS's convention for rasters without georeference: pixel units, y up (row r -> -r),
    // so outputs in "pixel coordinates" overlay the image when opened in QGIS.
    static GeoTransform pixelCoordinates();

    const std::array<double, 6> &coefficients() const { return mC; }
    std::pair<double, double> pixelToMap(double col, double row) const;
    // Throws rsrefseg::Error when the transform is not invertible.
    std::pair<double, double> mapToPixel(double x, double y) const;
    // Pixel size along x and y in map units (absolute values; rotation included).
    double pixelWidth() const;
    double pixelHeight() const;
    bool isNorthUp() const { return mC[2] == 0.0 && mC[4] == 0.0; }

  private:
    std::array<double, 6> mC;
};

} // namespace rsrefseg
