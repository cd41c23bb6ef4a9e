// requests.csv a row at a time (the format: result_writer.h, requests_csv_text).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/request_record.h"
#include "sim/metrics/result_file.h"

namespace llmsim::sim {

/// Formats requests.csv, the header then one row per add(), into a buffer of about
/// kChunkBytes that it hands to its chunk sink whenever it is full, and at flush(): memory
/// stays at about kChunkBytes whatever the rows.
class RequestsCsvFormatter {
 public:
  /// 256 KiB: a 14 MB requests.csv in 56 writes.
  static constexpr std::size_t kChunkBytes = std::size_t{256} << 10;
  /// Told each chunk of text in order; the view is valid during the call only.
  using ChunkSink = std::function<void(std::string_view chunk)>;

  /// pool_names[RequestRecord.pool] names the pool column (quoted as CSV needs).
  RequestsCsvFormatter(const std::vector<std::string>& pool_names, ChunkSink sink);

  /// Appends the row of `record`, handing the buffer to the sink once it is full.
  void add(const RequestRecord& record);
  /// Hands what is left (the header at least, before any chunk) to the sink. Call after the
  /// last add().
  void flush();

 private:
  std::vector<std::string> pools_;  ///< CSV fields of the pool names
  ChunkSink sink_;
  std::unique_ptr<char[]> buffer_;  ///< kChunkBytes and room for one more row
  char* end_ = nullptr;  ///< end of what is formatted
};

/// requests.csv streamed into a ResultFile: rows go to PATH.partial in chunks as they come,
/// and commit() puts the file in place. Not copyable or movable.
class RequestsCsvStream {
 public:
  /// Throws core::InputError naming `path` when it cannot be written.
  RequestsCsvStream(const std::string& path, const std::vector<std::string>& pool_names);
  RequestsCsvStream(const RequestsCsvStream&) = delete;
  RequestsCsvStream& operator=(const RequestsCsvStream&) = delete;

  void add(const RequestRecord& record) { formatter_.add(record); }
  /// Writes the rest and puts the file in place; throws core::InputError naming the path
  /// when it cannot. Call once, after the last add().
  void commit();

 private:
  ResultFile file_;  ///< first: the formatter's sink writes to it
  RequestsCsvFormatter formatter_;
};

}  // namespace llmsim::sim
