// CUDA-graph padding: an engine that replays captured CUDA graphs runs a batch of n tokens in
// the graph captured for the smallest size >= n, so the token-proportional work of the step
// (GEMMs, norms, all-reduce, expert routing) runs on the padded count; the padding attends to
// nothing and samples nothing (BatchShape::graph_padding_tokens). Batches larger than the
// largest captured size run eagerly, unpadded. Sources per engine in configs/engines/*.yaml.
// In a MoE model the padding rows are taken as one placeholder token repeated, which the
// router sends to the same experts: they add one token's distinct experts (weight reads) and
// the k grouped-GEMM rows of each padding token. An ASSUMPTION: no engine source read says
// what the padded rows hold; rows routed like real tokens would read more experts.
#pragma once

#include <cstdint>
#include <vector>

#include "hw/batch_shape.h"

namespace llmsim::hw {

/// Which batches an engine runs in captured graphs.
enum class GraphPaddingScope {
  none,            ///< no padding (no graphs, or graphs only for exact sizes)
  decode_batches,  ///< batches of decode tokens alone (SGLang's and vLLM V0's decode graphs)
  all_batches,     ///< any batch of at most the largest size (vLLM V1's piecewise graphs)
};

struct CudaGraphPadding {
  GraphPaddingScope scope = GraphPaddingScope::none;
  std::vector<std::int64_t> sizes;  ///< captured sizes in tokens, ascending, each >= 1

  /// The dummy tokens `batch` runs with: the smallest captured size >= its new tokens, less
  /// them; 0 when the scope excludes the batch, when it is empty, or when it is larger than
  /// every captured size.
  double padding_tokens(const BatchShape& batch) const;
};

/// An engine's graph settings as its preset gives them (configs/engines/*.yaml, cuda_graphs):
/// the sizes either listed or vLLM V1's rule, which depends on the deployment's limits.
struct CudaGraphSpec {
  GraphPaddingScope scope = GraphPaddingScope::none;
  bool vllm_v1_sizes = false;       ///< true: vllm_v1_capture_sizes; false: `sizes`
  std::vector<std::int64_t> sizes;  ///< ascending, each >= 1 (vllm_v1_sizes false)

  /// The padding for an engine whose limits are these; decode_query_len is 1 plus the
  /// speculative tokens per step.
  CudaGraphPadding resolve(std::int64_t max_num_seqs, std::int64_t max_num_batched_tokens,
                           std::int64_t decode_query_len) const;
};

/// vLLM V1's default capture sizes (vllm/config/compilation.py, cudagraph_capture_sizes:
/// [1, 2, 4] + range(8, 256, 8) + range(256, max + 1, 16); vllm/config/vllm.py,
/// _set_cudagraph_sizes: max = min(max_num_seqs x decode_query_len x 2, 512), then at most
/// max_num_batched_tokens, the sizes above max dropped). decode_query_len is 1 plus the
/// speculative tokens per step. Every argument >= 1.
std::vector<std::int64_t> vllm_v1_capture_sizes(std::int64_t max_num_seqs, std::int64_t max_num_batched_tokens,
                                                std::int64_t decode_query_len);

}  // namespace llmsim::hw
