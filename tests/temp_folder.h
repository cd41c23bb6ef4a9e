// Test helper: where a test process writes its files. Everything goes under one folder per
// process, <temp>/llmsim-tests-<pid>, removed when the process exits normally, so that test
// runs do not leave folders behind in the system's temporary folder.
#pragma once

#include <unistd.h>

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

/// <temp>/llmsim-tests-<pid>, created on first use, removed at the process's normal exit.
inline const std::filesystem::path& process_temp_folder() {
  static const TempFolder folder(std::filesystem::temp_directory_path() /
                                 ("llmsim-tests-" + std::to_string(::getpid())));
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
