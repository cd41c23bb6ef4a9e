// InputError: the one exception type for bad user input (DESIGN.md section 6, rule 5).
// Caught once, in main, which prints what() and exits with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace llmsim::core {

/// A user error located in an input file.
/// what() reads "FILE:LINE: KEY.PATH: MESSAGE"; parts that are unknown are left out
/// (line 0 means "no line", an empty key path means "the file as a whole"). what() is always
/// one printable line (core::printable_one_line: control bytes and broken UTF-8 escaped, at
/// most ~2000 bytes), whatever input text the message quotes; the accessors keep the parts
/// as given.
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, std::string key_path, std::string message);

  /// An error with no file behind it (e.g. a bad command-line value).
  explicit InputError(std::string message);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_ = 0;
  std::string key_path_;
  std::string message_;
};

}  // namespace llmsim::core
