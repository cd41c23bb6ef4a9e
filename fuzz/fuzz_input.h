// Helpers shared by the libFuzzer harnesses (fuzz/): the fuzzer's bytes as a file, for the
// loaders and trace readers that take a path, and the presets the harnesses pair inputs with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/temp_folder.h"

namespace llmsim::fuzz {

/// Writes the `size` bytes at `data` to <temp>/llmsim-fuzz-XXXXXX/<file_name> (replacing what
/// the previous input left there) and returns that path. The folder is made fresh once per
/// process (tests/temp_folder.h) and removed when the process exits normally: libFuzzer exits
/// when its time is up; a crash leaves the folder, with the input, behind.
inline std::string write_input_file(const std::uint8_t* data, std::size_t size, const std::string& file_name) {
  static const llmsim::testing::TempFolder folder(llmsim::testing::make_fresh_temp_folder("llmsim-fuzz-"));
  const std::filesystem::path path = folder.path() / file_name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.string().c_str());
    std::abort();
  }
  return path.string();
}

/// Stops the fuzzer with a message: a property the harness checks does not hold.
[[noreturn]] inline void property_failed(const char* what) {
  std::fprintf(stderr, "fuzz: property failed: %s\n", what);
  std::abort();
}

}  // namespace llmsim::fuzz
