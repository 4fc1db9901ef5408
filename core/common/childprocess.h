// ChildProcess: runs a function in a forked child process and hands its text result back to the
// parent through a pipe, so that what the function costs (peak resident memory, LibTorch's
// thread pools and allocator caches) belongs to the child alone. `rsrefseg bench segment` runs
// each raster size this way so that the peaks of two sizes never mix.
//
//   ChildProcess::Result r = ChildProcess::run([&] { return measure().dump(); });
//   if (r.status != ChildProcess::Status::Ok) throw Error("measuring: " + r.text);
//   nlohmann::json figures = nlohmann::json::parse(r.text);
//
// Exceptions never cross the fork: the child catches everything the function throws and sends
// its message back (Status::Failed); a child that dies (a signal such as the out-of-memory
// killer's SIGKILL, or an exit before it reported) comes back as Status::Died with a
// description. The child leaves with _exit(): no atexit handlers or static destructors of the
// parent run twice, and output the function buffered in std::cout is lost (std::cerr is
// unbuffered). Fork before the process starts threads (the child inherits only the calling
// thread): the bench command forks before it has touched LibTorch. POSIX only.
#pragma once

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <functional>
#include <string>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rsrefseg {

class ChildProcess
{
  public:
    enum class Status
    {
        Ok,     // text: what the function returned
        Failed, // text: the message of what the function threw
        Died,   // text: how the child ended (signal, exit status), or why it could not start
    };

    struct Result
    {
        Status status = Status::Died;
        std::string text;
    };

    static Result run(const std::function<std::string()> &work)
    {
        int fds[2];
        if (::pipe(fds) != 0)
            return {Status::Died, std::string("cannot create a pipe: ") + std::strerror(errno)};
        const pid_t pid = ::fork();
        if (pid < 0) {
            const int e = errno;
            ::close(fds[0]);
            ::close(fds[1]);
            return {Status::Died, std::string("cannot fork: ") + std::strerror(e)};
        }
        if (pid == 0) {
            ::close(fds[0]);
            runChild(work, fds[1]); // never returns
        }
        ::close(fds[1]);
        const std::string message = readAll(fds[0]);
        ::close(fds[0]);
        int wstatus = 0;
        while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
        }
        if (WIFSIGNALED(wstatus))
            return {Status::Died, "killed by signal " + std::to_string(WTERMSIG(wstatus)) + " (" +
                                      strsignal(WTERMSIG(wstatus)) + ")"};
        if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
            return {Status::Died, "exited with status " + std::to_string(WEXITSTATUS(wstatus)) + " before reporting"};
        // Complete messages start with their tag; anything else means the child did not finish.
        if (message.empty() || (message[0] != kOk && message[0] != kFailed))
            return {Status::Died, "ended without a result"};
        return {message[0] == kOk ? Status::Ok : Status::Failed, message.substr(1)};
    }

  private:
    static constexpr char kOk = 'R';
    static constexpr char kFailed = 'E';

    [[noreturn]] static void runChild(const std::function<std::string()> &work, int fd)
    {
        std::string message;
        try {
            message = kOk + work();
        } catch (const std::exception &e) {
            message = kFailed + std::string(e.what());
        } catch (...) {
            message = kFailed + std::string("unknown error");
        }
        size_t done = 0;
        while (done < message.size()) {
            const ssize_t n = ::write(fd, message.data() + done, message.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                _exit(3); // the parent sees an exit status, not a truncated result
            done += static_cast<size_t>(n);
        }
        ::close(fd);
        _exit(0);
    }

    static std::string readAll(int fd)
    {
        std::string text;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            text.append(buf, static_cast<size_t>(n));
        }
        return text;
    }
};

} // namespace rsrefseg
