#include "core/content_digest.h"

#include <array>
#include <fstream>

namespace llmsim::core {

void ContentDigest::add(std::string_view bytes) {
  for (const char c : bytes) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ULL;
  }
}

std::string ContentDigest::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  std::uint64_t rest = hash_;
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
