// Result files of `llmsim run`: summary.json and requests.csv. Both are byte-identical for
// the same scenario and seed: fixed key order, locale-independent number formatting.
#pragma once

#include <string>

#include "sim/cluster/run_result.h"

namespace llmsim::sim {

/// summary.json: result.summary pretty-printed with a 2-space indent and a final newline.
std::string summary_json_text(const RunResult& result);

/// requests.csv, one header line then one line per request in arrival order:
///   id,pool,replica,status,reject_reason,arrival_ns,scheduled_ns,first_token_ns,
///   completion_ns,input_tokens,output_tokens,generated_tokens,cached_tokens,preemptions,
///   queueing_ms,ttft_ms,tpot_ms,e2el_ms
/// Times are integer nanoseconds; the *_ms columns have exactly 6 decimals (1 ns). A field
/// that does not apply (a time that did not happen, TPOT of a one-token output) is empty.
/// pool is the pool's name (quoted when it holds a comma or a quote); replica is -1 for a
/// request rejected before routing.
/// A run without records (SimulatorHooks::keep_request_records = false, or a request_sink)
/// gives the header only: `llmsim run` streams the rows through SimulatorHooks::request_sink
/// into a RequestsCsvStream (sim/metrics/requests_csv.h) instead, the same bytes, or with
/// --no-requests-csv writes no file.
std::string requests_csv_text(const RunResult& result);

/// Writes summary_json_text / requests_csv_text to `path` through a ResultFile (PATH.partial,
/// then moved into place). Throws core::InputError naming the path when it cannot.
void write_summary_json(const RunResult& result, const std::string& path);
void write_requests_csv(const RunResult& result, const std::string& path);

}  // namespace llmsim::sim
