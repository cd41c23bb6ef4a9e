#include "hw/csv_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/input_error.h"

namespace llmsim::hw {
namespace {

/// Splits on commas. A field that starts with a double quote runs to the closing quote and
/// may hold commas ("TP1,PP2"); "" inside it is one quote. Returns nullopt for a quote left
/// open.
std::optional<std::vector<std::string>> split(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool field_start = true;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      field_start = true;
      continue;
    } else if (c == '"' && field_start) {
      quoted = true;
    } else {
      field += c;
    }
    field_start = false;
  }
  if (quoted) return std::nullopt;
  fields.push_back(std::move(field));
  return fields;
}

std::string trimmed(const std::string& text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  const auto begin = std::find_if(text.begin(), text.end(), not_space);
  const auto end = std::find_if(text.rbegin(), text.rend(), not_space).base();
  return begin < end ? std::string(begin, end) : std::string();
}

}  // namespace

CsvTable::CsvTable(const std::string& path) : path_(path) {
  std::ifstream in(path);
  if (!in) throw core::InputError(path, 0, "", "cannot read the file");
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string content = trimmed(line);
    if (content.empty() || content.front() == '#') continue;
    std::optional<std::vector<std::string>> split_fields = split(content);
    if (!split_fields) throw core::InputError(path, line_number, "", "a quoted field is not closed");
    std::vector<std::string> fields = std::move(*split_fields);
    for (auto& field : fields) field = trimmed(field);
    if (header_.empty()) {
      header_ = std::move(fields);
      continue;
    }
    if (fields.size() != header_.size()) {
      throw core::InputError(path, line_number, "",
                             "expected " + std::to_string(header_.size()) + " fields, got " +
                                 std::to_string(fields.size()));
    }
    cells_.push_back(std::move(fields));
    lines_.push_back(line_number);
  }
  if (header_.empty()) throw core::InputError(path, 0, "", "no header line");
}

bool CsvTable::has_column(const std::string& name) const {
  return std::find(header_.begin(), header_.end(), name) != header_.end();
}

std::size_t CsvTable::column_index(const std::string& name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) throw core::InputError(path_, 0, name, "missing column");
  return static_cast<std::size_t>(it - header_.begin());
}

const std::string& CsvTable::text(std::size_t row, const std::string& column) const {
  return cells_.at(row)[column_index(column)];
}

std::optional<double> CsvTable::maybe_number(std::size_t row, const std::string& column) const {
  const std::string& cell = text(row, column);
  if (cell.empty()) return std::nullopt;
  double value = 0.0;
  const char* first = cell.data();
  const char* last = cell.data() + cell.size();
  if (*first == '+') ++first;
  const auto [end, error] = std::from_chars(first, last, value);
  if (error != std::errc() || end != last || !std::isfinite(value)) {
    throw core::InputError(path_, lines_[row], column, "expected a number, got \"" + cell + "\"");
  }
  return value;
}

double CsvTable::number(std::size_t row, const std::string& column) const {
  const std::optional<double> value = maybe_number(row, column);
  if (!value) throw core::InputError(path_, lines_[row], column, "expected a number, got an empty cell");
  return *value;
}

long long CsvTable::integer(std::size_t row, const std::string& column) const {
  const double value = number(row, column);
  if (value != std::floor(value) || std::fabs(value) > 9.0e15) {
    throw core::InputError(path_, lines_[row], column,
                           "expected an integer, got \"" + text(row, column) + "\"");
  }
  return static_cast<long long>(value);
}

bool CsvTable::boolean(std::size_t row, const std::string& column) const {
  std::string cell = text(row, column);
  std::transform(cell.begin(), cell.end(), cell.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (cell == "true") return true;
  if (cell == "false") return false;
  throw core::InputError(path_, lines_[row], column,
                         "expected true or false, got \"" + text(row, column) + "\"");
}

}  // namespace llmsim::hw
