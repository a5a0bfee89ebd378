// What `cairnd -V` and `cairn --version` print: the version, then how this binary was built and which
// libraries it was compiled with and runs with (as `named -V`).
#pragma once

#include <string>

namespace cairn::cli {

// `program` is the binary's name ("cairnd"); the first line is "cairnd 0.1.0".
std::string version_text(const std::string& program);

}  // namespace cairn::cli
