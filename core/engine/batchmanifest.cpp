#include "engine/batchmanifest.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

void writeAll(int fd, const std::string &data, const std::string &path)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error("cannot write batch manifest '" + path + "': " + std::strerror(errno));
        }
        done += static_cast<size_t>(n);
    }
}

} // namespace

BatchManifest::BatchManifest(const std::string &path)
    : mPath(path)
{
    mFd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (mFd < 0)
        throw Error("cannot open batch manifest '" + path + "': " + std::strerror(errno));
    // A torn last record (power cut) must not swallow the next one: end it first.
    struct stat st
    {
    };
    if (::fstat(mFd, &st) == 0 && st.st_size > 0) {
        const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        char last = '\n';
        if (rfd >= 0) {
            if (::pread(rfd, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            ::close(rfd);
        }
        if (last != '\n')
            writeAll(mFd, "\n", path);
    }
}

BatchManifest::~BatchManifest()
{
    if (mFd >= 0)
        ::close(mFd);
}

void BatchManifest::append(const nlohmann::json &record)
{
    // One write() per record: a kill between records leaves whole lines only.
    const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    writeAll(mFd, line, mPath);
    if (::fsync(mFd) != 0 && errno != EINVAL)
        throw Error("cannot write batch manifest '" + mPath + "': " + std::strerror(errno));
}

std::string BatchManifest::fileName(int shardIndex, int shardCount)
{
    if (shardCount <= 1)
        return "manifest.jsonl";
    return "manifest.shard-" + std::to_string(shardIndex) + "-of-" + std::to_string(shardCount) + ".jsonl";
}

bool BatchManifest::isManifestName(const std::string &name)
{
    return name.rfind("manifest", 0) == 0 && name.size() > 6 && name.compare(name.size() - 6, 6, ".jsonl") == 0;
}

std::vector<nlohmann::json> BatchManifest::readFile(const std::string &path, int *torn)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    if (!in)
        throw Error("cannot read batch manifest '" + path + "'");
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        try {
            nlohmann::json j = nlohmann::json::parse(line);
            if (j.is_object())
                out.push_back(std::move(j));
            else if (torn)
                ++*torn;
        } catch (const nlohmann::json::exception &) {
            if (torn)
                ++*torn;
        }
    }
    return out;
}

std::vector<nlohmann::json> BatchManifest::readFolder(const std::string &folder, int *torn)
{
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file(ec) && isManifestName(e.path().filename().string()))
            files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> out;
    for (const std::string &f : files) {
        std::vector<nlohmann::json> r = readFile(f, torn);
        out.insert(out.end(), r.begin(), r.end());
    }
    return out;
}

} // namespace rsrefseg
