// NSEC3 hashing: RFC 5155 Appendix A, BIND's nsec3hash, covering, and the work counted.
#include "dnssec/nsec3.hpp"

#include <gtest/gtest.h>

#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::from_hex;
using testing::wire;

const std::pair<const char*, const char*> kAppendixA[] = {
    {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
    {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
    {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
    {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
    {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
    {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
    {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
    {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
    {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
    {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
    {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
    {"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"},
    {"X.W.Example.", "b4um86eghhds6nea196smvmlo4ors995"},  // case does not matter
};

TEST(Nsec3Hash, MatchesRfc5155AppendixA) {
    const auto salt = from_hex("aabbccdd");
    for (const auto& [name, hash] : kAppendixA) {
        Nsec3Hash h;
        ASSERT_TRUE(nsec3_hash(wire(name), salt, 12, h));
        EXPECT_EQ(nsec3_label(h), hash) << name;
        // And back from an owner name.
        Nsec3Hash from_owner;
        ASSERT_TRUE(nsec3_owner_hash(wire(std::string(hash) + ".example."), from_owner));
        EXPECT_EQ(from_owner, h);
    }
    Nsec3Hash h;
    EXPECT_FALSE(nsec3_owner_hash(wire("www.example."), h));
}

TEST(Nsec3Hash, AgreesWithBindsNsec3hash) {
    if (!testing::have_tool("nsec3hash")) GTEST_SKIP() << "BIND's nsec3hash is not installed";
    const struct {
        const char* salt;
        std::uint16_t iterations;
        const char* name;
    } cases[] = {{"-", 0, "example.com"},
                 {"ff", 0, "example"},
                 {"0123456789abcdef", 5, "a.b.c.example.org"},
                 {"-", 50, "*.wild.example"},
                 {"aa", 150, "x"}};
    for (const auto& c : cases) {
        const auto [status, out] = testing::run(std::string("nsec3hash ") + c.salt + " 1 " +
                                                std::to_string(c.iterations) + " " + c.name);
        ASSERT_EQ(status, 0) << out;
        Nsec3Hash h;
        const auto salt = std::string(c.salt) == "-" ? std::vector<std::uint8_t>{} : from_hex(c.salt);
        ASSERT_TRUE(nsec3_hash(wire(std::string(c.name) + "."), salt, c.iterations, h));
        std::string upper = nsec3_label(h);
        for (auto& ch : upper)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        EXPECT_EQ(out.substr(0, 32), upper) << c.name;
    }
}

TEST(Nsec3Hash, TheBudgetCountsAndStopsTheWork) {
    WorkLimits limits;
    limits.nsec3_hashes = 3;
    WorkBudget budget(limits);
    Nsec3Hash h;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(nsec3_hash(wire("a.example."), {}, 10, h, &budget));
    EXPECT_EQ(budget.nsec3_hashes(), 3u);
    EXPECT_EQ(budget.sha1_blocks(), 33u);
    EXPECT_EQ(budget.exceeded(), WorkLimit::none);
    EXPECT_FALSE(nsec3_hash(wire("b.example."), {}, 10, h, &budget));
    EXPECT_EQ(budget.exceeded(), WorkLimit::nsec3_hashes);
    EXPECT_EQ(budget.sha1_blocks(), 33u);
}

TEST(Nsec3Covers, WrapsAtTheEndOfTheChain) {
    const auto a = from_hex("10"), b = from_hex("20"), c = from_hex("30"), d = from_hex("40");
    EXPECT_TRUE(nsec3_covers(a, c, b));
    EXPECT_FALSE(nsec3_covers(a, c, a));  // matches, does not cover
    EXPECT_FALSE(nsec3_covers(a, c, c));
    EXPECT_FALSE(nsec3_covers(a, c, d));
    // The last record: from its owner to the end, and from the start to its next.
    EXPECT_TRUE(nsec3_covers(c, a, d));
    EXPECT_TRUE(nsec3_covers(c, b, from_hex("05")));
    EXPECT_FALSE(nsec3_covers(c, a, b));
    // A chain of one covers everything but its owner.
    EXPECT_TRUE(nsec3_covers(b, b, a));
    EXPECT_TRUE(nsec3_covers(b, b, c));
    EXPECT_FALSE(nsec3_covers(b, b, b));
}

}  // namespace
}  // namespace cairn::dnssec
