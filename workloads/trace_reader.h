// Trace readers: recorded request traces as TraceRows (arrival, lengths, prefix hashes).
// Every reader returns rows with arrival_s relative to the first row (which gets 0) and their
// file lines, and throws core::InputError(file, line, column-or-key, message) for a missing
// file, a missing header or column, a token count that is not a positive integer, a timestamp
// earlier than the row before it (naming both lines), one kMaxTraceSpanS or more after the
// first row, a malformed line, or a trace with no rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/trace_row.h"
#include "workloads/workload_spec.h"

namespace llmsim::workloads {

/// Longest trace, in seconds from the first row to the last (~285 years): arrival times in
/// integer nanoseconds stay below 2^63.
inline constexpr double kMaxTraceSpanS = 9.0e9;

/// Azure LLM inference trace CSV (Azure/AzurePublicDataset, 2023): header
/// TIMESTAMP,ContextTokens,GeneratedTokens; TIMESTAMP like "2023-11-16 18:15:46.6805900".
/// max_rows > 0 stops after that many rows (later lines are not read); 0 reads every row.
std::vector<TraceRow> read_azure_csv(const std::string& path, std::int64_t max_rows = 0);

/// Mooncake JSONL (kvcache-ai/Mooncake): one object per line,
/// {"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [ids...]}, hash_ids
/// optional (one id per 512-token block, kept as prefix_hashes). Other keys are ignored.
std::vector<TraceRow> read_mooncake_jsonl(const std::string& path, std::int64_t max_rows = 0);

/// llmsim's own CSV: header arrival_s,input_tokens,output_tokens (any column order, extra
/// columns ignored); arrival_s in seconds, any origin.
std::vector<TraceRow> read_plain_csv(const std::string& path, std::int64_t max_rows = 0);

/// Reads spec.path in spec.format, keeps the first spec.max_rows rows (0 = all) and divides
/// every arrival_s by spec.rate_scale (2 = replay twice as fast). Throws InputError with key
/// "workload.trace.rate_scale" / "workload.trace.max_rows" when those are not positive /
/// negative. spec.path is opened as given: the loader resolves relative paths.
std::vector<TraceRow> read_trace(const TraceSpec& spec);

/// The name `format` gives the prompt-length column or key ("ContextTokens", "input_length",
/// "input_tokens"), for messages about a row.
const char* input_tokens_column(TraceFormat format);

enum class TraceColumn { input_tokens, output_tokens };

/// The lengths of one column of `rows`, in row order, for "lengths: empirical from a trace".
/// Note that input and output lengths drawn from two such distributions are independent:
/// the per-row pairing is not kept.
EmpiricalLength empirical_length_from_trace(const std::vector<TraceRow>& rows, TraceColumn column);

}  // namespace llmsim::workloads
