// Problems found while reading or checking a zone, each tied to FILE:LINE, printed as named-checkzone does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::zone {

enum class Severity : std::uint8_t { Warning, Error };

struct Diagnostic {
    Severity severity = Severity::Error;
    std::string file;  // empty for zone-wide findings that have no single source line
    std::uint32_t line = 0;
    std::string message;

    // "FILE:LINE: message", with "warning: " before warnings; zone-wide findings print the message alone.
    std::string to_text() const;
};

class Diagnostics {
  public:
    void error(std::string file, std::uint32_t line, std::string message);
    void warning(std::string file, std::uint32_t line, std::string message);
    void add(Diagnostic d);

    const std::vector<Diagnostic>& all() const { return items_; }
    std::size_t error_count() const { return errors_; }
    bool has_errors() const { return errors_ > 0; }
    // The first error's message: the reason named-checkzone gives on its "loading ... failed" line.
    std::string first_error() const;

  private:
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
};

}  // namespace cairn::zone
