#include "zone/diagnostics.hpp"

#include <utility>

namespace cairn::zone {

std::string Diagnostic::to_text() const {
    std::string out;
    if (!file.empty() && line > 0) {
        out += file;
        out += ':';
        out += std::to_string(line);
        out += ": ";
    }
    if (severity == Severity::Warning) out += "warning: ";
    out += message;
    return out;
}

void Diagnostics::error(std::string file, std::uint32_t line, std::string message) {
    add({Severity::Error, std::move(file), line, std::move(message)});
}

void Diagnostics::warning(std::string file, std::uint32_t line, std::string message) {
    add({Severity::Warning, std::move(file), line, std::move(message)});
}

void Diagnostics::add(Diagnostic d) {
    if (d.severity == Severity::Error) ++errors_;
    items_.push_back(std::move(d));
}

std::string Diagnostics::first_error() const {
    for (const Diagnostic& d : items_) {
        if (d.severity == Severity::Error) return d.message;
    }
    return {};
}

}  // namespace cairn::zone
