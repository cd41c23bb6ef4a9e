// tests/temp_folder.h: test processes clean up the files they write.
#include "tests/temp_folder.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using llmsim::testing::process_temp_folder;
using llmsim::testing::TempFolder;

TEST_CASE("a temp folder is removed with everything in it when its owner goes") {
  const std::filesystem::path path = process_temp_folder() / "owned" / "deeper";
  {
    const TempFolder folder(path);
    CHECK(std::filesystem::is_directory(path));
    std::filesystem::create_directories(path / "a" / "b");
    std::ofstream(path / "a" / "b" / "file.txt") << "text";
    std::ofstream(path / "top.csv") << "1,2\n";
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(std::filesystem::is_directory(process_temp_folder() / "owned"));  // only its own folder
}

TEST_CASE("the process temp folder is one fresh llmsim-tests-* folder in the temp folder") {
  const std::filesystem::path& folder = process_temp_folder();
  CHECK(&folder == &process_temp_folder());
  CHECK(std::filesystem::is_directory(folder));
  CHECK(folder.parent_path() == std::filesystem::temp_directory_path());
  CHECK(folder.filename().string().rfind("llmsim-tests-", 0) == 0);
}
