// Reading the result files the HTML report draws from (internal to analysis/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/csv_text.h"

namespace llmsim::analysis {

/// Parses a JSON file; InputError naming it when unreadable or invalid.
nlohmann::ordered_json read_json_file(const std::string& path);

/// The numbers of one CSV column (empty cells skipped); InputError naming the file and
/// column when it is missing or a cell is not a number.
std::vector<double> csv_numbers(const CsvTable& table, const std::string& column, const std::string& file);

/// The numbers of the named columns of a CSV file's text (empty cells skipped), read without
/// keeping the other columns; InputError naming the file, line and column when a column is
/// missing or a cell is not a number.
std::vector<std::vector<double>> csv_number_columns(const std::string& text, const std::string& file,
                                                    const std::vector<std::string>& columns);

/// A number at a dotted path of a JSON document, or nullopt when absent or not a number.
std::optional<double> json_number(const nlohmann::ordered_json& document, const std::string& dotted_path);

}  // namespace llmsim::analysis
