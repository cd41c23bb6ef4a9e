#include "sim/metrics/result_writer.h"

#include <string>

#include "sim/metrics/requests_csv.h"
#include "sim/metrics/result_file.h"

namespace llmsim::sim {

std::string summary_json_text(const RunResult& result) { return result.summary.dump(2) + "\n"; }

std::string requests_csv_text(const RunResult& result) {
  std::string out;
  RequestsCsvFormatter formatter(result.pool_names, [&out](std::string_view chunk) { out.append(chunk); });
  for (const RequestRecord& record : result.requests) formatter.add(record);
  formatter.flush();
  return out;
}

void write_summary_json(const RunResult& result, const std::string& path) {
  ResultFile file(path);
  file.write(summary_json_text(result));
  file.commit();
}

void write_requests_csv(const RunResult& result, const std::string& path) {
  RequestsCsvStream csv(path, result.pool_names);
  for (const RequestRecord& record : result.requests) csv.add(record);
  csv.commit();
}

}  // namespace llmsim::sim
