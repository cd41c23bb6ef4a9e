// Reading and writing whole text files, with core::InputError naming the path.
#pragma once

#include <string>

namespace llmsim::analysis {

/// The file's bytes. Throws InputError(path, "cannot open file") when it cannot be read.
std::string read_text_file(const std::string& path);

/// Writes `text` to `path` (truncating), creating the parent folders. Throws InputError
/// naming the path when it cannot be written.
void write_text_file(const std::string& path, const std::string& text);

/// Whether `path` names a folder, or anything at all. Never throws: a name the file system
/// refuses (too long, no permission) reads as "no", and the caller's own error then names
/// the path (std::filesystem's throwing forms would end the run as an internal error).
bool is_folder(const std::string& path);
bool path_exists(const std::string& path);

/// Creates `dir` and its parents; `option` (e.g. "--out") names the option in the error.
void create_folder(const std::string& dir, const std::string& option);

}  // namespace llmsim::analysis
