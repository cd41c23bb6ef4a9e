#include "app/listed_requests.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

#include "core/input_error.h"
#include "hw/csv_table.h"
#include "sim/cluster/simulator.h"

namespace llmsim::app {
namespace {

/// A fixed list of requests, open or closed loop (see run_listed).
class ListedRequests final : public sim::RequestSource {
 public:
  ListedRequests(std::vector<workloads::RequestSpec> requests, std::int64_t clients)
      : requests_(std::move(requests)), clients_(clients) {}
  bool closed_loop() const override { return clients_ > 0; }
  std::int64_t clients() const override { return clients_; }
  double think_time_s() const override { return 0.0; }
  std::optional<workloads::RequestSpec> next() override {
    if (next_ >= requests_.size()) return std::nullopt;
    return requests_[next_++];
  }
  std::optional<workloads::RequestSpec> next_at(workloads::TimeNs arrival_ns) override {
    if (next_ >= requests_.size()) return std::nullopt;
    workloads::RequestSpec request = requests_[next_++];
    request.arrival_ns = arrival_ns;
    return request;
  }
  std::int64_t total_requests() const override { return static_cast<std::int64_t>(requests_.size()); }
  bool shares_kv_blocks() const override { return false; }

 private:
  std::vector<workloads::RequestSpec> requests_;
  std::int64_t clients_ = 0;
  std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<sim::RequestSource> listed_source(std::vector<workloads::RequestSpec> requests, std::int64_t clients) {
  return std::make_unique<ListedRequests>(std::move(requests), clients);
}

std::vector<workloads::RequestSpec> llama_sharegpt_trace(const std::string& path) {
  const hw::CsvTable table(path);
  std::vector<workloads::RequestSpec> requests;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.text(r, "tokenizer") != "llama") continue;
    workloads::RequestSpec request;
    request.id = requests.size();
    request.arrival_ns = table.integer(r, "arrival_time_ns");
    request.input_tokens = table.integer(r, "input_toks");
    request.output_tokens = table.integer(r, "output_toks");
    if (request.input_tokens < 1 || request.output_tokens < 1 ||
        (!requests.empty() && request.arrival_ns < requests.back().arrival_ns)) {
      throw core::InputError(path, table.line(r), "", "expected positive lengths and arrivals in time order");
    }
    requests.push_back(request);
  }
  if (requests.empty()) throw core::InputError(path, 0, "", "no llama rows");
  return requests;
}

std::vector<workloads::RequestSpec> sharegpt_like(const std::vector<workloads::RequestSpec>& sample, std::int64_t count,
                                                  double mean_input, double mean_output) {
  // The means of the rows as drawn (row k mod rows for k < count), so that the scaled draw's
  // means are the run's whatever count is.
  double input_sum = 0.0;
  double output_sum = 0.0;
  for (std::int64_t k = 0; k < count; ++k) {
    const workloads::RequestSpec& row = sample[static_cast<std::size_t>(k) % sample.size()];
    input_sum += static_cast<double>(row.input_tokens);
    output_sum += static_cast<double>(row.output_tokens);
  }
  const auto drawn = static_cast<double>(count);
  const double input_scale = mean_input / (input_sum / drawn);
  const double output_scale = mean_output / (output_sum / drawn);
  std::vector<workloads::RequestSpec> requests;
  requests.reserve(static_cast<std::size_t>(count));
  for (std::int64_t k = 0; k < count; ++k) {
    const workloads::RequestSpec& row = sample[static_cast<std::size_t>(k) % sample.size()];
    workloads::RequestSpec request;
    request.id = static_cast<std::uint64_t>(k);
    request.arrival_ns = 0;
    request.input_tokens = std::max<std::int64_t>(1, std::llround(static_cast<double>(row.input_tokens) * input_scale));
    request.output_tokens = std::max<std::int64_t>(1, std::llround(static_cast<double>(row.output_tokens) * output_scale));
    requests.push_back(request);
  }
  return requests;
}

nlohmann::json run_listed(const sim::Scenario& scenario, const std::vector<workloads::RequestSpec>& requests,
                          std::int64_t clients) {
  sim::SimulatorHooks hooks;
  hooks.requests = listed_source(requests, clients);
  sim::Simulator simulator(scenario, std::move(hooks));
  return simulator.run().summary;
}

}  // namespace llmsim::app
