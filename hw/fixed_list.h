// FixedList: a list of at most N values stored in place, for the few work items of one
// iteration: no allocation, and no slot is written before a value is put in it.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

#include "core/invariant.h"

namespace llmsim::hw {

/// T must be trivially copyable and destructible (plain aggregates of numbers).
template <typename T, std::size_t N>
class FixedList {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr std::size_t kCapacity = N;

  // The slots stay uninitialised (the union has no active member) until push_back
  // constructs a value in them: a list costs what it holds, not its capacity.
  FixedList() = default;

  /// Appends `value`. Aborts when the list already holds N values (a broken invariant:
  /// N is sized for every item an iteration can emit).
  void push_back(const T& value) {
    core::check_invariant(size_ < N, "FixedList: more values than its capacity");
    std::construct_at(&slots_.values[size_], value);
    ++size_;
  }

  /// Appends a value-initialised T and returns it, to be filled in place.
  T& emplace_back() {
    core::check_invariant(size_ < N, "FixedList: more values than its capacity");
    T* value = ::new (static_cast<void*>(&slots_.values[size_])) T{};
    ++size_;
    return *value;
  }

  /// Appends the value `make()` returns, constructed in its slot (no copy), and returns it.
  template <typename Make>
  const T& push_back_from(Make&& make) {
    core::check_invariant(size_ < N, "FixedList: more values than its capacity");
    T* value = ::new (static_cast<void*>(&slots_.values[size_])) T(make());
    ++size_;
    return *value;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return slots_.values[i]; }
  const T* begin() const { return slots_.values; }
  const T* end() const { return slots_.values + size_; }

 private:
  union Slots {
    // Leaves `values` uninitialised; `= default` would be deleted, T having default member
    // initialisers.
    Slots() {}  // NOLINT(modernize-use-equals-default)
    T values[N];  // NOLINT(modernize-avoid-c-arrays)
  };
  Slots slots_;
  std::size_t size_ = 0;
};

}  // namespace llmsim::hw
