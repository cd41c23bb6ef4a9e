#include "core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/input_error.h"

namespace llmsim::core {
namespace {

/// What a non-regular file is, for the message.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// Closes the descriptor on every path out.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string read_input_file(const std::string& path, std::int64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever; a regular file
  // ignores the flag.
  const Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (file.get() < 0) throw InputError(path, 0, "", "cannot open file");
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    throw InputError(path, 0, "", std::string("cannot read the file: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError(path, 0, "", std::string("cannot read the file: it is ") + kind_of(info.st_mode) +
                                      ", not a regular file");
  }
  if (info.st_size > max_bytes) {
    throw InputError(path, 0, "", "the file holds " + std::to_string(info.st_size) + " bytes, more than the " +
                                      std::to_string(max_bytes) + " an input of this kind may hold");
  }
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t got = ::read(file.get(), text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(path, 0, "", std::string("cannot read the file: ") + std::strerror(errno));
    if (got == 0) break;  // the file shrank while being read: keep what is there
    done += static_cast<std::size_t>(got);
  }
  text.resize(done);
  return text;
}

}  // namespace llmsim::core
