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

#include <unistd.h>

namespace llmsim::fuzz {

/// Writes the `size` bytes at `data` to <temp>/llmsim-fuzz-<pid>/<file_name> (replacing what
/// the previous input left there) and returns that path. The folder is made once per process.
inline std::string write_input_file(const std::uint8_t* data, std::size_t size, const std::string& file_name) {
  static const std::filesystem::path folder = [] {
    auto path = std::filesystem::temp_directory_path() / ("llmsim-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  const std::filesystem::path path = folder / file_name;
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
