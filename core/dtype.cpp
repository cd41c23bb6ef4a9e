#include "core/dtype.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace llmsim::core {
namespace {

constexpr std::array<std::pair<DType, std::string_view>, 10> kNames{{
    {DType::fp32, "fp32"},
    {DType::tf32, "tf32"},
    {DType::fp16, "fp16"},
    {DType::bf16, "bf16"},
    {DType::fp8, "fp8"},
    {DType::int8, "int8"},
    {DType::int4, "int4"},
    {DType::nvfp4, "nvfp4"},
    {DType::mxfp4, "mxfp4"},
    {DType::mxfp6, "mxfp6"},
}};

// 4-bit elements plus one 8-bit scale per block (dtype.h gives the sources).
constexpr double kFp4ElementBytes = 0.5;
constexpr double kNvfp4BlockElements = 16.0;
constexpr double kMxfp4BlockElements = 32.0;
// 6-bit elements plus one 8-bit E8M0 scale per block of 32 (OCP MX v1.0, as MXFP4).
constexpr double kFp6ElementBytes = 6.0 / 8.0;
constexpr double kMxfp6BlockElements = 32.0;

}  // namespace

double bytes_per_element(DType dtype) {
  switch (dtype) {
    case DType::fp32:
    case DType::tf32:
      return 4.0;
    case DType::fp16:
    case DType::bf16:
      return 2.0;
    case DType::fp8:
    case DType::int8:
      return 1.0;
    case DType::int4:
      return 0.5;
    case DType::nvfp4:
      return kFp4ElementBytes + 1.0 / kNvfp4BlockElements;
    case DType::mxfp4:
      return kFp4ElementBytes + 1.0 / kMxfp4BlockElements;
    case DType::mxfp6:
      return kFp6ElementBytes + 1.0 / kMxfp6BlockElements;
  }
  std::abort();  // unreachable: the switch covers the closed set
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& [dtype, text] : kNames) {
    if (text == name) return dtype;
  }
  return std::nullopt;
}

std::string_view to_string(DType dtype) {
  for (const auto& [d, text] : kNames) {
    if (d == dtype) return text;
  }
  std::abort();  // unreachable: every DType has a name
}

std::string dtype_names() {
  std::string names;
  for (const auto& [dtype, text] : kNames) {
    if (!names.empty()) names += ", ";
    names += text;
  }
  return names;
}

bool is_fp4(DType dtype) { return dtype == DType::nvfp4 || dtype == DType::mxfp4; }

bool is_fp6(DType dtype) { return dtype == DType::mxfp6; }

bool is_sub_byte_float(DType dtype) { return is_fp4(dtype) || is_fp6(dtype); }

}  // namespace llmsim::core
