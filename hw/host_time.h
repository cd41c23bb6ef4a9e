// HostTime: the serving engine's CPU work per iteration (scheduling, input preparation,
// sampling bookkeeping, detokenisation) and whether the engine hides it behind the GPU.
// It belongs to the engine (configs/engines/), not to the GPU: the same H100 runs a Python
// scheduler that waits for the GPU (vLLM V0) and one that prepares step n+1 while the GPU
// runs step n (vLLM V1 async scheduling, SGLang's overlap scheduler, TensorRT-LLM's overlap
// scheduler).
#pragma once

#include <algorithm>

namespace llmsim::hw {

struct HostTime {
  double iteration_s = 0.0;  ///< CPU time per iteration, seconds (>= 0)
  /// CPU time per sequence in the iteration, seconds (>= 0): scheduling bookkeeping, input
  /// preparation, sampling and output processing (detokenisation, streaming) grow with it.
  double per_seq_s = 0.0;
  /// true: the CPU work of one iteration runs while the GPU runs the previous one, so an
  /// iteration takes max(GPU time, CPU time); false: they take turns, GPU + CPU.
  bool overlapped = false;

  /// CPU time of an iteration of `seqs` sequences, seconds.
  double cpu_s(double seqs) const { return iteration_s + per_seq_s * seqs; }
  /// Wall time of an iteration of `seqs` sequences whose GPU work takes `gpu_s` seconds.
  double step_s(double gpu_s, double seqs) const {
    return overlapped ? std::max(gpu_s, cpu_s(seqs)) : gpu_s + cpu_s(seqs);
  }
};

}  // namespace llmsim::hw
