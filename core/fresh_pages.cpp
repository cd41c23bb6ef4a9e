#include "core/fresh_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace llmsim::core {

bool populate_pages(void* begin, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  if (bytes == 0 || page == 0) return false;
  // From the page that holds `begin` (its bytes before `begin` are memory of this
  // process's heap, faulted in or not: populating does not change them) to the last page
  // that the range fills whole (a partial last page faults in on first use, as before).
  const auto first = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t start = first & ~(page - 1);
  const std::uintptr_t end = (first + bytes) & ~(page - 1);
  if (end <= start) return false;
  // An error (a kernel older than 5.14, without MADV_POPULATE_WRITE: EINVAL) leaves the
  // pages to fault in on first use, as they would have.
  char* const start_address = static_cast<char*>(begin) - (first - start);
  return madvise(start_address, end - start, MADV_POPULATE_WRITE) == 0;
#else
  (void)begin;
  (void)bytes;
  return false;
#endif
}

}  // namespace llmsim::core
