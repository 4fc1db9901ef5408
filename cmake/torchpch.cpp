// The host translation unit of the precompiled LibTorch header (cmake/RSRefSegBuildSpeed.cmake).
