#include "cli/version.hpp"

#include <fmt/format.h>
#include <lmdb.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <spdlog/version.h>
#include <sys/utsname.h>

#include <CLI/Version.hpp>

#include "build_info.hpp"

namespace cairn::cli {

std::string version_text(const std::string& program) {
    struct utsname host {};
    ::uname(&host);
    std::string text = fmt::format("{} {}\n", program, build::kVersion);
    text += fmt::format("running on {} {} {}\n", host.sysname, host.machine, host.release);
    text += fmt::format("built as {} by {} (C++20), sanitizers: {}\n", build::kBuildType, build::kCompiler,
                        build::kSanitizers);
    text +=
        fmt::format("compiler flags: {}\n", build::kCompilerFlags.empty() ? "(none)" : build::kCompilerFlags);
    text += fmt::format("compiled with {}, linked to {}\n", OPENSSL_VERSION_TEXT,
                        OpenSSL_version(OPENSSL_VERSION));
    int major = 0, minor = 0, patch = 0;
    ::mdb_version(&major, &minor, &patch);
    text += fmt::format("compiled with LMDB {}.{}.{}, linked to LMDB {}.{}.{}\n", MDB_VERSION_MAJOR,
                        MDB_VERSION_MINOR, MDB_VERSION_PATCH, major, minor, patch);
    text += fmt::format("compiled with fmt {}.{}.{}, spdlog {}.{}.{}, CLI11 {}\n", FMT_VERSION / 10000,
                        FMT_VERSION / 100 % 100, FMT_VERSION % 100, SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR,
                        SPDLOG_VER_PATCH, CLI11_VERSION);
    text += "service manager: sd_notify over NOTIFY_SOCKET (Type=notify)";
    return text;
}

}  // namespace cairn::cli
