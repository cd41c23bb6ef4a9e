#include "sim/metrics/summary_table.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace llmsim::sim {
namespace {

using Json = nlohmann::ordered_json;

class Table {
 public:
  explicit Table(const Json& summary) : summary_(summary) {}

  void title(std::string_view text, char fill) {
    const std::size_t width = 50;
    const std::size_t padding = text.size() + 2 <= width ? width - text.size() : 0;
    const std::size_t left = padding / 2;
    out_.append(left, fill);
    out_ += text;
    out_.append(padding - left, fill);
    out_ += '\n';
  }
  void text(std::string_view label, std::string_view value) {
    char line[160];
    std::snprintf(line, sizeof line, "%-40.*s %s\n", static_cast<int>(label.size()), label.data(),
                  std::string(value).c_str());
    out_ += line;
  }
  void number(std::string_view label, double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    text(label, buffer);
  }
  /// summary[section][key] (section empty: top level); "n/a" when null or absent.
  void field(std::string_view label, const char* section, const char* key, int decimals,
             double scale = 1.0) {
    const Json* node = &summary_;
    if (section[0] != '\0') {
      if (!node->contains(section)) return text(label, "n/a");
      node = &(*node)[section];
    }
    if (!node->contains(key) || (*node)[key].is_null()) return text(label, "n/a");
    number(label, (*node)[key].get<double>() * scale, decimals);
  }
  void latency(std::string_view title_text, const char* name, const char* upper) {
    title(title_text, '-');
    const std::string n(name);
    const std::string u(upper);
    for (const char* stat : {"Mean", "Median", "P99"}) {
      std::string key = std::string(stat) + "_" + n + "_ms";
      key[0] = static_cast<char>(key[0] - 'A' + 'a');
      const std::string label = std::string(stat) + " " + u + " (ms):";
      field(std::string_view(label), "", key.c_str(), 2);
    }
  }
  std::string str() && { return std::move(out_); }

 private:
  const Json& summary_;
  std::string out_;
};

}  // namespace

std::string format_summary_table(const RunResult& result, std::optional<double> wall_time_s) {
  const Json& s = result.summary;
  Table t(s);
  t.title(" Serving Benchmark Result ", '=');
  t.field("Successful requests:", "", "completed", 0);
  t.field("Failed requests (rejected):", "", "failed", 0);
  t.field("Benchmark duration, simulated (s):", "", "duration", 2);
  if (wall_time_s) t.number("Wall time of this run (s):", *wall_time_s, 3);
  t.field("Total input tokens:", "", "total_input_tokens", 0);
  t.field("Total generated tokens:", "", "total_output_tokens", 0);
  t.field("Request throughput (req/s):", "", "request_throughput", 2);
  t.field("Output token throughput (tok/s):", "", "output_throughput", 2);
  t.field("Total Token throughput (tok/s):", "", "total_token_throughput", 2);
  if (s.contains("stopped_early") && !s["stopped_early"].is_null()) {
    t.text("Stopped early by:", s["stopped_early"].get<std::string>());
    if (s.contains("stop_diagnosis")) t.text("Diagnosis:", s["stop_diagnosis"].get<std::string>());
    t.field("Unfinished requests:", "", "unfinished_requests", 0);
  }
  t.latency("Time to First Token", "ttft", "TTFT");
  t.latency("Time per Output Token (excl. 1st token)", "tpot", "TPOT");
  t.latency("Inter-token Latency", "itl", "ITL");
  t.latency("End-to-end Latency", "e2el", "E2EL");
  t.title("Goodput and scheduling", '-');
  t.field("SLO attainment (%):", "goodput", "slo_attainment", 2, 100.0);
  t.field("Request goodput (req/s):", "goodput", "goodput_requests_per_s", 2);
  t.field("Mean queueing delay (ms):", "queueing", "mean_queueing_delay_ms", 2);
  t.field("Max waiting requests:", "queueing", "max_waiting_requests", 0);
  t.field("Mean batch size (seqs):", "batching", "mean_batch_size", 2);
  t.field("Preemptions:", "", "preemptions", 0);
  t.field("Prefix cache hit rate (%):", "cache", "prefix_cache_hit_rate", 2, 100.0);
  t.title("Hardware", '-');
  t.field("Compute-bound iterations (%):", "utilization", "compute_bound_iteration_share", 2, 100.0);
  t.field("Memory-bound iterations (%):", "utilization", "memory_bound_iteration_share", 2, 100.0);
  t.field("Mean MFU (%):", "utilization", "mean_mfu", 2, 100.0);
  t.field("Mean HBM bandwidth utilization (%):", "utilization", "mean_hbm_bandwidth_utilization", 2, 100.0);
  t.field("Busy time (%):", "utilization", "busy_time_share", 2, 100.0);
  t.field("KV cache usage mean (%):", "utilization", "kv_cache_usage_mean", 2, 100.0);
  t.field("KV cache usage max (%):", "utilization", "kv_cache_usage_max", 2, 100.0);
  t.title("", '=');
  return std::move(t).str();
}

}  // namespace llmsim::sim
