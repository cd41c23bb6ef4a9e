// Reading a whole input file (a scenario, a model or hardware YAML, a config.json, a results
// file) with bounded time and memory (issue 22): only a regular file is read, and only up to
// a size limit, so a directory, a FIFO, a device (/dev/zero, /dev/stdin) or a huge file is a
// clear InputError instead of a hang, an endless read or an exhausted memory.
#pragma once

#include <cstdint>
#include <string>

namespace llmsim::core {

/// Far above any configuration file llmsim reads (the largest shipped one is a few KB; a
/// Hugging Face config.json is under 100 KB).
inline constexpr std::int64_t kMaxConfigFileBytes = std::int64_t{16} << 20;

/// The bytes of the regular file `path`. Throws InputError(path, 0, "", ...) when it cannot
/// be opened ("cannot open file"), is not a regular file ("not a regular file: a
/// directory", "... a FIFO", "... a device"), or holds more than `max_bytes`. The file is
/// opened first and then examined (fstat), so what is read is what was checked.
std::string read_input_file(const std::string& path, std::int64_t max_bytes = kMaxConfigFileBytes);

}  // namespace llmsim::core
