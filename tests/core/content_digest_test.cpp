// core::ContentDigest (issue 22): the digest of bytes does not depend on how they are split
// into pieces, and tells apart texts that differ in one bit, in length, or in order.
#include <doctest/doctest.h>

#include <string>

#include "core/content_digest.h"

using llmsim::core::ContentDigest;
using llmsim::core::digest_hex;

TEST_CASE("a digest is the same however the bytes are split") {
  const std::string text = "point,model,status,error\n0,llama-3.1-8b,ok,\n1,qwen3-8b,failed,does not fit\n";
  const std::string whole = digest_hex(text);
  CHECK(whole.size() == 16);
  CHECK(whole.find_first_not_of("0123456789abcdef") == std::string::npos);
  for (std::size_t first = 0; first <= text.size(); first += 3) {
    for (std::size_t second = first; second <= text.size(); second += 5) {
      ContentDigest digest;
      digest.add(std::string_view(text).substr(0, first));
      digest.add(std::string_view(text).substr(first, second - first));
      digest.add(std::string_view(text).substr(second));
      CHECK(digest.hex() == whole);
    }
  }
}

TEST_CASE("a digest tells apart one flipped bit, a trailing zero byte, and swapped words") {
  const std::string text = "0123456789abcdef";
  std::string flipped = text;
  flipped[15] = static_cast<char>(flipped[15] ^ 0x40);  // the top byte of the second word
  CHECK(digest_hex(flipped) != digest_hex(text));
  CHECK(digest_hex(text + std::string(1, '\0')) != digest_hex(text));
  CHECK(digest_hex("") != digest_hex(std::string(8, '\0')));
  CHECK(digest_hex("89abcdef01234567") != digest_hex(text));
}
