#include "analysis/csv_text.h"

#include "core/input_error.h"
#include "sim/metrics/csv_field.h"

namespace llmsim::analysis {

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    sim::append_csv_field(out, fields[i]);
  }
  return out;
}

void scan_csv(const std::string& text, const std::string& file, const CsvFieldVisitor& on_field,
              const CsvRowEnd& on_row_end) {
  std::string field;
  bool quoted = false;
  bool any = false;  ///< the current line has content
  std::size_t column = 0;
  int line = 1;
  int quote_line = 0;
  int row_line = 1;
  const auto end_row = [&] {
    if (any) {
      on_field(column, field);
      on_row_end(row_line);
    }
    field.clear();
    column = 0;
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      quote_line = line;
      any = true;
    } else if (c == ',') {
      on_field(column++, field);
      field.clear();
      any = true;
    } else if (c == '\n') {
      end_row();
      ++line;
      row_line = line;
    } else if (c != '\r') {
      field += c;
      any = true;
    }
  }
  if (quoted) throw core::InputError(file, quote_line, "", "unterminated quoted CSV field");
  end_row();
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file,
                                                std::vector<int>* row_lines) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  scan_csv(
      text, file, [&row](std::size_t, const std::string& field) { row.push_back(field); },
      [&](int line) {
        rows.push_back(std::move(row));
        row.clear();
        if (row_lines != nullptr) row_lines->push_back(line);
      });
  return rows;
}

long CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<long>(i);
  }
  return -1;
}

CsvTable parse_csv_table(const std::string& text, const std::string& file) {
  std::vector<std::vector<std::string>> rows = parse_csv(text, file);
  if (rows.empty()) throw core::InputError(file, 0, "", "the CSV file has no header line");
  CsvTable table;
  table.header = std::move(rows.front());
  for (std::size_t r = 1; r < rows.size(); ++r) {
    rows[r].resize(table.header.size());
    table.rows.push_back(std::move(rows[r]));
  }
  return table;
}

}  // namespace llmsim::analysis
