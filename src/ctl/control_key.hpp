// The shared secret of the control channel: a named.conf / rndc.key `key` statement (HMAC-MD5 or
// HMAC-SHA1 ... SHA512), and the algorithm codes BIND's control protocol sends with a signature.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/tsig.hpp"

namespace cairn::ctl {

struct ControlKey {
    std::string name;  // as written in the key statement
    dns::TsigKey key;  // algorithm and secret; the name part is unused
};

// Throws std::runtime_error naming the key when its algorithm or secret is unusable.
ControlKey control_key_from_config(const config::Key& key);
// Reads a file of `key` statements (BIND's rndc.key); throws std::runtime_error with the reason.
std::vector<ControlKey> load_key_file(const std::string& path);

// BIND's numbers for the HMAC algorithms in a signature (lib/isccc): 157 MD5, 161 SHA-1, 162-165 SHA-2.
std::uint8_t isccc_algorithm_code(dns::TsigAlgorithm algorithm);

}  // namespace cairn::ctl
