// Writes the Prometheus text exposition format (0.0.4): families with their HELP and TYPE lines, then
// samples with escaped label values. The statistics channel's /metrics is built with it.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "stats/report.hpp"

namespace cairn::stats {

class PromWriter {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
    }
    // `labels` is a list of name, value pairs.
    void sample(std::string_view name,
                std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value) {
        out_ += name;
        if (labels.size() != 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [label, text] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += fmt::format("{}=\"{}\"", label, escape_label_value(text));
            }
            out_ += '}';
        }
        out_ += fmt::format(" {}\n", value);
    }
    void sample(std::string_view name, std::uint64_t value) { out_ += fmt::format("{} {}\n", name, value); }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

}  // namespace cairn::stats
