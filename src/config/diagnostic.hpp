// Diagnostics of the named.conf loader: every message carries the file and line it is about, in the
// FILE:LINE: MESSAGE form named-checkconf prints.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cairn::config {

// Where a token or statement came from. The file name is shared by every location in that file.
struct Location {
    std::shared_ptr<const std::string> file;
    unsigned line = 0;

    const std::string& file_name() const;
};

enum class Severity { Error, Warning };

struct Diagnostic {
    std::string file;
    unsigned line = 0;  // 0 when the message is about the whole configuration
    Severity severity = Severity::Error;
    std::string message;

    static Diagnostic at(const Location& where, Severity severity, std::string message);
    // "FILE:LINE: MESSAGE" (or "FILE: MESSAGE" without a line), warnings prefixed "warning: ".
    std::string to_string() const;
};

// Thrown by config::load when the configuration is invalid: carries every error found (parse errors stop
// at the first one, semantic checks report all) and the warnings seen before.
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::vector<Diagnostic> errors, std::vector<Diagnostic> warnings);

    const std::vector<Diagnostic>& errors() const { return errors_; }
    const std::vector<Diagnostic>& warnings() const { return warnings_; }

  private:
    std::vector<Diagnostic> errors_;
    std::vector<Diagnostic> warnings_;
};

// A single error at one place, raised inside the parser and turned into a ConfigError by load().
class ParseFailure : public std::runtime_error {
  public:
    explicit ParseFailure(Diagnostic diagnostic)
        : std::runtime_error(diagnostic.to_string()), diagnostic_(std::move(diagnostic)) {}
    const Diagnostic& diagnostic() const { return diagnostic_; }

  private:
    Diagnostic diagnostic_;
};

[[noreturn]] void fail_at(const Location& where, std::string message);

}  // namespace cairn::config
