// Replaying a fixed list of requests in `llmsim validate`: the ShareGPT lengths some
// published runs used, and a source that hands a list to the simulator open loop (each at
// its own arrival time) or closed loop (N clients, each sending the next request of the
// list when its previous one finishes, as `vllm bench serve --max-concurrency N` does).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/cluster/request_source.h"
#include "sim/scenario.h"
#include "workloads/request_spec.h"

namespace llmsim::app {

/// The Llama-tokenizer rows of LLMServingSim's 300-request ShareGPT trace
/// (data/reference/2026/llmservingsim2-fig5_sharegpt-req300-rate10_trace.csv): arrival time
/// and input and output tokens of each, in arrival order. Throws core::InputError on a row
/// without positive lengths or out of time order.
std::vector<workloads::RequestSpec> llama_sharegpt_trace(const std::string& path);

/// `count` requests at t = 0 whose lengths follow ShareGPT's: request k takes the lengths of
/// row k mod rows of `sample` (the trace above), input and output each scaled so that their
/// means over the `count` requests become `mean_input` / `mean_output` (a published run's total tokens over
/// its requests), rounded, at least 1. An APPROXIMATION of the run's own draw from ShareGPT
/// (`vllm bench serve` samples prompts with seed 0; their lengths are not published): the
/// shape, and so the long-output tail that sets how long a burst drains, is the sample's.
/// `count` > 0 and a non-empty sample.
std::vector<workloads::RequestSpec> sharegpt_like(const std::vector<workloads::RequestSpec>& sample, std::int64_t count,
                                                  double mean_input, double mean_output);

/// A request source over `requests`: clients == 0, open loop, each request at its arrival_ns
/// (non-decreasing); clients > 0, closed loop with that many clients and no think time, the
/// arrival times ignored. The requests share no KV blocks.
std::unique_ptr<sim::RequestSource> listed_source(std::vector<workloads::RequestSpec> requests, std::int64_t clients);

/// Runs one scenario over listed_source(requests, clients) and returns summary.json's object.
nlohmann::json run_listed(const sim::Scenario& scenario, const std::vector<workloads::RequestSpec>& requests,
                          std::int64_t clients);

}  // namespace llmsim::app
