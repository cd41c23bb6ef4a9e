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
#include <system_error>

namespace llmsim::fuzz {

/// The folder a harness writes its inputs into: made fresh by mkdtemp as
/// <temp>/llmsim-fuzz-XXXXXX, so never one that another process (or another user: a
/// root-owned <temp>/llmsim-fuzz-<pid> left by an earlier run made write_input_file abort),
/// and removed with what it holds when the process exits normally (libFuzzer exits when its
/// time is up; a crash leaves the folder, with the input, behind).
class InputFolder {
 public:
  InputFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "llmsim-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "fuzz: cannot create %s\n", pattern.c_str());
      std::abort();
    }
    path_ = pattern;
  }
  ~InputFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  InputFolder(const InputFolder&) = delete;
  InputFolder& operator=(const InputFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes the `size` bytes at `data` to <InputFolder>/<file_name> (replacing what the previous
/// input left there) and returns that path. The folder is made once per process.
inline std::string write_input_file(const std::uint8_t* data, std::size_t size, const std::string& file_name) {
  static const InputFolder folder;
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
