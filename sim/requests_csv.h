// requests.csv a row at a time (the format: result_writer.h, requests_csv_text).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/request_record.h"
#include "sim/result_file.h"

namespace llmsim::sim {

/// Formats requests.csv, the header then one row per add(), into a buffer that the caller
/// empties with take() once full(), before the next add(): memory stays at about
/// kChunkBytes whatever the rows.
class RequestsCsvFormatter {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

  /// pool_names[RequestRecord.pool] names the pool column (quoted as CSV needs).
  explicit RequestsCsvFormatter(const std::vector<std::string>& pool_names);

  /// Appends the row of `record`. Precondition: !full().
  void add(const RequestRecord& record);
  /// Whether the buffer holds kChunkBytes or more.
  bool full() const { return static_cast<std::size_t>(end_ - buffer_.get()) >= kChunkBytes; }
  /// What was formatted since the last take() (the header first); valid until the next
  /// add(). Empties the buffer.
  std::string_view take();

 private:
  std::vector<std::string> pools_;  ///< CSV fields of the pool names
  std::unique_ptr<char[]> buffer_;  ///< kChunkBytes and room for one more row
  char* end_ = nullptr;  ///< end of what is formatted
};

/// requests.csv streamed into a ResultFile: rows go to PATH.partial in chunks as they come,
/// and commit() puts the file in place. Not copyable or movable.
class RequestsCsvStream {
 public:
  /// Throws core::InputError naming `path` when it cannot be written.
  RequestsCsvStream(const std::string& path, const std::vector<std::string>& pool_names);

  void add(const RequestRecord& record) {
    formatter_.add(record);
    if (formatter_.full()) file_.write(formatter_.take());
  }
  /// Writes the rest and puts the file in place; throws core::InputError naming the path
  /// when it cannot. Call once, after the last add().
  void commit();

 private:
  RequestsCsvFormatter formatter_;
  ResultFile file_;
};

}  // namespace llmsim::sim
