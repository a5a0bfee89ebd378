#include "resolver/validator.hpp"

#include "dnssec/records.hpp"
#include "resolver/validation_job.hpp"

namespace cairn::resolver {

DnssecValidator::DnssecValidator(ValidationSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock), managed_(settings_.rfc5011) {
    for (const auto& name : settings_.validate_except)
        ntas_.add_permanent(name);
    managed_.configure(settings_.anchors);
    republish_anchors();
}

DnssecValidator::~DnssecValidator() = default;

std::shared_ptr<const TrustAnchorTable> DnssecValidator::anchors() const {
    std::lock_guard lock(anchors_mutex_);
    return anchors_;
}

void DnssecValidator::republish_anchors() {
    auto table = std::make_shared<TrustAnchorTable>();
    for (const auto& a : settings_.anchors) {
        if (a.is_managed()) continue;
        if (a.is_ds())
            table->add_ds(a.zone, a.rdata);
        else
            table->add_dnskey(a.zone, a.rdata);
    }
    for (const auto& t : managed_.trusted()) {
        table->add_zone(t.zone);
        for (const auto& k : t.dnskeys)
            table->add_dnskey(t.zone, k);
        for (const auto& d : t.ds)
            table->add_ds(t.zone, d);
    }
    std::lock_guard lock(anchors_mutex_);
    anchors_ = std::move(table);
}

void DnssecValidator::observe_anchor_dnskeys(const dns::Name& zone, const RRsetData& dnskeys) {
    if (managed_.observe(zone, dnskeys, dnskeys.ttl, clock_.wall_seconds())) {
        republish_anchors();
        keys_.remove(zone);  // the next answer below checks the keys against the new anchors
    }
}

std::unique_ptr<ValidationJob> DnssecValidator::begin(ClassifiedReply& reply, const ReplyContext& context,
                                                      dnssec::WorkBudget& query_work) {
    return make_validation_job(*this, reply, context, query_work);
}

std::optional<SynthesisedDenial> DnssecValidator::synthesise(const dns::Name& qname, dns::RRType qtype) {
    if (!settings_.synth_from_dnssec) return std::nullopt;
    if (ntas_.covering(qname, clock_.wall_seconds())) return std::nullopt;
    dnssec::WorkBudget budget(settings_.per_answer);
    return denials_.synthesise(qname, qtype, clock_.now_seconds(), budget);
}

// BIND's nta.c fetch_done: an answer that validated (or a proven denial) sets the NTA's expiry to now; the
// housekeeping then drops it as any expired one, flushing what was cached below it as insecure.
void DnssecValidator::nta_rechecked(const dns::Name& qname, bool validated) {
    if (validated) ntas_.end_early(qname, clock_.wall_seconds());
}

void DnssecValidator::flushed(const dns::Name* top) {
    if (top == nullptr) {
        keys_.clear();
        denials_.clear();
    } else {
        keys_.remove_tree(*top);
        denials_.remove_tree(*top);
    }
}

void DnssecValidator::maintenance() {
    const std::uint32_t now = clock_.now_seconds();
    keys_.sweep(now);
    denials_.sweep(now);
    managed_.tick(clock_.wall_seconds());
}

std::string DnssecValidator::secroots(const std::string& view) const {
    // BIND 9.18 (dns_keytable_totext, dns_ntatable_totext), after the caller's "secure roots as of" line:
    //
    //    Start view _default
    //      Secure roots:
    //
    //   ./ECDSAP256SHA256/20326 ; managed
    //   example.net/RSASHA256/12345 ; static
    //
    //      Negative trust anchors:
    //
    //   example.com: expiry 07-Dec-2026 17:35:00.000
    //
    // Listed are the keys trusted now: static anchors, managed keys valid or missing, and a managed zone's
    // configured anchors while it is initializing ("; initializing managed"); keys pending or revoked are
    // not (BIND's keytable does not hold them; the managed-keys file does, validation_files.hpp).
    const std::int64_t now = clock_.wall_seconds();
    std::string out = "\n Start view " + view + "\n   Secure roots:\n\n";
    auto key_line = [](const dns::Name& zone, std::uint8_t algorithm, std::uint16_t tag,
                       const std::string& kind) {
        return zone.to_text_without_dot() + "/" + std::string(dns::dnssec_algorithm_mnemonic(algorithm)) +
               "/" + std::to_string(tag) + " ; " + kind + "\n";
    };
    auto anchor_line = [&](const TrustAnchorConfig& a, const std::string& kind) -> std::string {
        const auto id = anchor_id(a);
        return id ? key_line(a.zone, id->algorithm, id->tag, kind) : "";
    };
    for (const auto& a : settings_.anchors) {
        if (!a.is_managed()) out += anchor_line(a, "static");
    }
    for (const auto& z : managed_.zones()) {
        if (!z.initialised) {
            for (const auto& a : z.initial)
                out += anchor_line(a, "initializing managed");
            continue;
        }
        for (const auto& k : z.keys) {
            if (k.trusted()) out += key_line(z.zone, k.algorithm, k.tag, "managed");
        }
    }
    out += "\n   Negative trust anchors:\n\n";
    const std::string ntas = ntas_.dump(now, "");
    if (!ntas.empty()) out += ntas + "\n";
    return out;
}

}  // namespace cairn::resolver
