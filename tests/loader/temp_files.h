// Writes small fixture files into the test process's temp folder (tests/temp_folder.h).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/temp_folder.h"

namespace llmsim::testing {

inline std::filesystem::path temp_folder() {
  const auto folder = process_temp_folder() / "loader";
  std::filesystem::create_directories(folder);
  return folder;
}

/// Writes `text` to temp_folder()/name and returns the full path.
inline std::string write_temp_file(const std::string& name, const std::string& text) {
  const auto path = temp_folder() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace llmsim::testing
