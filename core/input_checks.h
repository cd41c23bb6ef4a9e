// Range checks on numbers a user supplied (command-line values, scenario fields that reach
// core unchanged). Each throws InputError with the field's key and what was expected.
// The *_problem functions return the message of the first problem, or nothing, so that
// every reader (a YAML key, a command-line option) reports it at its own location: one
// rule, one wording, whatever the command (issue 22: memory and flops accept exactly what
// run accepts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/dtype.h"
#include "core/model_spec.h"

namespace llmsim::core {

/// Throws InputError("", 0, key, message) unless `condition` holds.
void require_input(bool condition, const char* key, const std::string& message);

/// An integer >= minimum: "expected an integer >= 1, got 0".
void require_at_least(std::int64_t value, std::int64_t minimum, const char* key);

/// A number > 0: "expected a positive number, got -2.000000".
void require_positive(double value, const char* key);

/// A fraction in (0, 1].
void require_fraction(double value, const char* key);

/// The simulator's clock counts int64 nanoseconds: 2^63 ns is 9.22e9 s. Every time a run
/// can reach (an arrival, the end of a step, a limit) must stay below kClockHorizonS, which
/// leaves room to add a step to any time already reached. The same bound as
/// workloads::kMaxTraceSpanS (a trace's span).
inline constexpr double kClockHorizonS = 9.0e9;
/// "9e9 s (285 years)", for messages.
inline constexpr const char* kClockHorizonText = "9e9 s (285 years, the simulator's int64-nanosecond clock)";

/// Largest tensor-parallel group and replica count a pool may have: far beyond any
/// deployment, and small enough that tp x replicas x (GPUs' figures) stays exact.
inline constexpr std::int64_t kMaxTensorParallel = 64;
inline constexpr std::int64_t kMaxReplicas = 100000;

/// Why `tensor_parallel` cannot serve `model`: outside [1, kMaxTensorParallel], or not a
/// divisor of the attention heads (each GPU computes whole heads). Nothing when it can.
std::optional<std::string> tensor_parallel_problem(const ModelSpec& model, std::int64_t tensor_parallel);

/// Why `dtype` cannot hold a KV cache (int4, tf32, mxfp4 and mxfp6 are weight/compute formats no
/// engine stores KV in; nvfp4 is TensorRT-LLM's NVFP4 KV cache, nvidia.github.io/TensorRT-LLM
/// features/quantization, and needs an FP4 GPU: hw::kv_cache_hardware_problem). Nothing
/// when it can.
std::optional<std::string> kv_cache_dtype_problem(DType dtype);

/// Why a sequence of `input_tokens` prompt + `output_tokens` generated tokens cannot run on
/// `model`: a count below 1 (`minimum_input` is 1, or 0 where a bare decode is meant), or a
/// total beyond max_position_embeddings. Nothing when it can. Never overflows.
std::optional<std::string> sequence_problem(const ModelSpec& model, std::int64_t input_tokens,
                                            std::int64_t output_tokens);

/// Why `tokens` cannot be one sequence of `model`: below 1, or beyond max_position_embeddings.
std::optional<std::string> context_tokens_problem(const ModelSpec& model, std::int64_t tokens);

/// Largest count of tokens a product may reach (batch x tokens per sequence): 2^53, where
/// doubles (FLOPs, bytes) stop counting every token exactly.
inline constexpr std::int64_t kMaxExactTokens = std::int64_t{1} << 53;
/// Why `batch` sequences of `tokens_per_sequence` (both >= 1) exceed kMaxExactTokens.
/// Never overflows.
std::optional<std::string> token_count_problem(std::int64_t batch, std::int64_t tokens_per_sequence);

}  // namespace llmsim::core
