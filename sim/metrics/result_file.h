// ResultFile: one results file, written in chunks and put in place only when complete.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace llmsim::sim {

/// Writes PATH.partial and, on commit(), moves it to PATH. Until then PATH keeps whatever it
/// held: a run that fails part way (bad input found late, a full disk) loses no earlier
/// results, and leaves no .partial behind (the destructor removes it).
///
/// commit() removes the old PATH before the rename instead of renaming over it: ext4 starts
/// writing back a file that replaces another (its replace-via-rename and replace-via-truncate
/// heuristics), which made rewriting a 14 MB requests.csv take about twice as long on the
/// development machine (about 20 ms instead of 9 ms). PATH is therefore briefly absent.
/// Not copyable or movable.
class ResultFile {
 public:
  /// Opens PATH.partial (truncated). Throws core::InputError naming PATH when it cannot.
  explicit ResultFile(std::string path);
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;
  ~ResultFile();

  /// Appends `chunk`. A write error is kept and reported by commit().
  void write(std::string_view chunk);
  /// Closes the file and moves it to PATH. Throws core::InputError naming PATH when any
  /// write failed or the file cannot be put in place. Call once.
  void commit();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string partial_path_;
  std::ofstream file_;
  bool committed_ = false;
};

}  // namespace llmsim::sim
