#include "core/content_digest.h"

#include <array>
#include <fstream>

namespace llmsim::core {
namespace {

constexpr std::uint64_t kPrime = 0x100000001b3ULL;

/// splitmix64's finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014), as workloads::mix64.
std::uint64_t finalise(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

std::uint64_t little_endian_word(const char* bytes) {
  std::uint64_t word = 0;
  for (unsigned i = 0; i < 8; ++i) word |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8U * i);
  return word;
}

}  // namespace

void ContentDigest::take_word(std::uint64_t word) {
  hash_ = (hash_ ^ word) * kPrime;
  hash_ ^= hash_ >> 32U;
}

void ContentDigest::add(std::string_view bytes) {
  length_ += bytes.size();
  std::size_t i = 0;
  while (pending_bytes_ != 0 && i < bytes.size()) {
    pending_ |= std::uint64_t{static_cast<unsigned char>(bytes[i++])} << (8U * pending_bytes_);
    if (++pending_bytes_ == 8) {
      take_word(pending_);
      pending_ = 0;
      pending_bytes_ = 0;
    }
  }
  for (; i + 8 <= bytes.size(); i += 8) take_word(little_endian_word(bytes.data() + i));
  for (; i < bytes.size(); ++i) {
    pending_ |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8U * pending_bytes_);
    ++pending_bytes_;
  }
}

std::uint64_t ContentDigest::value() const {
  ContentDigest last = *this;
  if (last.pending_bytes_ != 0) last.take_word(last.pending_);
  last.take_word(length_);
  return finalise(last.hash_);
}

std::string ContentDigest::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  std::uint64_t rest = value();
  for (std::size_t i = 16; i-- > 0;) {
    text[i] = kDigits[rest & 0xfU];
    rest >>= 4U;
  }
  return text;
}

std::string digest_hex(std::string_view bytes) {
  ContentDigest digest;
  digest.add(bytes);
  return digest.hex();
}

std::optional<std::string> file_digest_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  ContentDigest digest;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.add(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return std::nullopt;
  return digest.hex();
}

}  // namespace llmsim::core
