// A raster whose second half is read from a named pipe, for tests that must stop or signal a
// CLI process while it is inside its work without assuming anything about timing: GDAL opens
// a VRT's sources only when their pixels are read, so the process blocks exactly when it
// reaches the piped half, and the test sees that moment as its own open() of the pipe's write
// end succeeding.
//
//   pipedraster::writeVrt(dir + "/scene.vrt", left, 256, 256, dir + "/pipe");  // makes the pipe too
//   QProcess p; p.start(cli, args);
//   int fd = pipedraster::waitUntilRead(dir + "/pipe", p);   // -1: exited before reading it
//   ::kill(p.processId(), SIGTERM); ::close(fd);
//   pipedraster::endOfFileUntilExit(dir + "/pipe", p);       // each later read gets EOF at once
#pragma once

#include <QProcess>
#include <QString>
#include <QtGlobal>

#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pipedraster {

// A (2 width) x height RGB VRT (UTM 33N, 0.5 m pixels): `left` (width x height, 3 bands) on
// the left, the named pipe `pipe` (created here) on the right. False if the pipe cannot be made.
inline bool writeVrt(const QString &path, const QString &left, int width, int height, const QString &pipe)
{
    if (::mkfifo(pipe.toLocal8Bit().constData(), 0600) != 0)
        return false;
    std::ofstream out(path.toStdString());
    out << "<VRTDataset rasterXSize=\"" << 2 * width << "\" rasterYSize=\"" << height << "\">\n"
        << "  <SRS>EPSG:32633</SRS>\n"
        << "  <GeoTransform>500000, 0.5, 0, 5000000, 0, -0.5</GeoTransform>\n";
    for (int b = 1; b <= 3; ++b) {
        out << "  <VRTRasterBand dataType=\"Byte\" band=\"" << b << "\">\n";
        int x = 0;
        for (const QString &source : {left, pipe}) {
            out << "    <SimpleSource>\n"
                << "      <SourceFilename relativeToVRT=\"0\">" << source.toStdString() << "</SourceFilename>\n"
                << "      <SourceBand>" << b << "</SourceBand>\n"
                << "      <SourceProperties RasterXSize=\"" << width << "\" RasterYSize=\"" << height
                << "\" DataType=\"Byte\" BlockXSize=\"" << width << "\" BlockYSize=\"1\" />\n"
                << "      <SrcRect xOff=\"0\" yOff=\"0\" xSize=\"" << width << "\" ySize=\"" << height << "\" />\n"
                << "      <DstRect xOff=\"" << x << "\" yOff=\"0\" xSize=\"" << width << "\" ySize=\"" << height
                << "\" />\n"
                << "    </SimpleSource>\n";
            x += width;
        }
        out << "  </VRTRasterBand>\n";
    }
    out << "</VRTDataset>\n";
    return bool(out);
}

// The write end of `pipe`, opened as soon as `process` has the pipe open for reading (before
// that, a non-blocking open fails with ENXIO); -1 if the process exits first.
inline int waitUntilRead(const QString &pipe, QProcess &process)
{
    int fd = -1;
    while ((fd = ::open(pipe.toLocal8Bit().constData(), O_WRONLY | O_NONBLOCK)) < 0)
        if (process.state() == QProcess::NotRunning || process.waitForFinished(20))
            return -1;
    return fd;
}

// Until `process` exits: every open of `pipe` for reading meets a writer that closes at once
// (end of file), so no read of the piped half blocks again.
inline void endOfFileUntilExit(const QString &pipe, QProcess &process)
{
    while (!process.waitForFinished(20)) {
        const int fd = ::open(pipe.toLocal8Bit().constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
    }
}

} // namespace pipedraster
