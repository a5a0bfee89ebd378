#include "config/config.hpp"

#include <algorithm>

#include "config/parser.hpp"
#include "dns/name.hpp"

namespace cairn::config {

std::string_view to_string(ZoneType type) {
    switch (type) {
        case ZoneType::Primary:
            return "primary";
        case ZoneType::Secondary:
            return "secondary";
        case ZoneType::Mirror:
            return "mirror";
        case ZoneType::Hint:
            return "hint";
        case ZoneType::Stub:
            return "stub";
        case ZoneType::StaticStub:
            return "static-stub";
        case ZoneType::Forward:
            return "forward";
        case ZoneType::Redirect:
            return "redirect";
        case ZoneType::DelegationOnly:
            return "delegation-only";
    }
    return "?";
}

std::string_view to_string(NotifyMode mode) {
    switch (mode) {
        case NotifyMode::Yes:
            return "yes";
        case NotifyMode::No:
            return "no";
        case NotifyMode::Explicit:
            return "explicit";
        case NotifyMode::PrimaryOnly:
            return "primary-only";
    }
    return "?";
}

namespace {

// Key names compare as domain names: case-insensitive, with or without the trailing dot.
bool same_key_name(std::string_view a, std::string_view b) {
    if (!a.empty() && a.back() == '.') a.remove_suffix(1);
    if (!b.empty() && b.back() == '.') b.remove_suffix(1);
    return dns::equal_ignoring_ascii_case(a, b);
}

}  // namespace

const Acl* Config::find_acl(std::string_view name) const {
    for (const Acl& acl : acls) {
        if (acl.name == name) return &acl;
    }
    return nullptr;
}

const Key* Config::find_key(std::string_view name, const View* view) const {
    if (view != nullptr) {
        for (const Key& key : view->keys) {
            if (same_key_name(key.name_text, name)) return &key;
        }
    }
    for (const Key& key : keys) {
        if (same_key_name(key.name_text, name)) return &key;
    }
    return nullptr;
}

const PrimariesList* Config::find_primaries(std::string_view name) const {
    for (const PrimariesList& list : primaries) {
        if (list.name == name) return &list;
    }
    return nullptr;
}

const DnssecPolicy* builtin_dnssec_policy(std::string_view name) {
    static const DnssecPolicy kDefault = [] {
        DnssecPolicy policy;
        policy.name = "default";
        return policy;
    }();
    static const DnssecPolicy kInsecure = [] {
        DnssecPolicy policy;
        policy.name = "insecure";
        policy.keys.clear();
        policy.keys_written = true;
        return policy;
    }();
    if (name == "default") return &kDefault;
    if (name == "insecure") return &kInsecure;
    return nullptr;
}

const DnssecPolicy* Config::find_dnssec_policy(std::string_view name) const {
    for (const DnssecPolicy& policy : dnssec_policies) {
        if (policy.name == name) return &policy;
    }
    return builtin_dnssec_policy(name);
}

namespace {
const Server* longest_match(const std::vector<Server>& servers, const dns::IpAddress& address) {
    const Server* best = nullptr;
    for (const Server& server : servers) {
        if (server.prefix.contains(address) &&
            (best == nullptr || server.prefix.length > best->prefix.length)) {
            best = &server;
        }
    }
    return best;
}
}  // namespace

const Server* Config::find_server(const dns::IpAddress& address, const View* view) const {
    if (view != nullptr) {
        if (const Server* own = longest_match(view->servers, address)) return own;
    }
    return longest_match(servers, address);
}

std::string Config::resolve_path(std::string_view path) const {
    return join_path(options.directory.value_or(working_directory), path);
}

namespace {
void expand_into(const Config& config, const View* view, const RemoteList& list,
                 std::optional<std::uint16_t> inherited_port, std::vector<Remote>& out, int depth) {
    const std::optional<std::uint16_t> list_port = list.port ? list.port : inherited_port;
    for (const RemoteEntry& entry : list.entries) {
        if (entry.address) {
            Remote remote;
            remote.address = entry.address->address;
            remote.port = entry.address->port.value_or(list_port.value_or(config.default_port()));
            remote.key = entry.key;
            remote.tls = entry.tls;
            if (remote.key.empty()) {
                const Server* server = config.find_server(remote.address, view);
                if (server != nullptr && !server->keys.empty()) remote.key = server->keys.front();
            }
            out.push_back(std::move(remote));
        } else if (depth < 16) {
            if (const PrimariesList* named = config.find_primaries(entry.list_name)) {
                expand_into(config, view, named->list, list_port, out, depth + 1);
            }
        }
    }
}
}  // namespace

std::vector<Remote> Config::expand_remotes(const RemoteList& list, const View* view) const {
    std::vector<Remote> out;
    expand_into(*this, view, list, std::nullopt, out, 0);
    return out;
}

ResolvedZone Config::resolve_zone(const Zone& zone, const View* view) const {
    ResolvedZone r;
    r.zone = &zone;
    r.view = view;
    const ZoneSettings& z = zone.settings;
    const ZoneSettings* v = view ? &view->settings : nullptr;
    const ZoneSettings& o = options.settings;
    auto get = [&](auto member, const auto& fallback) {
        using T = std::decay_t<decltype(fallback)>;
        const std::optional<T>& zv = z.*member;
        if (zv) return *zv;
        if (v != nullptr && (v->*member)) return *(v->*member);
        if (o.*member) return *(o.*member);
        return fallback;
    };
    r.file = zone.file ? resolve_path(*zone.file) : std::string();
    r.allow_query = get(&ZoneSettings::allow_query, AddressMatchList::any());
    r.allow_transfer = get(&ZoneSettings::allow_transfer, AddressMatchList::none());
    r.allow_notify = get(&ZoneSettings::allow_notify, AddressMatchList::none());
    r.allow_update = get(&ZoneSettings::allow_update, AddressMatchList::none());
    r.also_notify = expand_remotes(get(&ZoneSettings::also_notify, RemoteList{}), view);
    if (zone.primaries) r.primaries = expand_remotes(*zone.primaries, view);
    r.notify = get(&ZoneSettings::notify, NotifyMode::Yes);
    r.masterfile_format = get(&ZoneSettings::masterfile_format, MasterfileFormat::Text);
    r.max_journal_size = get(&ZoneSettings::max_journal_size, SizeLimit{});
    const IxfrFromDifferences ixfr = get(&ZoneSettings::ixfr_from_differences, IxfrFromDifferences::No);
    const bool is_primary = zone.type == ZoneType::Primary;
    const bool is_secondary = zone.type == ZoneType::Secondary || zone.type == ZoneType::Mirror;
    r.ixfr_from_differences = ixfr == IxfrFromDifferences::Yes ||
                              (ixfr == IxfrFromDifferences::Primary && is_primary) ||
                              (ixfr == IxfrFromDifferences::Secondary && is_secondary);
    r.min_refresh_time = get(&ZoneSettings::min_refresh_time, r.min_refresh_time);
    r.max_refresh_time = get(&ZoneSettings::max_refresh_time, r.max_refresh_time);
    r.min_retry_time = get(&ZoneSettings::min_retry_time, r.min_retry_time);
    r.max_retry_time = get(&ZoneSettings::max_retry_time, r.max_retry_time);
    r.max_transfer_time_in = get(&ZoneSettings::max_transfer_time_in, r.max_transfer_time_in);
    r.max_transfer_idle_in = get(&ZoneSettings::max_transfer_idle_in, r.max_transfer_idle_in);
    r.max_transfer_time_out = get(&ZoneSettings::max_transfer_time_out, r.max_transfer_time_out);
    r.max_transfer_idle_out = get(&ZoneSettings::max_transfer_idle_out, r.max_transfer_idle_out);
    r.notify_delay = get(&ZoneSettings::notify_delay, r.notify_delay);
    r.request_ixfr = get(&ZoneSettings::request_ixfr, r.request_ixfr);
    r.provide_ixfr = get(&ZoneSettings::provide_ixfr, r.provide_ixfr);
    r.try_tcp_refresh = get(&ZoneSettings::try_tcp_refresh, r.try_tcp_refresh);
    r.multi_master = get(&ZoneSettings::multi_master, r.multi_master);
    const auto optional = [&](auto member) {
        using T = typename std::decay_t<decltype(z.*member)>::value_type;
        std::optional<T> out;
        if (z.*member) {
            out = *(z.*member);
        } else if (v != nullptr && (v->*member)) {
            out = *(v->*member);
        } else if (o.*member) {
            out = *(o.*member);
        }
        return out;
    };
    r.max_zone_ttl = optional(&ZoneSettings::max_zone_ttl);
    if (r.max_zone_ttl == UINT32_MAX) r.max_zone_ttl.reset();  // `unlimited`
    r.max_records = optional(&ZoneSettings::max_records);
    if (r.max_records == 0u) r.max_records.reset();  // BIND: 0 is no limit
    r.transfer_source = optional(&ZoneSettings::transfer_source);
    r.transfer_source_v6 = optional(&ZoneSettings::transfer_source_v6);
    r.notify_source = optional(&ZoneSettings::notify_source);
    r.notify_source_v6 = optional(&ZoneSettings::notify_source_v6);
    const DnssecPolicy* policy = find_dnssec_policy(get(&ZoneSettings::dnssec_policy, std::string("none")));
    if (policy != nullptr && policy->signs()) r.dnssec_policy = policy;
    r.inline_signing = get(&ZoneSettings::inline_signing, r.dnssec_policy != nullptr);
    const auto key_directory = optional(&ZoneSettings::key_directory);
    r.key_directory = resolve_path(key_directory.value_or("."));
    return r;
}

namespace {
template <typename T>
T view_level(const View* view, std::optional<T> ViewSettings::*member, const Options& options, T fallback) {
    if (view != nullptr && view->view_settings.*member) return *(view->view_settings.*member);
    if (options.view_settings.*member) return *(options.view_settings.*member);
    return fallback;
}
}  // namespace

bool Config::recursion(const View* view) const {
    return view_level(view, &ViewSettings::recursion, options, true);
}

std::string Config::dnssec_validation(const View* view) const {
    return view_level<std::string>(view, &ViewSettings::dnssec_validation, options, "auto");
}

std::uint16_t Config::max_udp_size(const View* view) const {
    return view_level<std::uint16_t>(view, &ViewSettings::max_udp_size, options, 1232);
}

std::uint16_t Config::edns_udp_size(const View* view) const {
    return view_level<std::uint16_t>(view, &ViewSettings::edns_udp_size, options, 1232);
}

AddressMatchList Config::allow_query(const View* view) const {
    if (view != nullptr && view->settings.allow_query) return *view->settings.allow_query;
    if (options.settings.allow_query) return *options.settings.allow_query;
    return AddressMatchList::any();
}

const RateLimit* Config::rate_limit(const View* view) const {
    if (view != nullptr && view->view_settings.rate_limit) return &*view->view_settings.rate_limit;
    return options.view_settings.rate_limit ? &*options.view_settings.rate_limit : nullptr;
}

namespace {
std::vector<ListenOn> with_default_port(std::vector<ListenOn> lists, std::uint16_t port) {
    if (lists.empty()) {
        ListenOn any;
        any.addresses = AddressMatchList::any();
        lists.push_back(std::move(any));
    }
    for (ListenOn& listen : lists) {
        if (!listen.port) listen.port = port;
    }
    return lists;
}
}  // namespace

std::vector<ListenOn> Config::listen_on() const {
    return with_default_port(options.listen_on, default_port());
}

std::vector<ListenOn> Config::listen_on_v6() const {
    return with_default_port(options.listen_on_v6, default_port());
}

CompiledAcl Config::compile(const AddressMatchList& list, const HostNetworks& host) const {
    return CompiledAcl::compile(
        list,
        [this](const std::string& name) -> const AddressMatchList* {
            const Acl* acl = find_acl(name);
            return acl ? &acl->list : nullptr;
        },
        host, options.view_settings.match_mapped_addresses.value_or(false));
}

}  // namespace cairn::config
