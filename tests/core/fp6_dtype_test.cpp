// The 6-bit float format (OCP MXFP6): name, bytes with its block scale, KV cache and
// weight-byte rules.
#include <doctest/doctest.h>

#include "core/byte_counts.h"
#include "core/dtype.h"
#include "core/input_checks.h"
#include "core/precision_defaults.h"
#include "tests/core/reference_models.h"

using llmsim::core::DType;

TEST_CASE("mxfp6 parses, prints and counts its E8M0 scale per 32 elements") {
  CHECK(llmsim::core::parse_dtype("mxfp6") == DType::mxfp6);
  CHECK_FALSE(llmsim::core::parse_dtype("fp6").has_value());
  CHECK_FALSE(llmsim::core::parse_dtype("fp6_e3m2").has_value());  // Quark's element names are config.json's
  CHECK(llmsim::core::to_string(DType::mxfp6) == "mxfp6");
  // OCP MX v1.0: 6-bit elements (E2M3 or E3M2) + one 8-bit E8M0 scale per 32 = 6.25 bits = 0.78125 bytes.
  CHECK(llmsim::core::bytes_per_element(DType::mxfp6) == 0.78125);
  CHECK(llmsim::core::is_fp6(DType::mxfp6));
  CHECK_FALSE(llmsim::core::is_fp6(DType::mxfp4));
  CHECK_FALSE(llmsim::core::is_fp4(DType::mxfp6));
  CHECK(llmsim::core::is_sub_byte_float(DType::mxfp6));
  CHECK(llmsim::core::is_sub_byte_float(DType::nvfp4));
  CHECK_FALSE(llmsim::core::is_sub_byte_float(DType::fp8));
  CHECK_FALSE(llmsim::core::is_sub_byte_float(DType::int4));
  CHECK(llmsim::core::dtype_names().ends_with(", nvfp4, mxfp4, mxfp6"));
}

TEST_CASE("7e9 parameters in mxfp6") {
  // 7e9 x 0.78125 = 5.46875e9 (exact in binary floating point).
  CHECK(llmsim::core::parameter_bytes(7e9, DType::mxfp6) == 5.46875e9);
}

TEST_CASE("the KV cache does not take mxfp6, and mxfp6 weights leave it bf16 by default") {
  const auto problem = llmsim::core::kv_cache_dtype_problem(DType::mxfp6);
  REQUIRE(problem.has_value());
  CHECK(*problem == "KV cache dtype must be fp32, fp16, bf16, fp8, int8 or nvfp4, got mxfp6");
  CHECK(llmsim::core::default_kv_cache_dtype(llmsim::core::testing::llama_3_1_8b(), DType::mxfp6) == DType::bf16);
}

TEST_CASE("mxfp6 weights keep the embedding table and LM head in bf16") {
  // Llama-3.1-8B: 8,030,261,248 parameters, of which 2 x 128,256 x 4,096 = 1,050,673,152 are
  // the untied embedding and LM head, at 2 bytes 2,101,346,304. The other 6,979,588,096 (the
  // Linear layers and the norms) at 0.78125 bytes: 5,452,803,200. Sum 7,554,149,504.
  const auto model = llmsim::core::testing::llama_3_1_8b();
  CHECK(llmsim::core::weight_bytes(model, DType::mxfp6) == 7'554'149'504.0);
}
