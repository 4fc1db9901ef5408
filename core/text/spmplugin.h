// SpmPlugin: the sentencepiece plugin (librsrefseg_spm.so) opened with dlopen.
// sentencepiece cannot be linked next to LibTorch (ARCHITECTURE.md, Platform facts), so it lives in a plugin that
// is loaded with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND (sanitized builds: dlmopen into a namespace
// of its own, as ASan refuses DEEPBIND) and reached through a small C ABI
// (text/spmplugin/spmpluginapi.h). Most code wants SiglipTokenizer instead of this class.
//
//   auto plugin = rsrefseg::SpmPlugin::open();          // or open("/path/to/plugin-or-folder")
//   rsrefseg::SpmModel model = plugin->loadModel("spiece.model", true);
//
// Search order when no explicit path is given: $RSREFSEG_PLUGIN_DIR; <exe dir>/<relative path to
// the installed library folder>/rsrefseg; <exe dir>; the build tree's plugin folder. An explicit
// path (the plugin file or its folder) is the only place tried. Failure throws rsrefseg::Error
// listing every path tried (and why a present file did not load).
#pragma once

#include "text/spmmodel.h"

#include <memory>
#include <string>
#include <vector>

namespace rsrefseg {

struct SpmPluginFunctions;

class SpmPlugin : public std::enable_shared_from_this<SpmPlugin>
{
  public:
    static std::shared_ptr<const SpmPlugin> open(const std::string &explicitPath = std::string());

    // The plugin files open() would try, in order.
    static std::vector<std::string> searchPaths(const std::string &explicitPath = std::string());

    // The plugin's file name (librsrefseg_spm.so).
    static std::string fileName();

    ~SpmPlugin();
    SpmPlugin(const SpmPlugin &) = delete;
    SpmPlugin &operator=(const SpmPlugin &) = delete;

    // The plugin file that was loaded.
    const std::string &path() const { return mPath; }

    // Loads a sentencepiece .model; disableDummyPrefix patches normalizer_spec.add_dummy_prefix
    // to false as SiglipTokenizer does. Throws Error naming the file when it is missing or is
    // not a model.
    SpmModel loadModel(const std::string &modelPath, bool disableDummyPrefix) const;

  private:
    friend class SpmModel;
    SpmPlugin(std::string path, void *library, std::unique_ptr<SpmPluginFunctions> functions);

    std::string mPath;
    void *mLibrary = nullptr;
    std::unique_ptr<SpmPluginFunctions> mFunctions;
};

} // namespace rsrefseg
