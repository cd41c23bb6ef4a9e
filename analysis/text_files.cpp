#include "analysis/text_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/input_error.h"
#include "core/input_file.h"

namespace llmsim::analysis {

std::string read_text_file(const std::string& path) {
  // Results files (summary.json, a sweep's manifest and CSV) of long runs are large but
  // never near 1 GiB; a device or FIFO is refused rather than read forever.
  return core::read_input_file(path, std::int64_t{1} << 30);
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) throw core::InputError(parent.string(), 0, "", "cannot create the folder: " + error.message());
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (file) file.close();
  if (!file) throw core::InputError(path, 0, "", std::string("cannot write the file: ") + std::strerror(errno));
}

bool is_folder(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error);
}

bool path_exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

void create_folder(const std::string& dir, const std::string& option) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw core::InputError(dir, 0, option, "cannot create the folder: " + error.message());
}

}  // namespace llmsim::analysis
