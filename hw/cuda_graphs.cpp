#include "hw/cuda_graphs.h"

#include <algorithm>

#include "core/invariant.h"

namespace llmsim::hw {

double CudaGraphPadding::padding_tokens(const BatchShape& batch) const {
  const std::int64_t tokens = batch.total_new_tokens();
  if (scope == GraphPaddingScope::none || tokens <= 0) return 0.0;
  if (scope == GraphPaddingScope::decode_batches && !batch.decode_only()) return 0.0;
  const auto size = std::lower_bound(sizes.begin(), sizes.end(), tokens);
  if (size == sizes.end()) return 0.0;  // larger than every graph: eager
  return static_cast<double>(*size - tokens);
}

std::vector<std::int64_t> vllm_v1_capture_sizes(std::int64_t max_num_seqs, std::int64_t max_num_batched_tokens,
                                                std::int64_t decode_query_len) {
  core::check_invariant(max_num_seqs >= 1 && max_num_batched_tokens >= 1 && decode_query_len >= 1,
                        "vllm_v1_capture_sizes: every argument is >= 1");
  constexpr std::int64_t kLargestDefault = 512;
  const std::int64_t largest =
      std::min({max_num_seqs * decode_query_len * 2, kLargestDefault, max_num_batched_tokens});
  std::vector<std::int64_t> sizes = {1, 2, 4};
  for (std::int64_t s = 8; s < 256; s += 8) sizes.push_back(s);
  for (std::int64_t s = 256; s <= largest; s += 16) sizes.push_back(s);
  std::erase_if(sizes, [&](std::int64_t s) { return s > largest; });
  return sizes;
}

CudaGraphPadding CudaGraphSpec::resolve(std::int64_t max_num_seqs, std::int64_t max_num_batched_tokens,
                                        std::int64_t decode_query_len) const {
  CudaGraphPadding padding{.scope = scope, .sizes = sizes};
  if (scope != GraphPaddingScope::none && vllm_v1_sizes) {
    padding.sizes = vllm_v1_capture_sizes(max_num_seqs, max_num_batched_tokens, decode_query_len);
  }
  return padding;
}

}  // namespace llmsim::hw
