#include "sim/metrics/result_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "core/input_error.h"

namespace llmsim::sim {
namespace {

[[noreturn]] void cannot_write(const std::string& path, const std::string& why) {
  throw core::InputError(path, 0, "", "cannot write the file: " + why);
}

}  // namespace

ResultFile::ResultFile(std::string path)
    : path_(std::move(path)),
      partial_path_(path_ + ".partial"),
      file_(partial_path_, std::ios::binary | std::ios::trunc) {
  if (!file_) cannot_write(path_, std::strerror(errno));
}

ResultFile::~ResultFile() {
  if (committed_) return;
  file_.close();
  std::error_code ignored;
  std::filesystem::remove(partial_path_, ignored);
}

void ResultFile::write(std::string_view chunk) {
  if (file_) file_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
}

void ResultFile::commit() {
  if (file_) file_.close();
  if (!file_) cannot_write(path_, std::strerror(errno));
  std::error_code error;
  std::filesystem::remove(path_, error);
  if (!error) std::filesystem::rename(partial_path_, path_, error);
  if (error) cannot_write(path_, error.message());
  committed_ = true;
}

}  // namespace llmsim::sim
