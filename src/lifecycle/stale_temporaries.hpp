// Temporary files an interrupted save left beside a secondary's zone file: "FILE.tmp-PID" (text, written
// then renamed, xfr/zone_save.cpp) and "FILE.tmp.XXXXXX" (raw format). A save killed before its rename
// leaves one; BIND leaves its "tmp-XXXXXXXXXX" files too, and they pile up. cairnd removes a zone's own at
// its first load and logs each.
//
// A directory is listed once per start, not once per zone: 10,000 secondaries sharing one directory made a
// listing per zone quadratic (the start took minutes of readdir). Temporaries named with this process's
// PID are saves in progress, never stale.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cairn::lifecycle {

class StaleTemporaries {
  public:
    // Removes the temporaries of `file` found when its directory was first listed; returns their paths.
    // Safe from any worker thread.
    std::vector<std::string> remove_for(const std::string& file);

    std::size_t directories_listed() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<std::string>>
        candidates_;  // directory -> temporary names not yet removed
};

}  // namespace cairn::lifecycle
