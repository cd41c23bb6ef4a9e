// Minimal CSV (RFC 4180: comma separated, fields with a comma, quote or newline quoted,
// quotes doubled) for the files llmsim writes and reads: sweep.csv, plan.csv, sweep files,
// requests.csv and timeseries.csv.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace llmsim::analysis {

/// One CSV line (without the newline) from its fields, each as sim::append_csv_field writes it.
std::string csv_line(const std::vector<std::string>& fields);

/// Called with each field of a row, by 0-based column, then with the row's first line.
using CsvFieldVisitor = std::function<void(std::size_t column, const std::string& field)>;
using CsvRowEnd = std::function<void(int line)>;

/// The fields of `text` row by row, without keeping them (for large files of which a few
/// columns are read); the syntax and errors of parse_csv.
void scan_csv(const std::string& text, const std::string& file, const CsvFieldVisitor& on_field,
              const CsvRowEnd& on_row_end);

/// Rows of fields. Accepts \n and \r\n line ends; skips empty lines. Throws
/// InputError(file, line, "", ...) for an unterminated quoted field. When `row_lines` is
/// given it receives the 1-based line on which each row starts.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file,
                                                std::vector<int>* row_lines = nullptr);

/// A CSV table: the header row and the column index of each name.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  ///< each padded or cut to header.size()

  /// Column index of `name`, or -1.
  long column(const std::string& name) const;
};

/// parse_csv, first row as the header. Throws InputError for an empty file.
CsvTable parse_csv_table(const std::string& text, const std::string& file);

}  // namespace llmsim::analysis
