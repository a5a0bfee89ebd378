// A small DNS tree for resolver tests, served on the replay harness's fake network:
//   .            10.0.0.1   (ns.root., the test's only root hint)
//   com.         10.0.1.1   example.com (glue 10.1.0.1, 10.1.0.2), other.com (glue 10.1.1.1),
//                           glueless.com (NS ns.provider.net., no glue)
//   net.         10.0.2.1   provider.net (glue 10.2.0.1)
//   provider.net 10.2.0.1   ns.provider.net A 10.3.0.1
//   glueless.com 10.3.0.1
//   example.com  10.1.0.1 and 10.1.0.2 (CNAMEs across zones, a DNAME, a wildcard, a CNAME loop)
//   other.com    10.1.1.1
#pragma once

#include "replay.hpp"

namespace cairn::resolver::testing {

inline Zone root_zone() {
    return {".",
            {"@ 86400 SOA ns.root. hostmaster.root. 1 1800 900 604800 86400", "@ 518400 NS ns.root.",
             "ns.root. 518400 A 10.0.0.1", "com. 172800 NS ns1.com.", "ns1.com. 172800 A 10.0.1.1",
             "net. 172800 NS ns1.net.", "ns1.net. 172800 A 10.0.2.1"}};
}

inline Zone com_zone() {
    return {"com.",
            {"@ 900 SOA ns1.com. hostmaster.com. 1 1800 900 604800 900", "@ 172800 NS ns1",
             "ns1 172800 A 10.0.1.1", "example 172800 NS ns1.example", "example 172800 NS ns2.example",
             "ns1.example 172800 A 10.1.0.1", "ns2.example 172800 A 10.1.0.2", "other 172800 NS ns1.other",
             "ns1.other 172800 A 10.1.1.1", "glueless 172800 NS ns.provider.net."}};
}

inline Zone net_zone() {
    return {"net.",
            {"@ 900 SOA ns1.net. hostmaster.net. 1 1800 900 604800 900", "@ 172800 NS ns1",
             "ns1 172800 A 10.0.2.1", "provider 172800 NS ns1.provider", "ns1.provider 172800 A 10.2.0.1"}};
}

inline Zone provider_zone() {
    return {"provider.net.",
            {"@ 3600 SOA ns1 hostmaster 1 3600 900 604800 300", "@ 3600 NS ns1", "ns1 3600 A 10.2.0.1",
             "ns 3600 A 10.3.0.1"}};
}

inline Zone glueless_zone() {
    return {"glueless.com.",
            {"@ 3600 SOA ns.provider.net. hostmaster 1 3600 900 604800 300", "@ 3600 NS ns.provider.net.",
             "www 300 A 192.0.2.10"}};
}

inline Zone example_zone() {
    return {"example.com.",
            {"@ 3600 SOA ns1 hostmaster 1 3600 900 604800 300", "@ 3600 NS ns1", "@ 3600 NS ns2",
             "ns1 3600 A 10.1.0.1", "ns2 3600 A 10.1.0.2", "www 300 A 192.0.2.1", "www 300 A 192.0.2.3",
             "alias 600 CNAME www.other.com.", "inzone 600 CNAME www", "loop1 60 CNAME loop2",
             "loop2 60 CNAME loop1", "d 900 DNAME other.com.", "*.wild 300 A 192.0.2.99",
             "mail 300 MX 10 mx.other.com.", "a.b.c.deep 300 A 192.0.2.77"}};
}

inline Zone other_zone() {
    return {"other.com.",
            {"@ 3600 SOA ns1 hostmaster 1 3600 900 604800 600", "@ 3600 NS ns1", "ns1 3600 A 10.1.1.1",
             "www 300 A 192.0.2.2", "mx 300 A 192.0.2.25"}};
}

inline void build_hierarchy(Network& net) {
    net.serve("10.0.0.1", {root_zone()});
    net.serve("10.0.1.1", {com_zone()});
    net.serve("10.0.2.1", {net_zone()});
    net.serve("10.2.0.1", {provider_zone()});
    net.serve("10.3.0.1", {glueless_zone()});
    net.serve("10.1.0.1", {example_zone()});
    net.serve("10.1.0.2", {example_zone()});
    net.serve("10.1.1.1", {other_zone()});
}

}  // namespace cairn::resolver::testing
