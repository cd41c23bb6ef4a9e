// CsvReader: a minimal comma-separated reader for trace files (no quoting, no embedded commas).
#pragma once

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmsim::workloads {

/// Reads a header line, then one row per call. Line endings may be LF or CRLF; a UTF-8 byte
/// order mark before the header is skipped; blank rows are skipped; fields are trimmed of
/// spaces and tabs. Errors throw core::InputError naming the file and the 1-based line.
class CsvReader {
 public:
  /// Opens `path` and reads its header. Throws InputError when the file cannot be opened or
  /// the header line is missing or empty.
  explicit CsvReader(std::string path);

  /// Index of `name` in the header. Throws InputError(file, 1, name, ...) when absent.
  std::size_t column(std::string_view name) const;
  /// Index of `name` in the header, or nullopt when the header has no such column.
  std::optional<std::size_t> find_column(std::string_view name) const;

  /// Reads the next non-blank row into fields(); false at end of file. Throws InputError
  /// when the row's field count differs from the header's.
  bool next_row();

  /// The current row's fields, as many as the header has; valid until the next next_row().
  const std::vector<std::string_view>& fields() const { return fields_; }
  /// 1-based line number of the current row (the header is line 1).
  int line() const { return line_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  std::string text_;                       ///< the current row's raw text
  std::vector<std::string_view> fields_;   ///< views into text_
  int line_ = 0;
};

/// `text` without leading and trailing spaces, tabs and carriage returns.
std::string_view trim_blanks(std::string_view text);

}  // namespace llmsim::workloads
