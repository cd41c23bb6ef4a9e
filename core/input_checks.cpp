#include "core/input_checks.h"

#include "core/input_error.h"

namespace llmsim::core {

void require_input(bool condition, const char* key, const std::string& message) {
  if (!condition) throw InputError("", 0, key, message);
}

void require_at_least(std::int64_t value, std::int64_t minimum, const char* key) {
  require_input(value >= minimum, key,
                "expected an integer >= " + std::to_string(minimum) + ", got " + std::to_string(value));
}

void require_positive(double value, const char* key) {
  require_input(value > 0.0, key, "expected a positive number, got " + std::to_string(value));
}

void require_fraction(double value, const char* key) {
  require_input(value > 0.0 && value <= 1.0, key,
                "expected a fraction in (0, 1], got " + std::to_string(value));
}

std::optional<std::string> tensor_parallel_problem(const ModelSpec& model, std::int64_t tensor_parallel) {
  if (tensor_parallel < 1 || tensor_parallel > kMaxTensorParallel) {
    return "expected an integer in [1, " + std::to_string(kMaxTensorParallel) + "], got " +
           std::to_string(tensor_parallel);
  }
  if (model.num_attention_heads % tensor_parallel != 0) {
    return "must divide the model's " + std::to_string(model.num_attention_heads) + " attention heads";
  }
  return std::nullopt;
}

std::optional<std::string> kv_cache_dtype_problem(DType dtype) {
  if (dtype == DType::int4 || dtype == DType::tf32 || dtype == DType::mxfp4 || dtype == DType::mxfp6) {
    return "KV cache dtype must be fp32, fp16, bf16, fp8, int8 or nvfp4, got " + std::string(to_string(dtype));
  }
  return std::nullopt;
}

std::optional<std::string> sequence_problem(const ModelSpec& model, std::int64_t input_tokens,
                                            std::int64_t output_tokens) {
  if (input_tokens < 1) return "expected at least 1 input token, got " + std::to_string(input_tokens);
  if (output_tokens < 1) return "expected at least 1 output token, got " + std::to_string(output_tokens);
  const std::int64_t context = model.max_position_embeddings;
  if (context > 0 && (output_tokens > context || input_tokens > context - output_tokens)) {
    return std::to_string(input_tokens) + " input + " + std::to_string(output_tokens) + " output tokens exceed " +
           model.id + "'s context of " + std::to_string(context) + " tokens (max_position_embeddings)";
  }
  return std::nullopt;
}

std::optional<std::string> context_tokens_problem(const ModelSpec& model, std::int64_t tokens) {
  if (tokens < 1) return "expected a positive number of tokens, got " + std::to_string(tokens);
  if (model.max_position_embeddings > 0 && tokens > model.max_position_embeddings) {
    return std::to_string(tokens) + " tokens exceed " + model.id + "'s context of " +
           std::to_string(model.max_position_embeddings) + " tokens (max_position_embeddings)";
  }
  return std::nullopt;
}

std::optional<std::string> token_count_problem(std::int64_t batch, std::int64_t tokens_per_sequence) {
  if (batch >= 1 && tokens_per_sequence >= 1 && batch > kMaxExactTokens / tokens_per_sequence) {
    return std::to_string(batch) + " sequences x " + std::to_string(tokens_per_sequence) +
           " tokens exceed 2^53 tokens, beyond what the FLOP and byte counts hold exactly";
  }
  return std::nullopt;
}

}  // namespace llmsim::core
