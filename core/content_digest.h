// Content digests of result files (issue 22): 64-bit FNV-1a of a file's bytes, written as 16
// lowercase hex digits. They tie the files of one run or one sweep together: a results
// folder's manifest (app/result_folder.h) and a sweep's sweep.json list the digest of each
// file they vouch for, so a file copied in from another run, or edited, is told apart before
// `report` or `merge` reads it. FNV-1a is not a cryptographic hash: it detects accidents
// (mixed folders, stale shards), not an adversary who forges files.
// The constants are FNV-1a's 64-bit offset basis and prime (Fowler, Noll, Vo; the IETF draft
// draft-eastlake-fnv, section 2), the same as workloads::fnv1a64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmsim::core {

/// FNV-1a over bytes given in any number of pieces.
class ContentDigest {
 public:
  void add(std::string_view bytes);
  std::uint64_t value() const { return hash_; }
  /// 16 lowercase hex digits.
  std::string hex() const;

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

/// The digest of `bytes`, as hex.
std::string digest_hex(std::string_view bytes);

/// The digest of the regular file at `path` (read in pieces, so memory stays small), or
/// nullopt when it cannot be opened or read.
std::optional<std::string> file_digest_hex(const std::string& path);

}  // namespace llmsim::core
