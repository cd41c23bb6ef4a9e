// Content digests of result files (issue 22): a 64-bit hash of a file's bytes, written as 16
// lowercase hex digits. They tie the files of one run or one sweep together: a results
// folder's manifest (app/result_folder.h) and a sweep's sweep.json list the digest of each
// file they vouch for, so a file copied in from another run, or edited, is told apart before
// `report` or `merge` reads it. Not a cryptographic hash: it detects accidents (mixed
// folders, stale shards), not an adversary who forges files.
//
// The bytes are taken 8 at a time as little-endian words (so the digest is the same on every
// platform): h = (h ^ word) x P, h ^= h >> 32, with FNV-1a's 64-bit offset basis and prime P
// (Fowler, Noll, Vo; draft-eastlake-fnv, section 2); the last partial word is zero-padded and
// the byte count is folded in, then splitmix64's finaliser (as workloads::mix64) spreads every
// bit. A word at a time rather than FNV-1a's byte at a time: a 14 MB requests.csv is hashed
// at each run's commit, and the byte loop's chain of multiplies cost 6% of bench-100k's run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmsim::core {

/// The digest of bytes given in any number of pieces (the same however they are split).
class ContentDigest {
 public:
  void add(std::string_view bytes);
  std::uint64_t value() const;
  /// value() as 16 lowercase hex digits.
  std::string hex() const;

 private:
  void take_word(std::uint64_t word);

  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
  std::uint64_t pending_ = 0;  ///< bytes of an unfinished word, little-endian
  unsigned pending_bytes_ = 0;
  std::uint64_t length_ = 0;
};

/// The digest of `bytes`, as hex.
std::string digest_hex(std::string_view bytes);

/// The digest of the regular file at `path` (read in pieces, so memory stays small), or
/// nullopt when it cannot be opened or read.
std::optional<std::string> file_digest_hex(const std::string& path);

}  // namespace llmsim::core
