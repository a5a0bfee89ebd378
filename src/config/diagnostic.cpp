#include "config/diagnostic.hpp"

namespace cairn::config {

const std::string& Location::file_name() const {
    static const std::string kNone;
    return file ? *file : kNone;
}

Diagnostic Diagnostic::at(const Location& where, Severity severity, std::string message) {
    return Diagnostic{where.file_name(), where.line, severity, std::move(message)};
}

std::string Diagnostic::to_string() const {
    // Appended piece by piece: `":" + std::to_string(line)` makes GCC 12 at -O3 warn falsely (-Wrestrict,
    // GCC PR 105651) inside the temporary's concatenation.
    std::string out = file;
    if (line != 0) {
        out += ':';
        out += std::to_string(line);
    }
    if (!out.empty()) out += ": ";
    if (severity == Severity::Warning) out += "warning: ";
    out += message;
    return out;
}

namespace {
std::string summarize(const std::vector<Diagnostic>& errors) {
    if (errors.empty()) return "invalid configuration";
    std::string text = errors.front().to_string();
    if (errors.size() > 1) {
        text += " (and ";
        text += std::to_string(errors.size() - 1);
        text += " more errors)";
    }
    return text;
}
}  // namespace

ConfigError::ConfigError(std::vector<Diagnostic> errors, std::vector<Diagnostic> warnings)
    : std::runtime_error(summarize(errors)), errors_(std::move(errors)), warnings_(std::move(warnings)) {}

void fail_at(const Location& where, std::string message) {
    throw ParseFailure(Diagnostic::at(where, Severity::Error, std::move(message)));
}

}  // namespace cairn::config
