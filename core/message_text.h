// Quoting user text inside error messages (InputError), so that one message stays one short
// line whatever the input holds: binary garbage, a 1 MB field, a newline in a quoted string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmsim::core {

/// Longest excerpt of user text quoted in a message, in bytes.
inline constexpr std::size_t kExcerptBytes = 80;

/// `text` cut to at most `max_bytes` bytes (never inside a UTF-8 sequence), with "..." after
/// the cut; unchanged when it is short enough.
std::string excerpt(std::string_view text, std::size_t max_bytes = kExcerptBytes);

/// `text` in double quotes, cut to at most `max_bytes` bytes (never inside a UTF-8 sequence)
/// with "..." after the cut. Bytes are not escaped here: main() prints every message through
/// printable_one_line(), which does that once for the whole line.
std::string quoted_excerpt(std::string_view text, std::size_t max_bytes = kExcerptBytes);

/// `text` made safe to print as one line: control bytes (newline, tab, NUL, DEL...) and bytes
/// that are not part of well-formed UTF-8 become "\xNN"; the result is cut to at most
/// `max_bytes` bytes of input text, with " [...]" appended when it was cut.
std::string printable_one_line(std::string_view text, std::size_t max_bytes = 2000);

}  // namespace llmsim::core
