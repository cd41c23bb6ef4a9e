// Test helper: where a test process writes its files. Everything goes under one folder per
// process, <temp>/llmsim-tests-XXXXXX, removed when the process exits normally, so that test
// runs do not leave folders behind in the system's temporary folder. The fuzz harnesses
// (fuzz/fuzz_input.h) use it too.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace llmsim::testing {

/// Owns a folder: creates it (and its parents), and removes it with all it holds when
/// destroyed. A removal that fails is ignored: cleaning up must not fail a test run.
class TempFolder {
 public:
  explicit TempFolder(std::filesystem::path path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A folder made fresh by mkdtemp, <temp>/<prefix>XXXXXX: never one that another process left
/// behind (a folder named after the pid was, once the pid came round again, and under another
/// user it could not be written). Throws std::system_error when it cannot be made.
inline std::filesystem::path make_fresh_temp_folder(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "cannot create " + pattern);
  }
  return pattern;
}

/// <temp>/llmsim-tests-XXXXXX, created on first use, removed at the process's normal exit.
inline const std::filesystem::path& process_temp_folder() {
  static const TempFolder folder(make_fresh_temp_folder("llmsim-tests-"));
  return folder.path();
}

/// Writes `content` byte for byte to <process temp folder>/<folder>/<name>, creating the
/// folders, and returns the file's path.
inline std::string write_test_file(const std::filesystem::path& folder, std::string_view name,
                                   std::string_view content) {
  const std::filesystem::path dir = process_temp_folder() / folder;
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / std::string(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path.string();
}

}  // namespace llmsim::testing
