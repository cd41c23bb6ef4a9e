// ContentIndex: the prefix cache's map from a block's content id to the KV block holding it.
#pragma once

#include <cstdint>
#include <vector>

namespace llmsim::sim {

/// A hash map from 64-bit content id to block id, for at most `max_entries` entries, with
/// open addressing (linear probing, backward-shift deletion) in one array sized at
/// construction and allocated by the first insert: no allocation per entry, and a lookup
/// touches one or two cache lines (std::unordered_map chased a node per lookup and freed one
/// per eviction, which made it the top of beam-search profiles). Any 64-bit key is allowed.
class ContentIndex {
 public:
  using BlockId = std::int32_t;
  static constexpr BlockId kAbsent = -1;

  /// Precondition: max_entries >= 0. 0 makes an index that holds nothing (prefix caching
  /// off); inserting into it is a contract violation.
  explicit ContentIndex(std::int64_t max_entries);

  std::int64_t size() const { return size_; }

  /// The block holding `content_id`, or kAbsent.
  BlockId find(std::uint64_t content_id) const;
  /// Adds content_id -> block; returns false (and changes nothing) when content_id is
  /// already present. Preconditions: block >= 0; a new key only while size() < max_entries.
  bool insert(std::uint64_t content_id, BlockId block);
  /// Removes content_id. Precondition: present.
  void erase(std::uint64_t content_id);

  /// Calls visit(content_id, block) for every entry, in no particular order (for audits).
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Entry& e : entries_) {
      if (e.block != kAbsent) visit(e.content_id, e.block);
    }
  }

 private:
  struct Entry {
    std::uint64_t content_id = 0;
    BlockId block = kAbsent;
  };
  std::size_t home(std::uint64_t content_id) const;
  /// Index of content_id's entry, or of the empty entry where its probe stops.
  std::size_t probe(std::uint64_t content_id) const;

  std::vector<Entry> entries_;  ///< mask_ + 1 entries once the first insert allocates them
  std::size_t mask_ = 0;  ///< the table's power-of-two length - 1, at most half full
  int shift_ = 64;
  std::int64_t max_entries_ = 0;
  std::int64_t size_ = 0;
};

}  // namespace llmsim::sim
