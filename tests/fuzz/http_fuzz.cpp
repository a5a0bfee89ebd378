// The statistics channel's HTTP request handling: whatever octets arrive, the reply is a well-formed
// HTTP/1.1 response with a status line, headers and a body of the announced length, or nothing yet while a
// request header is incomplete and within the size limit. Requests that get through reach a handler that
// renders the real report pages from fixed data.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_check.hpp"
#include "stats/http_server.hpp"
#include "stats/report.hpp"

using namespace cairn::stats;

namespace {

using cairn::fuzz::check;

const Report& report() {
    static const Report r = [] {
        Report out;
        out.now = 1700000000;
        out.started_at = 1699990000;
        out.version = "fuzz";
        out.queries.views = {{"_default", 5}};
        out.queries.rate_limited = {{"_default", {1, 2, 3}}};
        auto zone = std::make_shared<cairn::lifecycle::ZoneState>();
        zone->origin = cairn::dns::Name::from_text("example.");
        zone->role = cairn::lifecycle::ZoneRole::secondary;
        zone->phase = cairn::lifecycle::ZonePhase::loaded;
        zone->served_serial = 7;
        zone->timers.expire_at = 1700003600;
        out.zones = {zone};
        return out;
    }();
    return r;
}

HttpResponse route(const std::string& path) {
    if (path == "/metrics") return {200, "text/plain; version=0.0.4", render_prometheus(report())};
    if (path == "/json") return {200, "application/json", render_json(report())};
    if (path == "/") return {200, "text/html; charset=utf-8", render_html(report())};
    return {404, "text/plain", "not found\n"};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string request(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t limit = 64 + data[0] * 32;
    const auto reply = http_reply(request, limit, (data[0] & 1) != 0, route);
    if (!reply) {
        check(request.find("\r\n\r\n") == std::string::npos && request.size() <= limit,
              "waits only when due");
        return 0;
    }
    check(reply->rfind("HTTP/1.1 ", 0) == 0, "a status line");
    const std::size_t header_end = reply->find("\r\n\r\n");
    check(header_end != std::string::npos, "headers end");
    const std::string length_field = "Content-Length: ";
    const std::size_t at = reply->find(length_field);
    check(at != std::string::npos && at < header_end, "a length");
    const std::size_t length = std::stoul(reply->substr(at + length_field.size()));
    std::string method, path;
    const bool parsed = parse_request_line(request, method, path);
    if (parsed) check(!path.empty() && path[0] == '/', "paths are absolute");
    const bool bodiless = reply->size() == header_end + 4 && length > 0;
    check(reply->size() == header_end + 4 + length || (bodiless && parsed && method == "HEAD"),
          "the body has the announced length (HEAD: none)");
    return 0;
}
