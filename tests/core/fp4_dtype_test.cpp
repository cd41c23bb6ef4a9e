// The two 4-bit float formats: names, bytes with their block scales, KV cache rules.
#include <doctest/doctest.h>

#include "core/byte_counts.h"
#include "core/dtype.h"
#include "core/input_checks.h"
#include "core/precision_defaults.h"
#include "tests/core/reference_models.h"

using llmsim::core::DType;

TEST_CASE("nvfp4 and mxfp4 parse, print and count their block scales") {
  CHECK(llmsim::core::parse_dtype("nvfp4") == DType::nvfp4);
  CHECK(llmsim::core::parse_dtype("mxfp4") == DType::mxfp4);
  CHECK_FALSE(llmsim::core::parse_dtype("fp4").has_value());
  CHECK(llmsim::core::to_string(DType::nvfp4) == "nvfp4");
  CHECK(llmsim::core::to_string(DType::mxfp4) == "mxfp4");
  // NVFP4: 4 bits + one 8-bit E4M3 scale per 16 elements = 4.5 bits = 0.5625 bytes.
  CHECK(llmsim::core::bytes_per_element(DType::nvfp4) == 0.5625);
  // MXFP4: 4 bits + one 8-bit E8M0 scale per 32 elements = 4.25 bits = 0.53125 bytes.
  CHECK(llmsim::core::bytes_per_element(DType::mxfp4) == 0.53125);
  CHECK(llmsim::core::is_fp4(DType::nvfp4));
  CHECK(llmsim::core::is_fp4(DType::mxfp4));
  CHECK_FALSE(llmsim::core::is_fp4(DType::int4));
  CHECK(llmsim::core::dtype_names() == "fp32, tf32, fp16, bf16, fp8, int8, int4, nvfp4, mxfp4, mxfp6");
}

TEST_CASE("7e9 parameters in nvfp4 and mxfp4") {
  // 7e9 x 0.5625 = 3.9375e9; 7e9 x 0.53125 = 3.71875e9 (both exact in binary floating point).
  CHECK(llmsim::core::parameter_bytes(7e9, DType::nvfp4) == 3.9375e9);
  CHECK(llmsim::core::parameter_bytes(7e9, DType::mxfp4) == 3.71875e9);
}

TEST_CASE("the KV cache takes nvfp4 but not mxfp4") {
  CHECK_FALSE(llmsim::core::kv_cache_dtype_problem(DType::nvfp4).has_value());
  const auto problem = llmsim::core::kv_cache_dtype_problem(DType::mxfp4);
  REQUIRE(problem.has_value());
  CHECK(*problem == "KV cache dtype must be fp32, fp16, bf16, fp8, int8 or nvfp4, got mxfp4");
  // Llama-3.1-8B: 2 x 32 x 8 x 128 = 65,536 elements per token x 0.5625 = 36,864 bytes.
  CHECK(llmsim::core::kv_cache_bytes_per_token(llmsim::core::testing::llama_3_1_8b(), DType::nvfp4) == 36'864.0);
}

TEST_CASE("the default KV cache: the checkpoint's, else fp8 beside fp8 weights, else bf16") {
  llmsim::core::ModelSpec model = llmsim::core::testing::llama_3_1_8b();
  CHECK(llmsim::core::default_kv_cache_dtype(model, DType::bf16) == DType::bf16);
  CHECK(llmsim::core::default_kv_cache_dtype(model, DType::fp8) == DType::fp8);
  CHECK(llmsim::core::default_kv_cache_dtype(model, DType::nvfp4) == DType::bf16);
  model.checkpoint_kv_cache = DType::fp8;
  CHECK(llmsim::core::default_kv_cache_dtype(model, DType::nvfp4) == DType::fp8);
  model.checkpoint_kv_cache = DType::nvfp4;
  CHECK(llmsim::core::default_kv_cache_dtype(model, DType::fp8) == DType::nvfp4);
}

TEST_CASE("fp4 weights keep the embedding table and LM head in bf16") {
  // Llama-3.1-8B: 8,030,261,248 parameters, of which 2 x 128,256 x 4,096 = 1,050,673,152 are the
  // untied embedding and LM head. 6,979,588,096 x 0.5625 + 1,050,673,152 x 2 = 6,027,364,608.
  const auto model = llmsim::core::testing::llama_3_1_8b();
  CHECK(llmsim::core::weight_bytes(model, DType::nvfp4) == 6'027'364'608.0);
  // mxfp4: 6,979,588,096 x 0.53125 + 2,101,346,304 = 5,809,252,480.
  CHECK(llmsim::core::weight_bytes(model, DType::mxfp4) == 5'809'252'480.0);
  // The other formats are unchanged: every weight in the format (8,030,261,248 x 1).
  CHECK(llmsim::core::weight_bytes(model, DType::fp8) == 8'030'261'248.0);
}
