// Test helper: small fixture files in the test process's temp folder (tests/temp_folder.h).
#pragma once

#include <string>
#include <string_view>

#include "tests/temp_folder.h"

namespace llmsim::workloads::testing {

/// Writes `content` byte for byte to <process temp folder>/workloads/<name> and returns its path.
inline std::string write_temp_file(std::string_view name, std::string_view content) {
  return llmsim::testing::write_test_file("workloads", name, content);
}

}  // namespace llmsim::workloads::testing
