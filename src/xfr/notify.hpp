// NOTIFY (RFC 1996): the messages both ways, who to notify, the retry schedule of a primary, and a
// blocking sender for the notify thread.
//
// Wiring (server): on every new serial of a primary zone, targets = notify_targets(zone, notify mode,
// also-notify, own addresses); a NotifyRound retries each target with backoff until it answers; send with
// send_notify(). On receiving a NOTIFY (the engine returns Action::notify): read_notify(), check the source
// against the zone's primaries / allow-notify, answer write_notify_response() (REFUSED when not allowed,
// NOTAUTH for a zone we are not secondary for) and call RefreshSchedule::notified().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "xfr/client.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace cairn::xfr {

// A NOTIFY request for `zone` (opcode NOTIFY, AA, question zone/SOA/IN) with the SOA in the answer
// section as BIND sends it (a hint of the new serial, RFC 1996 §3.7).
std::vector<std::uint8_t> build_notify(const dns::Name& zone, const zone::Record* soa, std::uint16_t id);

struct NotifyRequest {
    std::uint16_t id = 0;
    dns::Name zone;
    std::optional<std::uint32_t> serial;  // from an SOA in the answer section, when present
    bool tsig = false;
};
// Throws dns::ParseError (answer FORMERR) for a message that does not parse, is a response, is not opcode
// NOTIFY, or does not ask exactly one SOA question.
NotifyRequest read_notify(std::span<const std::uint8_t> message);

// The answer to a NOTIFY: its question echoed, opcode NOTIFY, QR; AA with NOERROR. Returns the size
// written (0: drop).
std::size_t write_notify_response(std::span<const std::uint8_t> request, std::span<std::uint8_t> out,
                                  dns::Rcode rcode = dns::Rcode::NOERROR);

enum class NotifyMode : std::uint8_t { Yes, No, Explicit };

struct NotifyTargets {
    std::vector<std::string> addresses;  // unique, in the order found: NS targets' addresses, also-notify
    std::vector<dns::Name> unresolved;   // NS targets with no address in the zone (a primary does not
                                         // resolve: log once, hint at also-notify)
    std::vector<std::string> ourselves;  // NS targets' addresses left out as our own
};
// RFC 1996 §3.6 with BIND's rules: the zone's NS targets except the SOA MNAME (the primary itself), their
// A/AAAA taken from the zone data only, minus `own_addresses`, plus `also_notify`; `Explicit` uses
// `also_notify` alone and `No` nothing.
NotifyTargets notify_targets(const zone::Zone& zone, NotifyMode mode,
                             const std::vector<std::string>& also_notify,
                             const std::vector<std::string>& own_addresses);

// The retry schedule of one notify round (one new serial): each target is sent at once, then again after
// `first_retry` seconds, the interval doubling, until it answers; after `max_attempts` sends and one more
// interval without an answer it is given up. Pure: the caller drives the clock.
class NotifyRound {
  public:
    NotifyRound(std::vector<std::string> targets, std::int64_t now, std::uint32_t first_retry = 2,
                unsigned max_attempts = 5);
    // Targets whose send is due at `now`; marks them sent (the next retry is scheduled).
    std::vector<std::string> due(std::int64_t now);
    void answered(const std::string& target);
    bool finished() const;            // every target answered or gave up
    std::uint32_t pending() const;    // targets neither answered nor given up
    std::int64_t next_event() const;  // the earliest pending send; INT64_MAX when finished
    std::vector<std::string> given_up() const;

  private:
    struct Target {
        std::string address;
        std::int64_t next = 0;
        unsigned attempts = 0;
        bool answered = false;
        bool gave_up = false;
    };
    std::vector<Target> targets_;
    std::uint32_t first_retry_;
    unsigned max_attempts_;
};

// A NOTIFY for `zone` to `target`, signed with the target's key when it has one; and the reading of its
// answer (TSIG checked, opcode NOTIFY), which returns the answer's rcode or throws TransferError.
SignedQuery make_notify(const Primary& target, const dns::Name& zone, const zone::Record* soa);
dns::Rcode read_notify_answer(const Primary& target, const SignedQuery& query,
                              std::span<const std::uint8_t> answer);

// Sends one NOTIFY to `target` (address and port; key signs it) over UDP and waits for the answer. Returns
// the answer's rcode; throws TransferError (Network on timeout, Tsig on a bad signature).
dns::Rcode send_notify(const Primary& target, const dns::Name& zone, const zone::Record* soa,
                       std::chrono::milliseconds timeout);

}  // namespace cairn::xfr
