// CsvTable: a small, strict reader for the comma-separated measurement files calibration and
// validation read. A field may be double-quoted to hold commas ("TP1,PP2"; "" is a quote).
// Lines starting with '#' and blank lines are skipped; the first other line is the header.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace llmsim::hw {

class CsvTable {
 public:
  /// Reads `path`. Throws core::InputError when the file cannot be read, has no header, or
  /// a row has a different number of fields from the header (file:line named).
  explicit CsvTable(const std::string& path);

  const std::string& path() const { return path_; }
  std::size_t rows() const { return cells_.size(); }
  bool has_column(const std::string& name) const;
  /// 1-based line of row `row` in the file, for messages.
  int line(std::size_t row) const { return lines_[row]; }

  /// The text of a cell; throws InputError when the column is missing.
  const std::string& text(std::size_t row, const std::string& column) const;
  /// A finite number; throws InputError (file:line: column: ...) when it is not one.
  double number(std::size_t row, const std::string& column) const;
  /// A number, or std::nullopt for an empty cell.
  std::optional<double> maybe_number(std::size_t row, const std::string& column) const;
  /// An integer (a number with no fractional part); throws otherwise.
  long long integer(std::size_t row, const std::string& column) const;
  /// "true"/"false" in any case ("True" in Python-written files); throws otherwise.
  bool boolean(std::size_t row, const std::string& column) const;

 private:
  std::size_t column_index(const std::string& name) const;

  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> cells_;
  std::vector<int> lines_;
};

}  // namespace llmsim::hw
