# The Debian package: `cpack --config <build>/CPackConfig.cmake` (or the `package` target) makes
# <build>/rsrefseg-desktop_<version>-1_<arch>.deb, one package with both programs, the
# sentencepiece plugin, the bundled model, samples, translations, desktop integration and man
# pages, installed under /usr. Depends: what dpkg-shlibdeps finds in the ELF files (the
# plugin included), plus what the dynamic linker cannot see:
#   - OpenBLAS: LibTorch takes its matrix products from libblas.so.3, which is Debian's slow
#     reference BLAS unless OpenBLAS provides it (30x slower; ARCHITECTURE.md, Platform facts: BLAS);
#   - libsentencepiece0: the plugin is dlopen()ed, never linked (ARCHITECTURE.md, Platform facts), so it is
#     named here too in case the plugin is ever left out of the shlibdeps scan;
#   - libqt6svg6: every icon of the application is an SVG, drawn by Qt's SVG icon engine
#     plugin, which Qt loads at run time.
# Needs dpkg-dev (dpkg-shlibdeps) and file, both in packaging/install-deps.sh.
set(RSREFSEG_PACKAGE_MAINTAINER "RSRefSeg Developer <dev@rsrefseg.invalid>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_PACKAGE_NAME ${RSREFSEG_PACKAGE_NAME})
set(CPACK_PACKAGE_VENDOR "RSRefSeg Desktop developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "segment what a sentence describes in remote-sensing rasters (RSRefSeg)")
set(CPACK_PACKAGE_DESCRIPTION_FILE ${CMAKE_SOURCE_DIR}/packaging/debian/description.txt)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${RSREFSEG_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread | libopenblas0, libsentencepiece0, libqt6svg6")
# Qt's own dialog strings in German and Chinese, and Qt's Wayland platform plugin (the X11 one
# is in libqt6gui6, which shlibdeps finds); GDAL's tools and QGIS to look at the results.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-wayland")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gdal-bin, qgis")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
