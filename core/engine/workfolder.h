// WorkFolder: a hidden scratch folder (".rsrefseg-work-<pid>-<n>") created next to the outputs
// (same filesystem, so that a full disk shows up while working, not at the end) and removed
// with everything in it when the object goes away: errors and cancellation leave nothing.
//
//   WorkFolder work(outputFolder);           // throws when the folder is not writable
//   std::string scratch = work.path() + "/raw.tif";
#pragma once

#include <string>

namespace rsrefseg {

class WorkFolder
{
  public:
    explicit WorkFolder(const std::string &parent);
    ~WorkFolder();
    WorkFolder(const WorkFolder &) = delete;
    WorkFolder &operator=(const WorkFolder &) = delete;

    const std::string &path() const { return mPath; }
    // Whether a file name is one of ours (left behind by a killed process).
    static bool isWorkFolderName(const std::string &name);

  private:
    std::string mPath;
};

} // namespace rsrefseg
