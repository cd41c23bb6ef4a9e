// Writes small fixture files into the test process's temp folder (tests/temp_folder.h).
#pragma once

#include <string>

#include "tests/temp_folder.h"

namespace llmsim::testing {

/// Writes `text` to <process temp folder>/loader/<name> and returns the full path.
inline std::string write_temp_file(const std::string& name, const std::string& text) {
  return write_test_file("loader", name, text);
}

}  // namespace llmsim::testing
