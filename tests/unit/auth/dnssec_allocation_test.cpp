// The signed query path allocates nothing: answers with RRSIGs and NSEC or NSEC3 proofs (the NSEC3 next
// closer name hashed at query time) for every kind of answer. This is the one file of unit_auth that counts
// allocations (../allocation_counter.hpp replaces operator new for the whole binary); OpenSSL's are counted
// through its memory hooks, installed before it allocates anything.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>

#include "../allocation_counter.hpp"
#include "auth/engine.hpp"
#include "auth_test_util.hpp"

using namespace cairn;
using namespace cairn::auth;

namespace {

std::atomic<long> g_openssl_allocations{0};
void* counting_malloc(std::size_t n, const char*, int) {
    g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n);
}
void* counting_realloc(void* p, std::size_t n, const char*, int) {
    g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::realloc(p, n);
}
void counting_free(void* p, const char*, int) {
    std::free(p);
}
// A static initializer: runs before main, so before OpenSSL's first allocation.
const bool g_openssl_hooked = CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) == 1;

}  // namespace

// dnssec_answers_test.cpp: the zone of its tests, signed with an NSEC chain or an opt-out NSEC3 chain.
std::shared_ptr<const zone::Zone> signed_allocation_test_zone(bool nsec3);

TEST(SignedQueryPath, AllocatesNothing) {
    for (const bool nsec3 : {false, true}) {
        const zone::ZoneTable table({signed_allocation_test_zone(nsec3)});
        const Engine engine{Settings{}};
        std::vector<std::vector<std::uint8_t>> queries;
        auth::testing::QueryOptions q;
        q.dnssec_ok = true;
        for (const char* name : {"www.example.", "nothing.example.", "a.b.wild.example.",
                                 "www.insecure.example.", "b.ent.example.", "cname.example.", "x.wc.example.",
                                 "insecure.example.", "www.secure.example."})
            queries.push_back(auth::testing::make_query(name, dns::RRType::A, q));
        queries.push_back(auth::testing::make_query("a.b.wild.example.", dns::RRType::AAAA, q));
        queries.push_back(auth::testing::make_query("insecure.example.", dns::RRType::DS, q));
        queries.push_back(auth::testing::make_query("example.", dns::RRType::MX, q));
        std::vector<std::uint8_t> out(65535);
        ClientInfo client;
        ASSERT_TRUE(g_openssl_hooked);
        const long before = allocation_counter::allocations();
        const long openssl_before = g_openssl_allocations.load();
        std::size_t answered = 0;
        for (const auto& query : queries)
            answered += engine.answer(table, query, client, out).size > 0;
        EXPECT_EQ(allocation_counter::allocations(), before) << (nsec3 ? "NSEC3" : "NSEC");
        EXPECT_EQ(g_openssl_allocations.load(), openssl_before) << (nsec3 ? "NSEC3" : "NSEC");
        EXPECT_EQ(answered, queries.size());
    }
}
