#include "app/result_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <system_error>

#include "core/content_digest.h"
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

/// One file a manifest vouches for.
struct ListedFile {
  std::string bytes;
  std::string digest;  ///< empty in a manifest of an older llmsim, which listed names only
};

/// A committed folder's manifest: "run\t<id>", then one line per file,
/// "<path>\t<bytes>\t<digest>" (path relative to the folder, '/'-separated). Lines of an
/// older llmsim hold the top-level name only.
struct Manifest {
  bool found = false;
  std::string run_id;
  std::map<std::string, ListedFile> files;
};

Manifest read_manifest(const std::string& folder) {
  Manifest manifest;
  std::ifstream in(fs::path(folder) / ResultFolder::kManifestName);
  if (!in) return manifest;
  manifest.found = true;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      manifest.files[line] = ListedFile{};
      continue;
    }
    const std::string first = line.substr(0, tab);
    const std::string rest = line.substr(tab + 1);
    if (first == "run") {
      manifest.run_id = rest;
      continue;
    }
    const std::size_t second_tab = rest.find('\t');
    if (second_tab == std::string::npos) continue;
    manifest.files[first] = ListedFile{rest.substr(0, second_tab), rest.substr(second_tab + 1)};
  }
  return manifest;
}

/// The top-level names a manifest lists ("points" for "points/0003/summary.json").
std::set<std::string> top_level_names(const Manifest& manifest) {
  std::set<std::string> names;
  for (const auto& [path, file] : manifest.files) names.insert(path.substr(0, path.find('/')));
  return names;
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

/// "sweep.shard-I-of-N.json" or ".csv" (analysis/sweep_manifest.h).
bool is_shard_file(const std::string& name) {
  return name.rfind("sweep.shard-", 0) == 0 && (ends_with(name, ".json") || ends_with(name, ".csv"));
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A sweep's points/ folder: numbered folders holding a summary.json each, nothing else.
bool is_points_folder(const fs::path& path) {
  std::error_code error;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    if (!all_digits(it->path().filename().string()) || !it->is_directory(error)) return false;
    for (fs::directory_iterator inner(it->path(), error), inner_end; !error && inner != inner_end;
         inner.increment(error)) {
      if (inner->path().filename() != "summary.json" || !inner->is_regular_file(error)) return false;
    }
  }
  return !error;
}

bool is_result_entry(const fs::directory_entry& entry, const std::set<std::string>& listed) {
  const std::string name = entry.path().filename().string();
  std::error_code error;
  if (name == "points") return entry.is_directory(error) && is_points_folder(entry.path());
  if (!entry.is_regular_file(error)) return false;
  if (name == ResultFolder::kManifestName || listed.count(name) > 0) return true;
  if (ends_with(name, ".partial") || is_shard_file(name)) return true;
  const std::vector<std::string>& known = ResultFolder::result_file_names();
  return std::find(known.begin(), known.end(), name) != known.end();
}

/// Throws unless `folder` is absent, or a folder that holds only result files.
void check_result_folder(const std::string& folder) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(folder, error);
  if (error && error != std::errc::no_such_file_or_directory) out_error(folder, "cannot read: " + error.message());
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) out_error(folder, "exists and is not a folder");
  const std::set<std::string> listed = top_level_names(read_manifest(folder));
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (!is_result_entry(*it, listed)) {
      const std::string name = it->path().filename().string();
      out_error(folder, "holds \"" + name +
                            "\", which llmsim did not write: give an empty or new folder "
                            "(llmsim replaces or adds to a results folder, and never deletes other files)");
    }
  }
  if (error) out_error(folder, "cannot read: " + error.message());
}

/// Staging folders left by killed runs into the same folder whose names start with `prefix`.
/// Called with the lock that covers them held, so none of them belongs to a live run.
void remove_stale_staging(const fs::path& parent, const std::string& prefix) {
  std::error_code error;
  for (fs::directory_iterator it(parent, error), end; !error && it != end; it.increment(error)) {
    const std::string entry = it->path().filename().string();
    if (entry.rfind(prefix, 0) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

/// Opens `lock_path` and flocks it (`operation`: LOCK_EX or LOCK_SH) without waiting. Returns
/// the descriptor; throws naming --out when another process holds a conflicting lock.
int take_lock(const std::string& folder, const std::string& lock_path, int operation, const std::string& holder) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) out_error(folder, "cannot create the lock " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, operation | LOCK_NB) != 0) {
    const int lock_errno = errno;
    ::close(fd);
    if (lock_errno == EWOULDBLOCK) {
      out_error(folder, "another llmsim run is writing " + holder + " (it holds " + lock_path +
                            "); wait for it or choose another --out");
    }
    out_error(folder, "cannot lock " + lock_path + ": " + std::strerror(lock_errno));
  }
  return fd;
}

/// The regular files under `root`, as '/'-separated paths relative to it, sorted.
std::vector<std::string> files_under(const std::string& root) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path().lexically_relative(root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

const std::vector<std::string>& ResultFolder::result_file_names() {
  static const std::vector<std::string> names = {"summary.json", "requests.csv", "samples.csv", "timeseries.csv",
                                                 "report.html",  "sweep.json",   "sweep.csv"};
  return names;
}

ResultFolder::ResultFolder(std::string folder) : folder_(std::move(folder)) { take_locks(); }

ResultFolder::ResultFolder(std::string folder, AddPlan plan) : folder_(std::move(folder)), add_(std::move(plan)) {
  take_locks();
}

void ResultFolder::take_locks() {
  const auto [parent, name] = split(folder_);
  if (name.empty() || name == "." || name == "..") out_error(folder_, "expected a folder name");
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) out_error(folder_, "cannot create the folder: " + error.message());
  const std::string folder_lock = (parent / ("." + name + ".lock")).string();
  lock_fd_ = take_lock(folder_, folder_lock, add_ ? LOCK_SH : LOCK_EX, "into this folder");
  std::string staging_prefix = "." + name + ".partial-";
  if (add_) {
    const std::string part_lock = (parent / ("." + name + "." + add_->part + ".lock")).string();
    part_lock_fd_ = take_lock(folder_, part_lock, LOCK_EX, add_->part + " into this folder");
    staging_prefix += add_->part + "-";
  }
  check_result_folder(folder_);
  remove_stale_staging(parent, staging_prefix);
  static std::atomic<int> counter{0};
  staging_ = (parent / (staging_prefix + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1))))
                 .string();
  fs::create_directory(staging_, error);
  if (error) out_error(folder_, "cannot create the staging folder " + staging_ + ": " + error.message());
}

ResultFolder::~ResultFolder() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
  }
  // Closing releases the flocks.
  if (part_lock_fd_ >= 0) ::close(part_lock_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
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
  if (add_) {
    commit_add();
  } else {
    commit_replace();
  }
}

void ResultFolder::commit_replace() {
  std::error_code error;
  {
    // The manifest: every file this run put in the folder with its size and digest, so that
    // the next run may replace exactly what llmsim wrote and `report` reads only these files.
    std::string listing;
    for (const std::string& file : files_under(staging_)) {
      if (file == kManifestName) continue;
      const std::string path = (fs::path(staging_) / file).string();
      const std::optional<std::string> digest = core::file_digest_hex(path);
      if (!digest) {
        const std::string committed = final_path(path);
        out_error(folder_, "cannot read back " + committed);
      }
      listing += file + "\t" + std::to_string(fs::file_size(path, error)) + "\t" + *digest + "\n";
    }
    std::ofstream manifest(fs::path(staging_) / kManifestName, std::ios::binary | std::ios::trunc);
    manifest << "# llmsim results: the files of one run (path, bytes, core/content_digest.h digest of the bytes)\n"
             << "run\t" << core::digest_hex(listing) << "\n"
             << listing;
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

void ResultFolder::commit_add() {
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) out_error(folder_, "cannot create the folder: " + error.message());
  for (const std::string& stale : add_->remove_first) {
    fs::remove(fs::path(folder_) / stale, error);
    if (error) out_error(folder_, "cannot remove the stale " + stale + ": " + error.message());
  }
  const auto move_in = [&](const std::string& file) {
    const fs::path target = fs::path(folder_) / file;
    fs::create_directories(target.parent_path(), error);
    if (!error) fs::rename(fs::path(staging_) / file, target, error);
    if (error) out_error(folder_, "cannot put " + target.string() + " in place: " + error.message());
  };
  bool has_last = false;
  for (const std::string& file : files_under(staging_)) {
    if (file == add_->last) {
      has_last = true;
    } else {
      move_in(file);
    }
  }
  if (has_last) move_in(add_->last);
  committed_ = true;
  fs::remove_all(staging_, error);  // empty folders by now
}

void ResultFolder::check_files_of_one_run(const std::string& folder, const std::vector<std::string>& names) {
  const Manifest manifest = read_manifest(folder);
  const std::string manifest_path = (fs::path(folder) / kManifestName).string();
  for (const std::string& name : names) {
    const std::string path = (fs::path(folder) / name).string();
    std::error_code error;
    const fs::file_status status = fs::symlink_status(path, error);
    if (!fs::exists(status)) continue;
    const auto refuse = [&](const std::string& why) { throw core::InputError(path, 0, "", why); };
    if (!manifest.found) {
      refuse("no " + manifest_path + " beside it: cannot tell which run wrote the files of this folder (an older "
             "llmsim, or files put together by hand); run the scenario again");
    }
    if (!fs::is_regular_file(status)) refuse("not a regular file");
    const auto listed = manifest.files.find(name);
    if (listed == manifest.files.end() || listed->second.digest.empty()) {
      refuse("not written by run " + manifest.run_id + ", which wrote this folder (" + manifest_path +
             " does not list it): a file of another run");
    }
    const std::optional<std::string> digest = core::file_digest_hex(path);
    if (!digest || *digest != listed->second.digest) {
      refuse("changed since run " + manifest.run_id + " wrote this folder (its bytes do not match " + manifest_path +
             "): a file of another run, or edited");
    }
  }
}

}  // namespace llmsim::app
