// llmsim: the command-line program. User errors (core::InputError) are caught here, once,
// printed as one line on stderr (InputError::what() is always one printable line), and exit
// with code 2 (DESIGN.md section 5). Exit codes: 0 done, 1 compare found differences, 2 bad
// input, 3 an internal error (an exception that is not an InputError: a bug).
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "app/command_exit.h"
#include "app/commands.h"
#include "core/input_error.h"

namespace {

/// Parses the command line and runs the command; returns the exit code (0, 1 for compare's
/// differences, 2 for bad input).
int run_command_line(int argc, char** argv) {
  CLI::App app{"llmsim: a discrete-event simulator of LLM inference serving"};
  app.require_subcommand(1);
  llmsim::app::add_run_command(app);
  llmsim::app::add_flops_command(app);
  llmsim::app::add_memory_command(app);
  llmsim::app::add_calibrate_command(app);
  llmsim::app::add_validate_command(app);
  llmsim::app::add_sweep_command(app);
  llmsim::app::add_merge_command(app);
  llmsim::app::add_plan_command(app);
  llmsim::app::add_compare_command(app);
  llmsim::app::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help exits 0; usage errors (unknown option, missing argument) are bad input: 2.
    return app.exit(error) == 0 ? 0 : 2;
  } catch (const llmsim::core::InputError& error) {
    std::fprintf(stderr, "llmsim: %s\n", error.what());
    return 2;
  } catch (const llmsim::app::CommandExit& exit) {
    return exit.code;  // a command that finished but reports a non-zero status (compare)
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Any other exception is a bug in llmsim, not bad input: one line and exit code 3 rather
  // than std::terminate's abort.
  try {
    return run_command_line(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "llmsim: internal error: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "llmsim: internal error: an exception that is not a std::exception\n");
  }
  return 3;
}
