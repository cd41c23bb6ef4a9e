#include "app/result_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include "core/input_error.h"

namespace llmsim::app {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void out_error(const std::string& folder, const std::string& message) {
  throw core::InputError(folder, 0, "--out", message);
}

/// The folder's parent ("." for a bare name) and its own name, without a trailing slash.
std::pair<fs::path, std::string> split(const std::string& folder) {
  fs::path path = fs::path(folder).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  fs::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  return {parent, path.filename().string()};
}

/// The names a committed folder's manifest lists (empty when it has none).
std::set<std::string> manifest_names(const std::string& folder) {
  std::set<std::string> names;
  std::ifstream in(fs::path(folder) / ResultFolder::kManifestName);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) names.insert(line);
  }
  return names;
}

bool is_result_file(const std::string& name, const std::set<std::string>& listed) {
  if (name == ResultFolder::kManifestName || listed.count(name) > 0) return true;
  if (name.size() > 8 && name.compare(name.size() - 8, 8, ".partial") == 0) return true;
  for (const std::string& known : ResultFolder::result_file_names()) {
    if (name == known) return true;
  }
  return false;
}

/// Throws unless `folder` is absent, or a folder that holds only result files.
void check_replaceable(const std::string& folder) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(folder, error);
  if (error && error != std::errc::no_such_file_or_directory) out_error(folder, "cannot read: " + error.message());
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) out_error(folder, "exists and is not a folder");
  const std::set<std::string> listed = manifest_names(folder);
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!is_result_file(name, listed) || !it->is_regular_file()) {
      out_error(folder, "holds \"" + name + "\", which llmsim did not write: give an empty or new folder "
                        "(a results folder is replaced as a whole)");
    }
  }
  if (error) out_error(folder, "cannot read: " + error.message());
}

/// Staging folders left by killed runs into the same folder (their names start with
/// `.<name>.partial-`). Called with the lock held, so none of them belongs to a live run.
void remove_stale_staging(const fs::path& parent, const std::string& name) {
  const std::string prefix = "." + name + ".partial-";
  std::error_code error;
  for (fs::directory_iterator it(parent, error), end; !error && it != end; it.increment(error)) {
    const std::string entry = it->path().filename().string();
    if (entry.rfind(prefix, 0) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

}  // namespace

const std::vector<std::string>& ResultFolder::result_file_names() {
  static const std::vector<std::string> names = {"summary.json", "requests.csv", "samples.csv", "timeseries.csv",
                                                 "report.html"};
  return names;
}

ResultFolder::ResultFolder(std::string folder) : folder_(std::move(folder)) {
  const auto [parent, name] = split(folder_);
  if (name.empty() || name == "." || name == "..") out_error(folder_, "expected a folder name");
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) out_error(folder_, "cannot create the folder: " + error.message());
  const std::string lock_path = (parent / ("." + name + ".lock")).string();
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) out_error(folder_, "cannot create the lock " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (lock_errno == EWOULDBLOCK) {
      out_error(folder_, "another llmsim run is writing into this folder (it holds " + lock_path +
                             "); wait for it or choose another --out");
    }
    out_error(folder_, "cannot lock " + lock_path + ": " + std::strerror(lock_errno));
  }
  check_replaceable(folder_);
  remove_stale_staging(parent, name);
  static std::atomic<int> counter{0};
  staging_ = (parent / ("." + name + ".partial-" + std::to_string(::getpid()) + "-" +
                        std::to_string(counter.fetch_add(1))))
                 .string();
  fs::create_directory(staging_, error);
  if (error) out_error(folder_, "cannot create the staging folder " + staging_ + ": " + error.message());
}

ResultFolder::~ResultFolder() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string ResultFolder::staged_path(const std::string& path) const {
  if (path.empty()) return path;
  const fs::path given = fs::absolute(fs::path(path)).lexically_normal();
  const fs::path folder = fs::absolute(fs::path(folder_)).lexically_normal();
  const fs::path inside = given.lexically_relative(folder);
  if (inside.empty() || *inside.begin() == "..") return path;
  return (fs::path(staging_) / inside).string();
}

std::string ResultFolder::final_path(const std::string& path) const {
  if (path.rfind(staging_, 0) != 0) return path;
  return (fs::path(folder_) / fs::path(path.substr(staging_.size())).relative_path()).string();
}

void ResultFolder::commit() {
  std::error_code error;
  {
    // The manifest: every file this run put in the folder, so that the next run may
    // replace exactly what llmsim wrote.
    std::ofstream manifest(fs::path(staging_) / kManifestName, std::ios::binary | std::ios::trunc);
    for (fs::directory_iterator it(staging_, error), end; !error && it != end; it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (name != kManifestName) manifest << name << '\n';
    }
    if (error || !manifest.flush()) out_error(folder_, "cannot write the manifest of the results folder");
  }
  const bool replacing = fs::exists(fs::symlink_status(folder_, error));
  if (!replacing) {
    fs::rename(staging_, folder_, error);
    if (error) out_error(folder_, "cannot put the results in place: " + error.message());
    committed_ = true;
    return;
  }
  // Swap the two folders in one step; the staging name then holds the old results, which
  // the destructor removes.
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, folder_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    fs::remove_all(staging_, error);  // the previous results; a leftover is removed by the next run
    return;
  }
  if (errno != EINVAL && errno != ENOSYS) {
    out_error(folder_, std::string("cannot put the results in place: ") + std::strerror(errno));
  }
  // A file system without RENAME_EXCHANGE: move the old folder aside, then the new one in.
  const std::string aside = staging_ + "-old";
  fs::rename(folder_, aside, error);
  if (error) out_error(folder_, "cannot move the previous results aside: " + error.message());
  fs::rename(staging_, folder_, error);
  if (error) {
    std::error_code ignored;
    fs::rename(aside, folder_, ignored);
    out_error(folder_, "cannot put the results in place: " + error.message());
  }
  committed_ = true;
  fs::remove_all(aside, error);
}

}  // namespace llmsim::app
