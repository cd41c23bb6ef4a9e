// Test helper: small fixture files in the test process's temp folder (tests/temp_folder.h).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tests/temp_folder.h"

namespace llmsim::workloads::testing {

/// Writes `content` byte for byte to <process temp folder>/workloads/<name> and returns its path.
inline std::string write_temp_file(std::string_view name, std::string_view content) {
  const std::filesystem::path folder = llmsim::testing::process_temp_folder() / "workloads";
  std::filesystem::create_directories(folder);
  const std::filesystem::path path = folder / std::string(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path.string();
}

}  // namespace llmsim::workloads::testing
