#include "resolver/validation_job.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "dnssec/denial.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec/records.hpp"
#include "resolver/signature_check.hpp"
#include "resolver/validator.hpp"

namespace cairn::resolver {
namespace {

constexpr std::uint32_t kFailedLookupTtl = 5;  // a DS/DNSKEY lookup that failed is tried again after this

int badness(Security s) {
    switch (s) {
        case Security::bogus:
            return 4;
        case Security::indeterminate:
            return 3;
        case Security::insecure:
            return 2;
        case Security::unchecked:
            return 1;
        case Security::secure:
            return 0;
    }
    return 0;
}

// One upstream answer's share of the client query's work budget: each piece of work gets a budget of
// whatever is left of both, and is charged to both afterwards.
class Work {
  public:
    Work(dnssec::WorkBudget& query, const dnssec::WorkLimits& per_answer)
        : query_(query), per_answer_(per_answer) {}

    dnssec::WorkBudget slice() {
        const auto& q = query_.limits();
        const std::uint32_t answer_v =
            per_answer_.signature_verifications - std::min(used_v_, per_answer_.signature_verifications);
        const std::uint32_t query_v =
            q.signature_verifications - std::min(query_.verifications(), q.signature_verifications);
        const std::uint32_t answer_h = per_answer_.nsec3_hashes - std::min(used_h_, per_answer_.nsec3_hashes);
        const std::uint32_t query_h = q.nsec3_hashes - std::min(query_.nsec3_hashes(), q.nsec3_hashes);
        dnssec::WorkLimits l = per_answer_;
        l.signature_verifications = std::min(answer_v, query_v);
        l.nsec3_hashes = std::min(answer_h, query_h);
        query_bound_v_ = query_v < answer_v;
        query_bound_h_ = query_h < answer_h;
        return dnssec::WorkBudget(l);
    }
    void charge(const dnssec::WorkBudget& b) {
        used_v_ += b.verifications();
        used_h_ += b.nsec3_hashes();
        for (std::uint32_t i = 0; i < b.verifications(); ++i)
            query_.spend_verification();
        for (std::uint32_t i = 0; i < b.nsec3_hashes(); ++i)
            query_.spend_nsec3_hash();
    }
    // The EXTRA-TEXT for a piece of work the budget stopped.
    std::string exhausted(const dnssec::WorkBudget& b, const std::string& what) const {
        switch (b.exceeded()) {
            case dnssec::WorkLimit::signature_verifications:
                return "gave up on " + what + ": more than " +
                       (query_bound_v_ ? std::to_string(query_.limits().signature_verifications) +
                                             " signature verifications for one client query"
                                       : std::to_string(per_answer_.signature_verifications) +
                                             " signature verifications for one answer") +
                       " (KeyTrap limit)";
            case dnssec::WorkLimit::nsec3_hashes:
                return "gave up on " + what + ": more than " +
                       (query_bound_h_
                            ? std::to_string(query_.limits().nsec3_hashes) +
                                  " NSEC3 hashes for one client query"
                            : std::to_string(per_answer_.nsec3_hashes) + " NSEC3 hashes for one answer") +
                       " (CVE-2023-50868 limit)";
            case dnssec::WorkLimit::keys_per_signature:
            case dnssec::WorkLimit::none:
                break;
        }
        return budget_text(b, what);
    }

  private:
    dnssec::WorkBudget& query_;
    dnssec::WorkLimits per_answer_;
    std::uint32_t used_v_ = 0;
    std::uint32_t used_h_ = 0;
    bool query_bound_v_ = false;
    bool query_bound_h_ = false;
};

std::vector<dnssec::DenialRecord> denial_records(const std::vector<const RRsetData*>& sets,
                                                 dns::RRType type) {
    std::vector<dnssec::DenialRecord> out;
    for (const RRsetData* s : sets) {
        if (s->type != type) continue;
        for (const auto& rdata : s->rdatas)
            out.push_back({s->owner.wire(), rdata});
    }
    return out;
}

bool has_type(const std::vector<const RRsetData*>& sets, dns::RRType type) {
    return std::any_of(sets.begin(), sets.end(), [&](const RRsetData* s) { return s->type == type; });
}

// The NSEC3 iteration count the records use (for EDE 27's text).
std::uint16_t nsec3_iterations(const std::vector<dnssec::DenialRecord>& records) {
    for (const auto& r : records) {
        if (const auto v = dnssec::Nsec3View::parse(r.rdata)) return v->iterations;
    }
    return 0;
}

std::shared_ptr<KeyEntry> entry(const dns::Name& zone, KeyState state, std::uint32_t expire,
                                std::int64_t wall) {
    auto e = std::make_shared<KeyEntry>();
    e->zone = zone.lowercased();
    e->state = state;
    e->expire = expire;
    e->stored_wall = wall;
    return e;
}

// What a denial proof came to, as a verdict.
struct ProofVerdict {
    Security security = Security::bogus;
    std::optional<dns::EdeCode> ede;
    std::string text;
};

class Job;

// Finds the keys of the zone that holds `target` (see validation_job.hpp, step 1).
class KeyWalk {
  public:
    KeyWalk(Job& job, const dns::Name& target) : job_(job), target_(target.lowercased()) {}
    // True when done (result()); false when wanted() must be fetched and provide()d.
    bool step();
    const FetchRequest& wanted() const { return request_; }
    void provide(FetchResult r) { provided_ = std::move(r); }
    std::shared_ptr<const KeyEntry> result() const { return result_; }
    const dns::Name& target() const { return target_; }

  private:
    void handle_anchor_dnskey(FetchResult& r);
    void handle_ds(FetchResult& r);
    void handle_dnskey(FetchResult& r);
    void finish(std::shared_ptr<const KeyEntry> e, bool remember);
    ProofVerdict no_ds_proof(const dns::Name& name, FetchResult& r, bool& delegation);

    enum class Waiting : std::uint8_t { none, anchor_dnskey, ds, dnskey };
    Job& job_;
    dns::Name target_;
    bool started_ = false;
    std::shared_ptr<const TrustAnchorTable> anchors_;
    const AnchorKeys* anchor_ = nullptr;
    std::shared_ptr<const KeyEntry> current_;  // the deepest secure zone reached
    dns::Name below_;                          // no zone cut between current_'s zone and this name
    Waiting waiting_ = Waiting::none;
    FetchRequest request_;
    std::optional<FetchResult> provided_;
    std::vector<std::vector<std::uint8_t>> pending_ds_;
    std::uint32_t pending_ds_ttl_ = 0;
    std::shared_ptr<const KeyEntry> result_;
};

class Job final : public ValidationJob {
  public:
    Job(DnssecValidator& v, ClassifiedReply& reply, const ReplyContext& context,
        dnssec::WorkBudget& query_work)
        : v_(v),
          reply_(reply),
          context_(context),
          query_work_(query_work),
          answer_work_(query_work, v.settings().per_answer),
          now_(v.clock().now_seconds()),
          wall_(v.clock().wall_seconds()) {
        collect_items();
    }

    bool run() override;
    const FetchRequest& wanted() const override { return walk_->wanted(); }
    void provide(FetchResult result) override { walk_->provide(std::move(result)); }
    const ValidationOutcome& outcome() const override { return outcome_; }

    // For the walk.
    DnssecValidator& validator() { return v_; }
    std::uint32_t now() const { return now_; }
    std::int64_t wall() const { return wall_; }
    bool ignore_nta() const { return context_.ignore_nta; }
    Work fetch_work() { return Work(query_work_, v_.settings().per_answer); }
    void learnt(RRsetData set) { outcome_.learnt.push_back(std::move(set)); }

  private:
    struct Item {
        RRsetData* set = nullptr;
        enum class Role : std::uint8_t { chain, soa, denial, ns } role = Role::chain;
        std::optional<dns::Name> signer;
        dns::Name target;  // lowercased
        Judgement judgement;
    };

    void collect_items();
    const RRsetData* own_dnskeys(const FetchRequest& wanted) const;
    void add_item(RRsetData& set, Item::Role role);
    void judge(Item& item, const KeyEntry& keys);
    Judgement judge_anchor_dnskeys(RRsetData& set, const AnchorKeys& anchor);
    void conclude();
    void check_wildcards();
    void check_negative();
    ProofVerdict prove(const dns::Name& zone, const std::vector<const RRsetData*>& records, bool nxdomain);
    void merge(Security s, const std::optional<dns::EdeCode>& ede, const std::string& text);

    DnssecValidator& v_;
    ClassifiedReply& reply_;
    ReplyContext context_;
    dnssec::WorkBudget& query_work_;
    Work answer_work_;
    std::uint32_t now_;
    std::int64_t wall_;

    std::vector<Item> items_;
    std::size_t next_item_ = 0;
    std::optional<KeyWalk> walk_;
    std::map<dns::Name, std::shared_ptr<const KeyEntry>> walked_;
    std::optional<RRsetData> no_soa_probe_;  // a negative answer without SOA: its zone's security
    bool done_ = false;
    ValidationOutcome outcome_;
};

// ---- KeyWalk

void KeyWalk::finish(std::shared_ptr<const KeyEntry> e, bool remember) {
    if (remember) job_.validator().keys().store(e);
    result_ = std::move(e);
    waiting_ = Waiting::none;
}

bool KeyWalk::step() {
    DnssecValidator& v = job_.validator();
    if (result_) return true;
    if (provided_) {
        FetchResult r = std::move(*provided_);
        provided_.reset();
        switch (waiting_) {
            case Waiting::anchor_dnskey:
                handle_anchor_dnskey(r);
                break;
            case Waiting::ds:
                handle_ds(r);
                break;
            case Waiting::dnskey:
                handle_dnskey(r);
                break;
            case Waiting::none:
                break;
        }
        if (result_) return true;
        if (waiting_ == Waiting::dnskey) return false;  // the DS named keys: fetch them
    }
    if (!started_) {
        started_ = true;
        const auto nta = v.ntas().covering(target_, job_.wall());
        if (nta && !(job_.ignore_nta() && !nta->permanent())) {
            auto e = entry(nta->name, KeyState::insecure, job_.now() + 1, job_.wall());
            e->reason = nta->permanent() ? "validate-except " + nta->name.to_text_without_dot()
                                         : "negative trust anchor for " + nta->name.to_text_without_dot();
            finish(e, false);
            return true;
        }
        anchors_ = v.anchors();
        anchor_ = anchors_->closest(target_);
        if (anchor_ == nullptr) {
            auto e = entry(dns::Name(), KeyState::insecure, job_.now() + 1, job_.wall());
            e->reason = "no trust anchor above " + target_.to_text_without_dot();
            finish(e, false);
            return true;
        }
        current_ = v.keys().closest(target_, anchor_->zone, job_.now());
        // A recheck asks again rather than trusting a failure it learnt before the zone was mended.
        if (current_ && current_->state != KeyState::secure && job_.ignore_nta()) current_ = nullptr;
        if (current_ && current_->state != KeyState::secure) {
            result_ = current_;
            return true;
        }
        if (!current_) {
            if (anchor_->empty()) {
                auto e =
                    entry(anchor_->zone, KeyState::bogus, job_.now() + v.settings().bogus_ttl, job_.wall());
                e->ede = dns::EdeCode::DnssecBogus;
                e->reason = "no trusted key left for " + anchor_->zone.to_text_without_dot() +
                            " (managed keys revoked)";
                finish(e, true);
                return true;
            }
            waiting_ = Waiting::anchor_dnskey;
            request_ = {anchor_->zone, dns::RRType::DNSKEY};
            return false;
        }
        below_ = current_->zone;
    }
    while (below_.label_count() < target_.label_count()) {
        const dns::Name next = target_.suffix(below_.label_count() + 1);
        if (auto known = v.keys().find(next, job_.now())) {
            if (known->state != KeyState::secure) {
                result_ = known;
                return true;
            }
            current_ = known;
            below_ = next;
            continue;
        }
        waiting_ = Waiting::ds;
        request_ = {next, dns::RRType::DS};
        return false;
    }
    result_ = current_;
    return true;
}

void KeyWalk::handle_anchor_dnskey(FetchResult& r) {
    DnssecValidator& v = job_.validator();
    const dns::Name& zone = anchor_->zone;
    const std::uint32_t bogus_expire = job_.now() + v.settings().bogus_ttl;
    if (r.kind != FetchResult::Kind::data || !r.rrset || r.rrset->type != dns::RRType::DNSKEY) {
        auto e = entry(zone, KeyState::bogus, job_.now() + kFailedLookupTtl, job_.wall());
        e->ede = dns::EdeCode::DnskeyMissing;
        e->reason = "no DNSKEY for trust anchor " + zone.to_text_without_dot() + ": " +
                    (r.kind == FetchResult::Kind::failure    ? r.failure
                     : r.kind == FetchResult::Kind::nxdomain ? std::string("NXDOMAIN")
                                                             : std::string("NODATA"));
        finish(e, true);
        return;
    }
    // Anchors cairn can use: DS with a supported algorithm and digest, keys with a supported algorithm.
    const UsableDs usable = usable_ds(zone, anchor_->ds);
    std::vector<std::vector<std::uint8_t>> keys;
    for (const auto& k : anchor_->dnskey) {
        const auto view = dnssec::DnskeyView::parse(k);
        if (view && dnssec::PublicKey::from_dnskey(view->algorithm, view->public_key)) keys.push_back(k);
    }
    if (usable.ds.empty() && keys.empty()) {
        // RFC 4035 §5.2 applied to anchors: nothing cairn can check, so the zone is insecure (BIND ignores
        // such an anchor).
        auto e = entry(zone, KeyState::insecure, job_.now() + r.rrset->ttl, job_.wall());
        e->ede = usable.unsupported.value_or(dns::EdeCode::UnsupportedDnskeyAlgorithm);
        e->reason = "no trust anchor for " + zone.to_text_without_dot() +
                    " uses an algorithm and digest cairn supports";
        finish(e, true);
        return;
    }
    Work work = job_.fetch_work();
    dnssec::WorkBudget budget = work.slice();
    std::vector<ZoneKey> zone_keys_out;
    Judgement j = verify_dnskey_rrset(*r.rrset, zone, usable.ds, keys, job_.wall(), budget, zone_keys_out);
    work.charge(budget);
    if (!j.secure()) {
        if (j.security == Security::indeterminate)
            j.text = work.exhausted(budget, rrset_text(zone, dns::RRType::DNSKEY));
        auto e =
            entry(zone, j.security == Security::indeterminate ? KeyState::indeterminate : KeyState::bogus,
                  bogus_expire, job_.wall());
        e->ede = j.ede;
        e->reason = j.text;
        finish(e, true);
        return;
    }
    v.observe_anchor_dnskeys(zone, *r.rrset);
    auto e = entry(zone, KeyState::secure, job_.now() + std::max<std::uint32_t>(1, j.ttl), job_.wall());
    e->keys = std::move(zone_keys_out);
    v.keys().store(e);
    RRsetData learnt = *r.rrset;
    learnt.security = Security::secure;
    learnt.ttl = j.ttl;
    job_.learnt(std::move(learnt));
    current_ = e;  // walk on from the anchor
    below_ = zone;
    waiting_ = Waiting::none;
}

ProofVerdict KeyWalk::no_ds_proof(const dns::Name& name, FetchResult& r, bool& delegation) {
    delegation = false;
    DnssecValidator& v = job_.validator();
    std::vector<const RRsetData*> sets;
    for (const auto& s : r.proof)
        sets.push_back(&s);
    const bool cached_secure = r.soa && r.soa->security == Security::secure;
    Work work = job_.fetch_work();
    dnssec::WorkBudget budget = work.slice();
    const std::string what = rrset_text(name, dns::RRType::DS);
    auto done = [&](ProofVerdict p) {
        work.charge(budget);
        return p;
    };
    if (!cached_secure) {
        // The SOA and the denial records must be the zone's, signed with its keys.
        if (!r.soa)
            return done(
                {Security::bogus, dns::EdeCode::NsecMissing, "no SOA in the NODATA answer for " + what});
        Judgement j = verify_rrset(*r.soa, current_->zone, current_->keys, job_.wall(), budget);
        if (!j.secure()) {
            if (j.security == Security::indeterminate) j.text = work.exhausted(budget, what);
            return done({j.security, j.ede, j.text});
        }
        for (const RRsetData* s : sets) {
            Judgement d = verify_rrset(*s, current_->zone, current_->keys, job_.wall(), budget);
            if (!d.secure()) {
                if (d.security == Security::indeterminate) d.text = work.exhausted(budget, what);
                return done({d.security, d.ede, d.text});
            }
        }
    }
    if (sets.empty())
        return done({Security::bogus, dns::EdeCode::NsecMissing,
                     "no NSEC or NSEC3 record proves that " + name.to_text_without_dot() + " has no DS"});
    if (has_type(sets, dns::RRType::NSEC)) {
        const auto records = denial_records(sets, dns::RRType::NSEC);
        const dnssec::Denial d = dnssec::nsec_nodata(name.wire(), dns::code(dns::RRType::DS), records);
        if (!d.proven())
            return done(
                {Security::bogus, dns::EdeCode::NsecMissing,
                 "NSEC records do not prove that " + name.to_text_without_dot() + " has no DS: " + d.reason});
        for (const auto& rec : records) {
            if (!dns::wire_names_equal(rec.owner, name.wire())) continue;
            if (const auto view = dnssec::NsecView::parse(rec.rdata))
                delegation = view->types.contains(dns::RRType::NS);
        }
        return done({Security::secure, std::nullopt, {}});
    }
    const auto records = denial_records(sets, dns::RRType::NSEC3);
    const dnssec::Denial d =
        dnssec::nsec3_nodata(name.wire(), dns::code(dns::RRType::DS), current_->zone.wire(), records, budget);
    switch (d.status) {
        case dnssec::DenialStatus::proven: {
            dnssec::Nsec3Parameters params;
            dnssec::Nsec3Hash h;
            if (dnssec::nsec3_parameters(current_->zone.wire(), records, params) &&
                dnssec::nsec3_hash(name.wire(), params.salt, params.iterations, h, &budget)) {
                for (const auto& rec : records) {
                    dnssec::Nsec3Hash owner;
                    if (!dnssec::nsec3_owner_hash(rec.owner, owner) || owner != h) continue;
                    if (const auto view = dnssec::Nsec3View::parse(rec.rdata))
                        delegation = view->types.contains(dns::RRType::NS);
                }
            }
            return done({Security::secure, std::nullopt, {}});
        }
        case dnssec::DenialStatus::opt_out:
            delegation = true;
            return done({Security::insecure, std::nullopt,
                         name.to_text_without_dot() + " lies in an NSEC3 opt-out span of " +
                             current_->zone.to_text_without_dot()});
        case dnssec::DenialStatus::too_many_iterations:
            delegation = true;
            return done({Security::insecure, dns::EdeCode::UnsupportedNsec3Iterations,
                         "NSEC3 with " + std::to_string(nsec3_iterations(records)) + " iterations in " +
                             current_->zone.to_text_without_dot() + ": more than " +
                             std::to_string(v.settings().per_answer.nsec3_iterations) +
                             ", treated as insecure (RFC 9276)"});
        case dnssec::DenialStatus::budget_exhausted:
            return done(
                {Security::indeterminate, dns::EdeCode::DnssecIndeterminate, work.exhausted(budget, what)});
        case dnssec::DenialStatus::not_proven:
            break;
    }
    return done(
        {Security::bogus, dns::EdeCode::NsecMissing,
         "NSEC3 records do not prove that " + name.to_text_without_dot() + " has no DS: " + d.reason});
}

void KeyWalk::handle_ds(FetchResult& r) {
    DnssecValidator& v = job_.validator();
    const dns::Name name = request_.name.lowercased();
    const std::uint32_t bogus_expire = job_.now() + v.settings().bogus_ttl;
    auto fail = [&](KeyState state, std::optional<dns::EdeCode> ede, std::string text, std::uint32_t expire) {
        auto e = entry(name, state, expire, job_.wall());
        e->ede = ede;
        e->reason = std::move(text);
        finish(e, true);
    };
    switch (r.kind) {
        case FetchResult::Kind::failure:
            fail(KeyState::indeterminate, dns::EdeCode::DnssecIndeterminate,
                 "DS lookup for " + name.to_text_without_dot() + " failed: " + r.failure,
                 job_.now() + kFailedLookupTtl);
            return;
        case FetchResult::Kind::nodata: {
            bool delegation = false;
            const ProofVerdict p = no_ds_proof(name, r, delegation);
            if (p.security == Security::secure && !delegation) {
                below_ = name;  // no zone cut here: the same keys go on
                return;
            }
            const std::uint32_t ttl = r.soa ? r.soa->ttl : kFailedLookupTtl;
            if (p.security == Security::secure || p.security == Security::insecure) {
                auto e = entry(name, KeyState::insecure, job_.now() + std::max<std::uint32_t>(1, ttl),
                               job_.wall());
                e->ede = p.ede;
                e->reason =
                    p.text.empty() ? "delegation to " + name.to_text_without_dot() + " has no DS" : p.text;
                finish(e, true);
                return;
            }
            fail(p.security == Security::indeterminate ? KeyState::indeterminate : KeyState::bogus, p.ede,
                 p.text, bogus_expire);
            return;
        }
        case FetchResult::Kind::nxdomain: {
            fail(KeyState::bogus, dns::EdeCode::DnssecBogus,
                 name.to_text_without_dot() + " does not exist (NXDOMAIN for its DS) but " +
                     target_.to_text_without_dot() + " is signed below it",
                 bogus_expire);
            return;
        }
        case FetchResult::Kind::data:
            break;
    }
    if (!r.rrset || r.rrset->type != dns::RRType::DS) {
        fail(KeyState::bogus, dns::EdeCode::DnssecBogus,
             "no DS RRset in the answer for " + name.to_text_without_dot(), bogus_expire);
        return;
    }
    RRsetData& ds = *r.rrset;
    if (ds.security != Security::secure) {
        Work work = job_.fetch_work();
        dnssec::WorkBudget budget = work.slice();
        Judgement j = verify_rrset(ds, current_->zone, current_->keys, job_.wall(), budget);
        work.charge(budget);
        if (!j.secure()) {
            if (j.security == Security::indeterminate)
                j.text = work.exhausted(budget, rrset_text(name, dns::RRType::DS));
            fail(j.security == Security::indeterminate ? KeyState::indeterminate : KeyState::bogus, j.ede,
                 j.text, bogus_expire);
            return;
        }
        ds.security = Security::secure;
        ds.ttl = j.ttl;
        job_.learnt(ds);
    }
    const UsableDs usable = usable_ds(name, ds.rdatas);
    if (usable.ds.empty()) {
        auto e =
            entry(name, KeyState::insecure, job_.now() + std::max<std::uint32_t>(1, ds.ttl), job_.wall());
        e->ede = usable.unsupported;
        e->reason = usable.unsupported_text;
        finish(e, true);
        return;
    }
    pending_ds_ = usable.ds;
    pending_ds_ttl_ = ds.ttl;
    waiting_ = Waiting::dnskey;
    request_ = {name, dns::RRType::DNSKEY};
}

void KeyWalk::handle_dnskey(FetchResult& r) {
    DnssecValidator& v = job_.validator();
    const dns::Name name = request_.name.lowercased();
    if (r.kind != FetchResult::Kind::data || !r.rrset || r.rrset->type != dns::RRType::DNSKEY) {
        auto e = entry(
            name, KeyState::bogus,
            job_.now() + (r.kind == FetchResult::Kind::failure ? kFailedLookupTtl : v.settings().bogus_ttl),
            job_.wall());
        e->ede = dns::EdeCode::DnskeyMissing;
        e->reason = "no DNSKEY for " + name.to_text_without_dot() + " (its DS names one): " +
                    (r.kind == FetchResult::Kind::failure    ? r.failure
                     : r.kind == FetchResult::Kind::nxdomain ? std::string("NXDOMAIN")
                                                             : std::string("NODATA"));
        finish(e, true);
        return;
    }
    RRsetData& keys = *r.rrset;
    std::vector<ZoneKey> parsed;
    std::uint32_t ttl = std::min(keys.ttl, pending_ds_ttl_);
    if (keys.security == Security::secure) {
        parsed = zone_keys(keys.rdatas);
    } else {
        Work work = job_.fetch_work();
        dnssec::WorkBudget budget = work.slice();
        Judgement j = verify_dnskey_rrset(keys, name, pending_ds_, {}, job_.wall(), budget, parsed);
        work.charge(budget);
        if (!j.secure()) {
            if (j.security == Security::indeterminate)
                j.text = work.exhausted(budget, rrset_text(name, dns::RRType::DNSKEY));
            auto e =
                entry(name, j.security == Security::indeterminate ? KeyState::indeterminate : KeyState::bogus,
                      job_.now() + v.settings().bogus_ttl, job_.wall());
            e->ede = j.ede;
            e->reason = j.text;
            finish(e, true);
            return;
        }
        ttl = std::min(ttl, j.ttl);
        keys.security = Security::secure;
        keys.ttl = j.ttl;
        job_.learnt(keys);
    }
    auto e = entry(name, KeyState::secure, job_.now() + std::max<std::uint32_t>(1, ttl), job_.wall());
    e->keys = std::move(parsed);
    v.keys().store(e);
    current_ = e;
    below_ = name;
    waiting_ = Waiting::none;
}

// ---- Job

void Job::add_item(RRsetData& set, Item::Role role) {
    Item item;
    item.set = &set;
    item.role = role;
    item.signer = rrsig_signer(set, context_.zone);
    if (item.signer) {
        item.target = item.signer->lowercased();
    } else if (set.type == dns::RRType::NSEC3 && set.owner.label_count() > 0) {
        item.target = set.owner.parent().lowercased();
    } else {
        item.target = set.owner.lowercased();
    }
    items_.push_back(std::move(item));
}

void Job::collect_items() {
    for (auto& set : reply_.chain) {
        if (set.dname_owner) continue;  // a CNAME made from a DNAME: as good as the DNAME
        add_item(set, Item::Role::chain);
    }
    if (reply_.soa) add_item(*reply_.soa, Item::Role::soa);
    for (auto& set : reply_.denial)
        add_item(set, Item::Role::denial);
    if (reply_.ns && !reply_.ns->sigs.empty()) add_item(*reply_.ns, Item::Role::ns);
    const bool negative = reply_.kind == ReplyKind::nxdomain || reply_.kind == ReplyKind::nodata;
    if (negative && !reply_.soa) {
        // No SOA to say whose denial this is: the zone of the name decides whether one was needed.
        no_soa_probe_.emplace();
        no_soa_probe_->owner = reply_.final_name;
        no_soa_probe_->type = dns::RRType::SOA;
        Item item;
        item.set = &*no_soa_probe_;
        item.role = Item::Role::soa;
        item.target = reply_.final_name.lowercased();
        items_.push_back(std::move(item));
    }
}

// A reply that is itself the DNSKEY RRset a walk wants (a client asking for a zone's keys, RFC 5011's
// refresh of an anchor's): the walk judges it against the DS or the anchor as it would a fetched one, since
// fetching it would wait on this very lookup.
const RRsetData* Job::own_dnskeys(const FetchRequest& wanted) const {
    if (wanted.type != dns::RRType::DNSKEY || context_.qtype != dns::RRType::DNSKEY) return nullptr;
    if (!(context_.qname.lowercased() == wanted.name.lowercased())) return nullptr;
    for (const auto& set : reply_.chain) {
        if (set.type == dns::RRType::DNSKEY && set.owner.lowercased() == wanted.name.lowercased())
            return &set;
    }
    return nullptr;
}

bool Job::run() {
    while (!done_) {
        if (walk_) {
            bool own_given = false;
            while (!walk_->step()) {
                const RRsetData* own = own_given ? nullptr : own_dnskeys(walk_->wanted());
                if (own == nullptr) return false;
                FetchResult r;
                r.kind = FetchResult::Kind::data;
                r.rrset = *own;
                walk_->provide(std::move(r));
                own_given = true;
            }
            walked_[walk_->target()] = walk_->result();
            walk_.reset();
        }
        if (next_item_ < items_.size()) {
            Item& item = items_[next_item_];
            const auto found = walked_.find(item.target);
            if (found == walked_.end()) {
                walk_.emplace(*this, item.target);
                continue;
            }
            judge(item, *found->second);
            ++next_item_;
            continue;
        }
        conclude();
        done_ = true;
    }
    return true;
}

Judgement Job::judge_anchor_dnskeys(RRsetData& set, const AnchorKeys& anchor) {
    const UsableDs usable = usable_ds(anchor.zone, anchor.ds);
    dnssec::WorkBudget budget = answer_work_.slice();
    std::vector<ZoneKey> keys;
    Judgement j = verify_dnskey_rrset(set, anchor.zone, usable.ds, anchor.dnskey, wall_, budget, keys);
    answer_work_.charge(budget);
    if (j.security == Security::indeterminate)
        j.text = answer_work_.exhausted(budget, rrset_text(set.owner, set.type));
    if (j.secure()) {
        v_.observe_anchor_dnskeys(anchor.zone, set);
        auto e = entry(anchor.zone, KeyState::secure, now_ + std::max<std::uint32_t>(1, j.ttl), wall_);
        e->keys = std::move(keys);
        v_.keys().store(e);
    }
    return j;
}

void Job::judge(Item& item, const KeyEntry& keys) {
    RRsetData& set = *item.set;
    Judgement& j = item.judgement;
    switch (keys.state) {
        case KeyState::insecure:
            j.security = Security::insecure;
            j.ede = keys.ede;
            j.text = keys.reason;
            break;
        case KeyState::bogus:
        case KeyState::indeterminate:
            j = Judgement::fail(keys.state == KeyState::bogus ? Security::bogus : Security::indeterminate,
                                keys.ede.value_or(dns::EdeCode::DnssecBogus), keys.reason);
            break;
        case KeyState::secure:
            if (no_soa_probe_ && item.set == &*no_soa_probe_) {
                j = Judgement::fail(Security::bogus, dns::EdeCode::NsecMissing,
                                    "negative answer for " + rrset_text(reply_.final_name, context_.qtype) +
                                        " without SOA or proof in secure zone " +
                                        keys.zone.to_text_without_dot());
                break;
            }
            if (!item.signer) {
                j = Judgement::fail(Security::bogus, dns::EdeCode::RrsigsMissing,
                                    "no RRSIG for " + rrset_text(set.owner, set.type) + " in secure zone " +
                                        keys.zone.to_text_without_dot());
                break;
            }
            if (!(keys.zone == *item.signer)) {
                j = Judgement::fail(Security::bogus, dns::EdeCode::DnssecBogus,
                                    "RRSIG for " + rrset_text(set.owner, set.type) + " names signer " +
                                        item.signer->to_text_without_dot() +
                                        ", which is no zone (the keys are " +
                                        keys.zone.to_text_without_dot() + "'s)");
                break;
            }
            if (set.type == dns::RRType::DNSKEY && set.owner == keys.zone) {
                const auto anchors = v_.anchors();
                if (const AnchorKeys* anchor = anchors->find(set.owner)) {
                    j = judge_anchor_dnskeys(set, *anchor);
                    break;
                }
            }
            {
                dnssec::WorkBudget budget = answer_work_.slice();
                j = verify_rrset(set, keys.zone, keys.keys, wall_, budget);
                answer_work_.charge(budget);
                if (j.security == Security::indeterminate)
                    j.text = answer_work_.exhausted(budget, rrset_text(set.owner, set.type));
            }
            break;
    }
    set.security = j.security;
    if (j.secure()) set.ttl = std::min(set.ttl, j.ttl);
    if (j.security == Security::insecure && j.ede) set.insecure_ede = static_cast<std::uint16_t>(*j.ede);
}

void Job::merge(Security s, const std::optional<dns::EdeCode>& ede, const std::string& text) {
    if (outcome_.security == Security::unchecked || badness(s) > badness(outcome_.security)) {
        outcome_.security = s;
        const bool explained = failed_validation(s) || (s == Security::insecure && ede);
        outcome_.ede = explained ? ede : std::nullopt;
        outcome_.text = explained ? text : std::string();
        return;
    }
    // Equally insecure: keep the first reason worth an EDE.
    if (s == Security::insecure && outcome_.security == Security::insecure && !outcome_.ede && ede) {
        outcome_.ede = ede;
        outcome_.text = text;
    }
}

ProofVerdict Job::prove(const dns::Name& zone, const std::vector<const RRsetData*>& records, bool nxdomain) {
    const dns::Name& name = reply_.final_name;
    const std::uint16_t qtype = dns::code(context_.qtype);
    const std::string what = nxdomain ? "NXDOMAIN for " + name.to_text_without_dot()
                                      : "NODATA for " + rrset_text(name, context_.qtype);
    if (records.empty())
        return {Security::bogus, dns::EdeCode::NsecMissing, "no NSEC or NSEC3 record proves " + what};
    dnssec::WorkBudget budget = answer_work_.slice();
    ProofVerdict p;
    dnssec::Denial d;
    if (has_type(records, dns::RRType::NSEC)) {
        const auto recs = denial_records(records, dns::RRType::NSEC);
        if (nxdomain) {
            d = dnssec::nsec_nxdomain(name.wire(), recs);
        } else {
            d = dnssec::nsec_nodata(name.wire(), qtype, recs);
            if (!d.proven()) {
                const dnssec::Denial w = dnssec::nsec_wildcard_nodata(name.wire(), qtype, recs);
                if (w.proven()) d = w;
            }
        }
        if (!d.proven())
            p = {Security::bogus, dns::EdeCode::NsecMissing,
                 "NSEC records do not prove " + what + ": " + d.reason};
        else
            p = {Security::secure, std::nullopt, {}};
        answer_work_.charge(budget);
        return p;
    }
    const auto recs = denial_records(records, dns::RRType::NSEC3);
    if (nxdomain) {
        d = dnssec::nsec3_nxdomain(name.wire(), zone.wire(), recs, budget);
    } else {
        d = dnssec::nsec3_nodata(name.wire(), qtype, zone.wire(), recs, budget);
        if (d.status == dnssec::DenialStatus::not_proven) {
            const dnssec::Denial w =
                dnssec::nsec3_wildcard_nodata(name.wire(), qtype, zone.wire(), recs, budget);
            if (w.status != dnssec::DenialStatus::not_proven) d = w;
        }
    }
    answer_work_.charge(budget);
    switch (d.status) {
        case dnssec::DenialStatus::proven:
            return {Security::secure, std::nullopt, {}};
        case dnssec::DenialStatus::opt_out:
            return {Security::insecure, std::nullopt, what + " rests on an NSEC3 opt-out span"};
        case dnssec::DenialStatus::too_many_iterations:
            return {Security::insecure, dns::EdeCode::UnsupportedNsec3Iterations,
                    "NSEC3 with " + std::to_string(nsec3_iterations(recs)) + " iterations in " +
                        zone.to_text_without_dot() + ": more than " +
                        std::to_string(v_.settings().per_answer.nsec3_iterations) +
                        ", treated as insecure (RFC 9276)"};
        case dnssec::DenialStatus::budget_exhausted:
            return {Security::indeterminate, dns::EdeCode::DnssecIndeterminate,
                    answer_work_.exhausted(budget, what)};
        case dnssec::DenialStatus::not_proven:
            break;
    }
    return {Security::bogus, dns::EdeCode::NsecMissing,
            "NSEC3 records do not prove " + what + ": " + d.reason};
}

void Job::check_wildcards() {
    for (std::size_t i = 0; i < items_.size(); ++i) {
        Item& item = items_[i];
        if (item.role != Item::Role::chain || !item.judgement.secure()) continue;
        RRsetData& set = *item.set;
        if (item.judgement.rrsig_labels >= set.owner.label_count()) continue;
        // Made from a wildcard (RFC 4035 §5.3.4): the name itself must be proven not to exist.
        std::vector<const RRsetData*> records;
        for (const Item& d : items_) {
            if (d.role == Item::Role::denial && d.judgement.secure() && d.signer && *d.signer == *item.signer)
                records.push_back(d.set);
        }
        const std::string what = "wildcard answer " + rrset_text(set.owner, set.type);
        ProofVerdict p;
        if (records.empty()) {
            p = {Security::bogus, dns::EdeCode::NsecMissing,
                 what + " without NSEC or NSEC3 proof that " + set.owner.to_text_without_dot() +
                     " does not exist"};
        } else {
            dnssec::WorkBudget budget = answer_work_.slice();
            dnssec::Denial d;
            if (has_type(records, dns::RRType::NSEC)) {
                d = dnssec::nsec_wildcard_answer(set.owner.wire(), item.judgement.rrsig_labels,
                                                 denial_records(records, dns::RRType::NSEC));
            } else {
                d = dnssec::nsec3_wildcard_answer(set.owner.wire(), item.judgement.rrsig_labels,
                                                  item.signer->wire(),
                                                  denial_records(records, dns::RRType::NSEC3), budget);
            }
            answer_work_.charge(budget);
            switch (d.status) {
                case dnssec::DenialStatus::proven:
                case dnssec::DenialStatus::opt_out:
                    p = {Security::secure, std::nullopt, {}};
                    break;
                case dnssec::DenialStatus::too_many_iterations:
                    p = {Security::insecure, dns::EdeCode::UnsupportedNsec3Iterations,
                         what + ": NSEC3 iterations above " +
                             std::to_string(v_.settings().per_answer.nsec3_iterations) +
                             ", treated as insecure"};
                    break;
                case dnssec::DenialStatus::budget_exhausted:
                    p = {Security::indeterminate, dns::EdeCode::DnssecIndeterminate,
                         answer_work_.exhausted(budget, what)};
                    break;
                case dnssec::DenialStatus::not_proven:
                    p = {Security::bogus, dns::EdeCode::NsecMissing, what + " not proven: " + d.reason};
                    break;
            }
        }
        if (p.security == Security::secure) {
            for (const RRsetData* r : records)
                set.proof.push_back(*r);
            continue;
        }
        // A bad denial record explains more than "not proven".
        for (const Item& d : items_) {
            if (d.role == Item::Role::denial && failed_validation(d.judgement.security) &&
                p.security == Security::bogus) {
                p = {d.judgement.security, d.judgement.ede, d.judgement.text};
                break;
            }
        }
        item.judgement = Judgement::fail(p.security, p.ede.value_or(dns::EdeCode::DnssecBogus), p.text);
        if (p.security == Security::insecure) item.judgement.ede = p.ede;
        set.security = p.security;
    }
}

void Job::check_negative() {
    Item* soa = nullptr;
    for (Item& item : items_) {
        if (item.role == Item::Role::soa) soa = &item;
    }
    ProofVerdict verdict;
    std::vector<const RRsetData*> records;
    if (soa == nullptr) {
        verdict = {Security::bogus, dns::EdeCode::NsecMissing, "negative answer without SOA"};
    } else if (!soa->judgement.secure()) {
        verdict = {soa->judgement.security, soa->judgement.ede, soa->judgement.text};
    } else {
        const dns::Name zone = soa->signer.value_or(soa->set->owner);
        for (const Item& d : items_) {
            if (d.role == Item::Role::denial && d.judgement.secure() && d.signer && *d.signer == zone)
                records.push_back(d.set);
        }
        verdict = prove(zone, records, reply_.kind == ReplyKind::nxdomain);
        if (verdict.security == Security::bogus) {
            for (const Item& d : items_) {
                if (d.role == Item::Role::denial && failed_validation(d.judgement.security)) {
                    verdict = {d.judgement.security, d.judgement.ede, d.judgement.text};
                    break;
                }
            }
        }
        if (verdict.security == Security::secure && v_.settings().synth_from_dnssec)
            v_.denials().add(zone, *soa->set, reply_.denial, now_);
    }
    outcome_.negative = verdict.security;
    if (verdict.security == Security::secure) {
        for (const RRsetData* r : records)
            outcome_.proof.push_back(*r);
    }
    if (reply_.soa) reply_.soa->security = verdict.security;
    merge(verdict.security, verdict.ede, verdict.text);
}

void Job::conclude() {
    if (reply_.kind == ReplyKind::answer) check_wildcards();
    // A CNAME made from a DNAME is as good as the DNAME before it.
    for (std::size_t i = 1; i < reply_.chain.size(); ++i) {
        if (reply_.chain[i].dname_owner) reply_.chain[i].security = reply_.chain[i - 1].security;
    }
    for (const Item& item : items_) {
        if (item.role == Item::Role::chain)
            merge(item.judgement.security, item.judgement.ede, item.judgement.text);
    }
    if (reply_.kind == ReplyKind::nxdomain || reply_.kind == ReplyKind::nodata) check_negative();
    if (outcome_.security == Security::unchecked) outcome_.security = Security::secure;  // nothing to judge
}

}  // namespace

std::unique_ptr<ValidationJob> make_validation_job(DnssecValidator& validator, ClassifiedReply& reply,
                                                   const ReplyContext& context,
                                                   dnssec::WorkBudget& query_work) {
    return std::make_unique<Job>(validator, reply, context, query_work);
}

}  // namespace cairn::resolver
