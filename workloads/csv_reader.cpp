#include "workloads/csv_reader.h"

#include <utility>

#include "core/input_error.h"
#include "workloads/bounded_line.h"
#include "core/message_text.h"

namespace llmsim::workloads {
namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(trim_blanks(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::string_view trim_blanks(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r";
  const std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

CsvReader::CsvReader(std::string path) : path_(std::move(path)), in_(path_) {
  if (!in_) throw core::InputError(path_, 0, "", "cannot open trace file");
  std::string header_line;
  if (!read_trace_line(in_, header_line, path_, 1)) throw core::InputError(path_, 1, "", "missing header line");
  line_ = 1;
  std::string_view header_view = header_line;
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (header_view.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    header_view.remove_prefix(kByteOrderMark.size());
  }
  if (trim_blanks(header_view).empty()) throw core::InputError(path_, 1, "", "missing header line");
  for (std::string_view name : split_commas(header_view)) header_.emplace_back(name);
}

std::optional<std::size_t> CsvReader::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

std::size_t CsvReader::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  std::string header_text;
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (i > 0) header_text.append(",");
    header_text.append(header_[i]);
  }
  throw core::InputError(path_, 1, std::string(name),
                         "missing column (the header reads " + core::quoted_excerpt(header_text) + ")");
}

bool CsvReader::next_row() {
  while (read_trace_line(in_, text_, path_, line_ + 1)) {
    ++line_;
    if (trim_blanks(text_).empty()) continue;
    fields_ = split_commas(text_);
    if (fields_.size() != header_.size()) {
      throw core::InputError(path_, line_, "",
                             "expected " + std::to_string(header_.size()) + " comma-separated fields, got " +
                                 std::to_string(fields_.size()));
    }
    return true;
  }
  fields_.clear();
  return false;
}

}  // namespace llmsim::workloads
