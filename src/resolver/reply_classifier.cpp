#include "resolver/reply_classifier.hpp"

#include <algorithm>
#include <unordered_set>

namespace cairn::resolver {
namespace {

bool same_name(const dns::Name& a, const dns::Name& b) {
    return a == b;  // case-insensitive
}

dns::Name rdata_name(const std::vector<std::uint8_t>& rdata, std::size_t offset = 0) {
    return dns::Name::from_wire(rdata, offset);
}

const RRsetData* find_rrset(const std::vector<RRsetData>& sets, const dns::Name& owner, dns::RRType type) {
    for (const auto& s : sets) {
        if (s.type == type && same_name(s.owner, owner)) return &s;
    }
    return nullptr;
}

std::size_t record_count(const std::vector<RRsetData>& sets) {
    std::size_t n = 0;
    for (const auto& s : sets)
        n += s.rdatas.size() + s.sigs.size();
    return n;
}

}  // namespace

std::string_view to_string(ReplyKind kind) {
    switch (kind) {
        case ReplyKind::answer:
            return "answer";
        case ReplyKind::restart:
            return "restart";
        case ReplyKind::nxdomain:
            return "NXDOMAIN";
        case ReplyKind::nodata:
            return "NODATA";
        case ReplyKind::referral:
            return "referral";
        case ReplyKind::lame:
            return "lame";
        case ReplyKind::server_error:
            return "error";
        case ReplyKind::invalid:
            return "invalid";
    }
    return "?";
}

std::vector<RRsetData> group_rrsets(const std::vector<dns::ResourceRecord>& records) {
    std::vector<RRsetData> sets;
    std::vector<const dns::ResourceRecord*> sigs;
    for (const auto& rr : records) {
        if (rr.rclass != dns::RRClass::IN || rr.type == dns::RRType::OPT || rr.type == dns::RRType::TSIG)
            continue;
        if (rr.type == dns::RRType::RRSIG) {
            sigs.push_back(&rr);
            continue;
        }
        auto it = std::find_if(sets.begin(), sets.end(), [&](const RRsetData& s) {
            return s.type == rr.type && same_name(s.owner, rr.owner);
        });
        if (it == sets.end()) {
            RRsetData set;
            set.owner = rr.owner;
            set.type = rr.type;
            set.ttl = rr.ttl;
            sets.push_back(std::move(set));
            it = sets.end() - 1;
        }
        it->ttl = std::min(it->ttl, rr.ttl);
        if (std::find(it->rdatas.begin(), it->rdatas.end(), rr.rdata) == it->rdatas.end())
            it->rdatas.push_back(rr.rdata);
    }
    for (const auto* sig : sigs) {
        if (sig->rdata.size() < 2) continue;
        const auto covered = static_cast<dns::RRType>((sig->rdata[0] << 8) | sig->rdata[1]);
        for (auto& s : sets) {
            if (s.type == covered && same_name(s.owner, sig->owner)) {
                if (std::find(s.sigs.begin(), s.sigs.end(), sig->rdata) == s.sigs.end())
                    s.sigs.push_back(sig->rdata);
                s.ttl = std::min(s.ttl, sig->ttl);
                break;
            }
        }
    }
    return sets;
}

std::optional<dns::Name> dname_substitute(const dns::Name& name, const dns::Name& owner,
                                          const dns::Name& target) {
    const std::size_t prefix = name.wire_size() - owner.wire_size();
    if (prefix + target.wire_size() > dns::kMaxNameLength) return std::nullopt;
    std::vector<std::uint8_t> wire(name.wire().begin(),
                                   name.wire().begin() + static_cast<std::ptrdiff_t>(prefix));
    wire.insert(wire.end(), target.wire().begin(), target.wire().end());
    return dns::Name::from_validated_wire(wire);
}

ClassifiedReply classify_reply(const dns::Message& reply, const ClassifyInput& in) {
    ClassifiedReply r;
    r.rcode = reply.rcode();
    r.authoritative = reply.header.aa;
    r.edns = reply.edns.has_value();
    r.final_name = in.qname;
    if (r.rcode != dns::Rcode::NOERROR && r.rcode != dns::Rcode::NXDOMAIN) {
        r.kind = ReplyKind::server_error;
        return r;
    }
    const bool trusted = r.authoritative || in.forwarding;
    const Rank answer_rank = r.authoritative ? Rank::auth_answer : Rank::answer;
    // A forwarder's negative answer is its (recursive) answer: answerable like its positive ones.
    const Rank authority_rank = r.authoritative ? Rank::auth_authority
                                : in.forwarding ? Rank::answer
                                                : Rank::authority;
    auto in_zone = [&](const dns::Name& n) { return n.is_subdomain_of(in.zone); };

    const std::vector<RRsetData> answer = group_rrsets(reply.answer);
    const std::vector<RRsetData> authority = group_rrsets(reply.authority);
    const std::vector<RRsetData> additional = group_rrsets(reply.additional);
    const std::size_t total = record_count(answer) + record_count(authority) + record_count(additional);
    std::size_t used = 0;
    auto keep = [&](RRsetData set, Rank rank) {
        set.rank = rank;
        used += set.rdatas.size() + set.sigs.size();
        return set;
    };

    // The answer chain from the question name.
    dns::Name sname = in.qname;
    std::vector<dns::Name> seen{sname};
    bool data = false;
    while (in_zone(sname)) {
        if (in.qtype == dns::RRType::ANY) {
            for (const auto& s : answer) {
                if (same_name(s.owner, sname)) {
                    r.chain.push_back(keep(s, answer_rank));
                    data = true;
                }
            }
            if (data) break;
        } else if (const RRsetData* s = find_rrset(answer, sname, in.qtype)) {
            r.chain.push_back(keep(*s, answer_rank));
            data = true;
            break;
        }
        // The deepest DNAME above the name, within the zone.
        const RRsetData* dname = nullptr;
        if (in.qtype != dns::RRType::DNAME) {
            for (const auto& s : answer) {
                if (s.type != dns::RRType::DNAME || s.rdatas.size() != 1 || !in_zone(s.owner) ||
                    same_name(s.owner, sname) || !sname.is_subdomain_of(s.owner))
                    continue;
                if (dname == nullptr || s.owner.label_count() > dname->owner.label_count()) dname = &s;
            }
        }
        dns::Name next;
        if (dname != nullptr) {
            const auto target = dname_substitute(sname, dname->owner, rdata_name(dname->rdatas[0]));
            if (!target) {
                r.kind = ReplyKind::invalid;
                r.problem = "DNAME at " + dname->owner.to_text() + " makes " + sname.to_text() + " too long";
                return r;
            }
            r.chain.push_back(keep(*dname, answer_rank));
            RRsetData synthesised;
            synthesised.owner = sname;
            synthesised.type = dns::RRType::CNAME;
            synthesised.ttl = dname->ttl;
            synthesised.rank = answer_rank;
            synthesised.dname_owner = dname->owner;
            synthesised.rdatas.emplace_back(target->wire().begin(), target->wire().end());
            r.chain.push_back(std::move(synthesised));
            if (const RRsetData* given = find_rrset(answer, sname, dns::RRType::CNAME))
                used += given->rdatas.size() + given->sigs.size();  // replaced by ours, not dropped
            next = *target;
        } else if (in.qtype != dns::RRType::CNAME) {
            const RRsetData* cname = find_rrset(answer, sname, dns::RRType::CNAME);
            if (cname == nullptr) break;
            if (cname->rdatas.size() != 1) {
                r.kind = ReplyKind::invalid;
                r.problem = "CNAME RRset at " + sname.to_text() + " has " +
                            std::to_string(cname->rdatas.size()) + " records";
                return r;
            }
            r.chain.push_back(keep(*cname, answer_rank));
            next = rdata_name(cname->rdatas[0]);
        } else {
            break;
        }
        if (std::find(seen.begin(), seen.end(), next) != seen.end()) {
            r.kind = ReplyKind::invalid;
            r.problem = "CNAME loop at " + next.to_text();
            return r;
        }
        if (seen.size() > in.max_chain) {
            r.kind = ReplyKind::invalid;
            r.problem = "CNAME chain longer than " + std::to_string(in.max_chain);
            return r;
        }
        seen.push_back(next);
        sname = next;
    }
    r.final_name = sname;

    // The zone's own NS set (an authoritative answer's authority section) and the addresses of its servers.
    auto take_ns_and_glue = [&](const RRsetData& ns, Rank ns_rank) {
        r.ns = keep(ns, ns_rank);
        for (const auto& rdata : ns.rdatas) {
            const dns::Name target = rdata_name(rdata);
            if (!in_zone(target)) continue;
            for (const auto& s : additional) {
                if ((s.type == dns::RRType::A || s.type == dns::RRType::AAAA) && same_name(s.owner, target))
                    r.glue.push_back(keep(s, Rank::glue));
            }
        }
    };
    // NSEC and NSEC3 RRsets within the zone asked: whatever the kind, the validator decides what they prove.
    auto take_denial = [&] {
        for (const auto& s : authority) {
            if ((s.type == dns::RRType::NSEC || s.type == dns::RRType::NSEC3) && in_zone(s.owner))
                r.denial.push_back(keep(s, authority_rank));
        }
    };
    auto finish = [&](ReplyKind kind) {
        r.kind = kind;
        if (kind == ReplyKind::answer || kind == ReplyKind::nxdomain || kind == ReplyKind::nodata ||
            kind == ReplyKind::referral)
            take_denial();
        r.dropped = total > used ? total - used : 0;
        return r;
    };

    if (data) {
        // An NS answer (priming, "zone NS"): the addresses of those servers come along in the additional
        // section, as glue.
        const RRsetData& last = r.chain.back();
        if (last.type == dns::RRType::NS && trusted && !in.forwarding) {
            for (const auto& rdata : last.rdatas) {
                const dns::Name target = rdata_name(rdata);
                if (!in_zone(target)) continue;
                for (const auto& s : additional) {
                    if ((s.type == dns::RRType::A || s.type == dns::RRType::AAAA) &&
                        same_name(s.owner, target))
                        r.glue.push_back(keep(s, Rank::glue));
                }
            }
        }
        if (trusted && !in.forwarding && r.glue.empty()) {
            for (const auto& s : authority) {
                if (s.type == dns::RRType::NS && in_zone(s.owner) && in.qname.is_subdomain_of(s.owner)) {
                    take_ns_and_glue(s, authority_rank);
                    break;
                }
            }
        }
        return finish(ReplyKind::answer);
    }
    if (!in_zone(sname)) return finish(ReplyKind::restart);

    // No data for the final name. The SOA of a negative answer: its zone holds the name, within the zone
    // asked.
    const RRsetData* soa = nullptr;
    for (const auto& s : authority) {
        if (s.type == dns::RRType::SOA && s.rdatas.size() == 1 && in_zone(s.owner) &&
            sname.is_subdomain_of(s.owner))
            soa = &s;
    }
    if (r.rcode == dns::Rcode::NXDOMAIN) {
        if (!trusted && soa == nullptr) {
            r.problem = "NXDOMAIN without AA or SOA";
            return finish(ReplyKind::lame);
        }
        if (soa != nullptr) r.soa = keep(*soa, authority_rank);
        return finish(ReplyKind::nxdomain);
    }

    // A referral: NS records for a zone strictly below the one asked, at or above the name.
    const RRsetData* referral = nullptr;
    bool upward = false;
    for (const auto& s : authority) {
        if (s.type != dns::RRType::NS) continue;
        if (!in_zone(s.owner) || same_name(s.owner, in.zone)) {
            upward = upward || !same_name(s.owner, in.zone) || !trusted;
            continue;
        }
        if (!sname.is_subdomain_of(s.owner)) continue;
        if (referral == nullptr || s.owner.label_count() > referral->owner.label_count()) referral = &s;
    }
    if (referral != nullptr && soa == nullptr && !in.forwarding) {
        r.cut = referral->owner;
        take_ns_and_glue(*referral, Rank::referral);
        if (const RRsetData* ds = find_rrset(authority, r.cut, dns::RRType::DS))
            r.ds = keep(*ds, Rank::answer);
        return finish(ReplyKind::referral);
    }
    // A chain that stops at a name of this zone with neither its data nor a SOA saying it has none: ask
    // for that name (as BIND and Unbound do). A server that answers one CNAME per reply is followed link
    // by link, so a loop it serves meets the loop and restart checks instead of passing for NODATA.
    if (!r.chain.empty() && (!trusted || soa == nullptr)) return finish(ReplyKind::restart);
    if (trusted) {
        if (soa != nullptr) r.soa = keep(*soa, authority_rank);
        return finish(ReplyKind::nodata);
    }
    r.problem = upward ? "upward referral" : "answer without AA and no referral";
    return finish(ReplyKind::lame);
}

}  // namespace cairn::resolver
