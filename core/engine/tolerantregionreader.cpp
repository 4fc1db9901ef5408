#include "engine/tolerantregionreader.h"

#include "common/error.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace rsrefseg {

namespace {

struct Reader
{
    const Raster &raster;
    const PixelWindow &window;
    int outWidth;
    int outHeight;
    const BandSelection &bands;
    const ContrastStretch &stretch;
    Raster::Resampling resampling;
    RgbImage image;
    std::vector<FailedTile> &failed;
    std::string firstError;

    // The source pixel where output column (or row) o of an output `out` wide starts.
    static int sourceEdge(int origin, int extent, int o, int out)
    {
        return origin + static_cast<int>(static_cast<int64_t>(o) * extent / out);
    }

    void readPiece(const cv::Rect &piece)
    {
        constexpr int side = TolerantRegionReader::kMinPieceSide;
        const int x0 = sourceEdge(window.x, window.width, piece.x, outWidth);
        const int x1 = sourceEdge(window.x, window.width, piece.x + piece.width, outWidth);
        const int y0 = sourceEdge(window.y, window.height, piece.y, outHeight);
        const int y1 = sourceEdge(window.y, window.height, piece.y + piece.height, outHeight);
        const PixelWindow source{x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0)};
        try {
            const RgbImage part = raster.readRgb8(source, piece.width, piece.height, bands, stretch, resampling);
            part.rgb.copyTo(image.rgb(piece));
            part.valid.copyTo(image.valid(piece));
            return;
        } catch (const CancelledError &) {
            throw;
        } catch (const Error &e) {
            if (piece.width > side || piece.height > side) {
                const int hw = piece.width > side ? piece.width / 2 : piece.width;
                const int hh = piece.height > side ? piece.height / 2 : piece.height;
                for (int y = piece.y; y < piece.y + piece.height; y += hh)
                    for (int x = piece.x; x < piece.x + piece.width; x += hw)
                        readPiece(cv::Rect(x, y, std::min(hw, piece.x + piece.width - x),
                                           std::min(hh, piece.y + piece.height - y)));
                return;
            }
            if (firstError.empty())
                firstError = e.what();
            failed.push_back({static_cast<int>(failed.size()), piece.y / side, piece.x / side, source, e.what()});
        }
    }
};

} // namespace

RgbImage TolerantRegionReader::read(const Raster &raster, const PixelWindow &window, int outWidth, int outHeight,
                                    const BandSelection &bands, const ContrastStretch &stretch,
                                    Raster::Resampling resampling, std::vector<FailedTile> &failed,
                                    bool allowUnreadable)
{
    Reader r{raster, window, outWidth, outHeight, bands, stretch, resampling, {}, failed, {}};
    try {
        return raster.readRgb8(window, outWidth, outHeight, bands, stretch, resampling);
    } catch (const CancelledError &) {
        throw;
    } catch (const Error &) {
        // Fall through to the piecewise read below.
    }
    r.image.rgb = cv::Mat(outHeight, outWidth, CV_8UC3, cv::Scalar::all(0));
    r.image.valid = cv::Mat(outHeight, outWidth, CV_8UC1, cv::Scalar::all(0));
    const size_t before = failed.size();
    r.readPiece(cv::Rect(0, 0, outWidth, outHeight));
    if (!allowUnreadable && cv::countNonZero(r.image.valid) == 0 && failed.size() > before)
        throw Error("no part of the region could be read: " + r.firstError);
    return r.image;
}

} // namespace rsrefseg
