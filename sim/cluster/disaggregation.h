// Prefill/decode disaggregation (issue 24): what a scenario's `disaggregation:` section says
// and the KV-transfer link between its two pools.
//
// Token timeline (what the engines document, and what llmsim does):
//  - A request is prefilled on a replica of the prefill pool, which samples its first output
//    token: vLLM's disaggregated proxies send the prefill instance the request with
//    max_tokens 1 and stream the reply of the decode instance (vllm-project/vllm
//    benchmarks/disagg_benchmarks/disagg_prefill_proxy_server.py; the XpYd demo
//    examples/online_serving/disaggregated_serving/disagg_proxy_demo.py), and SGLang's
//    prefill server runs the forward pass that samples the first token and sends it to the
//    decode server with the KV cache (Dynamo's SGLang disaggregation
//    explainer, components/backends/sglang/docs: "Transfer KV cache + metadata", then the
//    decode server streams the output tokens to the client).
//  - The KV cache of its prompt (prompt tokens x the model's KV bytes per token at the prefill
//    pool's KV dtype) is sent to a replica of the decode pool, which the decode pool's
//    router picks when the prefill finishes.
//  - Admission before transfer: the decode replica allocates the blocks the request's KV is
//    written into (its prompt and the first token it computes) before the transfer starts,
//    as soon as it has them, first come first served (SGLang's decode server: "pre-allocate
//    kv once there is available kv", then the transfer queue, python/sglang/srt/
//    disaggregation/decode.py; vLLM's scheduler allocates a remote-prefill request's blocks
//    and then reads the KV into them, state WAITING_FOR_REMOTE_KVS, vllm/v1/core/sched/
//    scheduler.py; Dynamo's SGLang KV-transfer explainer: "Decode Allocates memory for the
//    request, sends allocation info to prefill"). Until then the KV waits on the prefill side.
//  - The prefill replica holds the request's KV blocks until the transfer has read them, and
//    frees them when it ends (vLLM's NixlConnector.request_finished returns
//    delay_free_blocks for a finished remote-decode request and the scheduler frees the blocks
//    only when the connector reports the send done, vllm/distributed/kv_transfer/
//    kv_connector/v1/nixl_connector.py; Dynamo's explainer: "Prefill polls for completion,
//    deallocates kvs"). Held blocks count against the prefill replica's KV cache, so a
//    backlog of transfers slows prefill admission.
//  - The client receives the first token from the decode side, so TTFT counts the transfer:
//    RequestRecord.first_token_ns is when the transfer lands (the prefill's sampling time
//    is earlier). The decode replica then admits the request with its prompt's KV present
//    (Sequence::landed_tokens) into its reserved blocks, ahead of the other waiting requests
//    (WaitingQueue's landed part), and the first token to compute: its next step samples
//    token 2.
//  - Conditional disaggregation (local_prefill_below = N > 0): a prompt of fewer than N
//    tokens is served wholly by the decode pool, with no transfer (NVIDIA Dynamo's
//    disaggregated router prefills locally when the prefill is short: "If the prefill is
//    short or the decode engine has a high prefix cache hit, often it is more efficient to
//    prefill locally in the decode engine", docs.nvidia.com/dynamo/archive/0.2.0/
//    architecture/disagg_serving.html; llmsim's threshold is on the prompt length alone).
//  - A request of one output token finishes on the prefill replica (nothing is left to decode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/cluster/disaggregation_spec.h"
#include "sim/scenario.h"

namespace llmsim::sim {

/// The link between the two pools, or why there is none (a message naming the hardware key
/// that is missing). Both pools on one hardware preset whose scale-up domain
/// (fabric.scale_up_domain_gpus) holds all their GPUs (replicas x PP x DP x TP of each) are
/// placed in one domain and use its scale-up link (interconnect_bandwidth_gb_per_s and
/// interconnect_latency_us); otherwise they sit in different domains and use the scale-out
/// NICs (fabric scale_out_bandwidth and latency; with two presets the slower bandwidth and
/// the longer latency), which both presets must state.
std::optional<std::string> kv_link_between(const PoolSpec& prefill, const PoolSpec& decode, KvLink& link);

/// Whether the pool serves as the prefill pool of a disaggregated scenario.
inline bool is_prefill_pool(const Scenario& scenario, std::int32_t pool) {
  return scenario.disaggregation && scenario.disaggregation->prefill_pool == pool;
}

}  // namespace llmsim::sim
