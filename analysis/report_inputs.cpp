#include "analysis/report_inputs.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "analysis/text_files.h"
#include "core/input_error.h"

namespace llmsim::analysis {

nlohmann::ordered_json read_json_file(const std::string& path) {
  try {
    return nlohmann::ordered_json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& error) {
    throw core::InputError(path, 0, "", std::string("not valid JSON: ") + error.what());
  }
}

std::vector<double> csv_numbers(const CsvTable& table, const std::string& column, const std::string& file) {
  const long index = table.column(column);
  if (index < 0) throw core::InputError(file, 1, column, "missing column");
  std::vector<double> values;
  values.reserve(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& text = table.rows[r][static_cast<std::size_t>(index)];
    if (text.empty()) continue;
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
      throw core::InputError(file, static_cast<int>(r + 2), column, "expected a number, got \"" + text + "\"");
    }
    values.push_back(value);
  }
  return values;
}

std::vector<std::vector<double>> csv_number_columns(const std::string& text, const std::string& file,
                                                    const std::vector<std::string>& columns) {
  std::vector<std::vector<double>> values(columns.size());
  std::vector<long> slot_of_column;        // header column -> index in `columns`, or -1
  std::vector<std::string> cells(columns.size());
  bool header = true;
  scan_csv(
      text, file,
      [&](std::size_t column, const std::string& field) {
        if (header) {
          const auto found = std::find(columns.begin(), columns.end(), field);
          slot_of_column.push_back(found == columns.end() ? -1 : static_cast<long>(found - columns.begin()));
        } else if (column < slot_of_column.size() && slot_of_column[column] >= 0) {
          cells[static_cast<std::size_t>(slot_of_column[column])] = field;
        }
      },
      [&](int line) {
        if (header) {
          header = false;
          for (const std::string& name : columns) {
            if (std::find(slot_of_column.begin(), slot_of_column.end(),
                          static_cast<long>(&name - columns.data())) == slot_of_column.end()) {
              throw core::InputError(file, 1, name, "missing column");
            }
          }
          return;
        }
        for (std::size_t k = 0; k < columns.size(); ++k) {
          const std::string& cell = cells[k];
          if (!cell.empty()) {
            double value = 0.0;
            const char* end = cell.data() + cell.size();
            const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
            if (ec != std::errc() || ptr != end) {
              throw core::InputError(file, line, columns[k], "expected a number, got \"" + cell + "\"");
            }
            values[k].push_back(value);
          }
          cells[k].clear();
        }
      });
  if (header) throw core::InputError(file, 0, "", "the CSV file has no header line");
  return values;
}

std::optional<double> json_number(const nlohmann::ordered_json& document, const std::string& dotted_path) {
  const nlohmann::ordered_json* node = &document;
  std::stringstream parts(dotted_path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &node->at(part);
  }
  if (!node->is_number()) return std::nullopt;
  return node->get<double>();
}

}  // namespace llmsim::analysis
