// The doctor's output: the human report (steps, then the verdict with its evidence, blast radius and fix)
// and the JSON document for monitoring, whose schema docs/doctor.md documents:
//   {"name", "type", "verdict", "failure_type", "evidence": [...], "steps": [...], "fix", ...}
#pragma once

#include <string>

#include "doctor/verdict.hpp"

namespace cairn::doctor {

std::string report_text(const Diagnosis& d);
std::string report_json(const Diagnosis& d);  // one JSON object, pretty-printed, newline-terminated

}  // namespace cairn::doctor
