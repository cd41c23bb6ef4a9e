// core/message_text.h and InputError::what(): one short printable line whatever input text a
// message quotes (regression for issue 8: binary trace headers printed NUL and newlines, and
// what() stopped at the first NUL byte).
#include "core/message_text.h"

#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"

using llmsim::core::excerpt;
using llmsim::core::InputError;
using llmsim::core::printable_one_line;
using llmsim::core::quoted_excerpt;

TEST_CASE("printable_one_line escapes control bytes and broken UTF-8 and keeps the rest") {
  CHECK(printable_one_line("plain text: 1, 2") == "plain text: 1, 2");
  CHECK(printable_one_line(std::string("a\0b\nc\td\x7f", 8)) == "a\\x00b\\x0ac\\x09d\\x7f");
  CHECK(printable_one_line("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");   // é and € stay
  CHECK(printable_one_line("\xff\xfe") == "\\xff\\xfe");                                  // never UTF-8
  CHECK(printable_one_line("\xc3") == "\\xc3");                                           // cut sequence
  CHECK(printable_one_line("\xc0\xaf") == "\\xc0\\xaf");                                  // overlong '/'
  CHECK(printable_one_line("\xed\xa0\x80") == "\\xed\\xa0\\x80");                         // a surrogate
}

TEST_CASE("printable_one_line cuts long text and says so") {
  const std::string long_text(5000, 'x');
  const std::string line = printable_one_line(long_text, 100);
  CHECK(line == std::string(100, 'x') + " [...]");
}

TEST_CASE("excerpts are cut at a character boundary") {
  CHECK(excerpt("short", 80) == "short");
  CHECK(excerpt("abcdef", 3) == "abc...");
  CHECK(excerpt("ab\xc3\xa9z", 3) == "ab...");  // does not split the two bytes of é
  CHECK(quoted_excerpt("abcdef", 4) == "\"abcd...\"");
}

TEST_CASE("InputError's what() is one printable line while its parts stay as given") {
  const std::string header("TIME\0STAMP\r\nx", 13);
  const InputError error("trace.csv", 1, "TIMESTAMP", "the header reads " + header);
  const std::string what = error.what();
  CHECK(what == "trace.csv:1: TIMESTAMP: the header reads TIME\\x00STAMP\\x0d\\x0ax");
  CHECK(error.message() == "the header reads " + header);
}
