// Running the real llmsim binary from tests (tests/cli, tests/golden): popen from the
// source folder, so relative preset and scenario paths resolve as in the README.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/temp_folder.h"

namespace llmsim::testing {

struct LlmsimOutcome {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs a shell command line in LLMSIM_SOURCE_DIR, capturing stdout and stderr.
inline LlmsimOutcome run_shell(const std::string& command_line) {
  const std::string command = std::string("cd '") + LLMSIM_SOURCE_DIR + "' && " + command_line + " 2>&1";
  LlmsimOutcome outcome;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) outcome.output.append(buffer.data(), read);
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

/// Runs `llmsim ARGS` (a shell command line) in LLMSIM_SOURCE_DIR.
inline LlmsimOutcome run_llmsim(const std::string& args) {
  return run_shell(std::string("'") + LLMSIM_BINARY + "' " + args);
}

/// The whole file, or "" when it cannot be read.
inline std::string read_whole_file(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return "";
  std::string text;
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) text.append(buffer.data(), read);
  std::fclose(file);
  return text;
}

/// A fresh folder path in the test process's temp folder, unique to `name`.
inline std::string fresh_temp_dir(const std::string& name) {
  const auto dir = process_temp_folder() / name;
  std::filesystem::remove_all(dir);
  return dir.string();
}

}  // namespace llmsim::testing
