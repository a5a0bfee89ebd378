#include "server/validation_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "resolver/validator.hpp"
#include "server/atomic_file.hpp"
#include "server/log_setup.hpp"
#include "server/settings.hpp"

namespace cairn::server {

std::string view_file_name(const std::string& view, const std::string& suffix) {
    std::string out;
    for (std::size_t i = 0; i < view.size(); ++i) {
        const auto c = static_cast<unsigned char>(view[i]);
        if (c == '/' || c == '\\' || c == '%' || c < 0x20 || c == 0x7f || (i == 0 && c == '.')) {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + suffix;
}

namespace {

// A file that cannot be used is kept for the operator instead of being overwritten.
void set_aside(const std::string& path) {
    const std::string aside = path + ".bad";
    if (std::rename(path.c_str(), aside.c_str()) == 0) logs::general().warn("{} kept as {}", path, aside);
}

}  // namespace

void ValidationFiles::load(const std::string& view, resolver::ResolverContext& context) {
    std::lock_guard lock(mutex_);
    view_ = view;
    nta_path_ = view_file_name(view, ".nta");
    managed_keys_path_ =
        view == kDefaultViewName ? std::string("managed-keys.cairn") : view_file_name(view, ".mkeys.cairn");
    auto& validator = context.dnssec();
    const std::int64_t now = context.clock().wall_seconds();
    try {
        if (const auto text = read_whole_file(nta_path_)) {
            std::size_t bad = 0;
            validator.ntas().load_file_text(*text, now, &bad);
            if (bad != 0) logs::general().warn("{}: {} lines that are not NTAs skipped", nta_path_, bad);
            nta_written_ = *text;
            const auto loaded = validator.ntas().list(now);
            for (const auto& a : loaded) {
                if (a.permanent()) continue;
                logs::general().info("negative trust anchor {}/{} restored from {}, expires {}",
                                     a.name.to_text_without_dot(), view, nta_path_,
                                     resolver::bind_date_text(a.expiry));
            }
        }
    } catch (const std::runtime_error& e) {
        logs::general().error("view {}: negative trust anchors not restored: {}", view, e.what());
    }
    if (validator.managed().empty()) return;
    try {
        if (const auto text = read_whole_file(managed_keys_path_)) {
            try {
                validator.managed().load_text(*text);
                validator.republish_anchors();
                logs::general().info("view {}: managed keys restored from {}", view, managed_keys_path_);
            } catch (const std::runtime_error& e) {
                logs::general().error("{}: {}; the managed keys start again from the configured anchors",
                                      managed_keys_path_, e.what());
                set_aside(managed_keys_path_);
            }
        }
    } catch (const std::runtime_error& e) {
        logs::general().error("view {}: managed keys not restored: {}", view, e.what());
    }
    validator.managed().take_dirty();
}

void ValidationFiles::save(resolver::ResolverContext& context) {
    std::lock_guard lock(mutex_);
    if (nta_path_.empty()) return;  // never loaded
    auto& validator = context.dnssec();
    const std::int64_t now = context.clock().wall_seconds();
    const std::string ntas = validator.ntas().to_file_text(now);
    if (ntas != nta_written_) {
        std::string why;
        if (ntas.empty()) {
            if (std::remove(nta_path_.c_str()) == 0 || errno == ENOENT) {
                nta_written_.clear();
            } else {
                logs::general().error("cannot remove {}: {}", nta_path_, std::strerror(errno));
            }
        } else if (write_file_atomically(nta_path_, ntas, why)) {
            nta_written_ = ntas;
        } else {
            logs::general().error("view {}: negative trust anchors not saved: {}", view_, why);
        }
    }
    if (validator.managed().take_dirty() || managed_keys_unsaved_) {
        std::string why;
        managed_keys_unsaved_ =
            !write_file_atomically(managed_keys_path_, validator.managed().to_text(now), why);
        if (managed_keys_unsaved_) logs::general().error("view {}: managed keys not saved: {}", view_, why);
    }
}

}  // namespace cairn::server
