// BIND's key files: keys made by dnssec-keygen load as they are, keys cairn writes are used by
// dnssec-signzone, and the .state file round-trips.
#include "dnssec/key_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "dnssec/ds.hpp"
#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::TempDir;

TEST(KeyTime, TextRoundTrips) {
    EXPECT_EQ(key_time_to_text(0), "19700101000000");
    EXPECT_EQ(key_time_from_text("20261207140458"), 1796652298u);
    EXPECT_EQ(key_time_to_text(1796652298), "20261207140458");
    EXPECT_EQ(key_time_from_text("1796652298"), 1796652298u);
    EXPECT_FALSE(key_time_from_text("20261307140458"));
    EXPECT_FALSE(key_time_from_text("2026120714045x"));
}

TEST(KeyFiles, WrittenKeysReadBackWithTheirTimingAndState) {
    TempDir dir;
    auto key = BindKey::make(dns::Name::from_text("Example.COM."), 257, PrivateKey::generate(13));
    key.ttl = 3600;
    key.timing.created = 1700000000;
    key.timing.publish = 1700000100;
    key.timing.activate = 1700000200;
    key.timing.sync_publish = 1700000300;
    key.timing.dnskey_change = 1700000400;
    key.metadata.lifetime = 31536000;
    key.metadata.successor = 12345;
    key.metadata.ksk = true;
    key.metadata.zsk = false;
    key.metadata.goal = KeyState::omnipresent;
    key.metadata.dnskey = KeyState::rumoured;
    key.metadata.ds = KeyState::hidden;
    key.has_state = true;
    write_key(dir.path(), key);

    const std::string base = dir.file(key.file_base());
    EXPECT_EQ(key.file_base(), "Kexample.com.+013+" + std::string(5 - std::to_string(key.tag()).size(), '0') +
                                   std::to_string(key.tag()));
    struct stat st {};
    ASSERT_EQ(::stat((base + ".private").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const std::string text = testing::read_text(base + ".key");
    EXPECT_NE(
        text.find("; This is a key-signing key, keyid " + std::to_string(key.tag()) + ", for example.com."),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("; SyncPublish: 20231114221820"), std::string::npos) << text;

    const BindKey back = read_key(base);
    EXPECT_EQ(back.tag(), key.tag());
    EXPECT_EQ(back.ttl, 3600u);
    EXPECT_EQ(back.public_key, key.public_key);
    ASSERT_TRUE(back.private_key);
    EXPECT_EQ(back.private_key->public_key_field(), key.public_key);
    EXPECT_EQ(back.timing.created, 1700000000u);
    EXPECT_EQ(back.timing.activate, 1700000200u);
    EXPECT_EQ(back.timing.sync_publish, 1700000300u);
    EXPECT_EQ(back.timing.dnskey_change, 1700000400u);
    EXPECT_EQ(back.metadata.lifetime, 31536000u);
    EXPECT_EQ(back.metadata.successor, 12345u);
    EXPECT_EQ(back.metadata.ksk, true);
    EXPECT_EQ(back.metadata.zsk, false);
    EXPECT_EQ(back.metadata.goal, KeyState::omnipresent);
    EXPECT_EQ(back.metadata.dnskey, KeyState::rumoured);
    EXPECT_EQ(back.metadata.ds, KeyState::hidden);
    EXPECT_FALSE(back.metadata.krrsig);
    EXPECT_TRUE(back.has_state);
    const auto keys = read_zone_keys(dir.path(), dns::Name::from_text("example.com."));
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].tag(), key.tag());
}

TEST(KeyFiles, BadFilesGiveClearErrors) {
    TempDir dir;
    auto key = BindKey::make(dns::Name::from_text("example."), 256, PrivateKey::generate(15));
    write_key(dir.path(), key);
    const std::string base = dir.file(key.file_base());
    EXPECT_THROW(read_key(dir.file("Kmissing.+013+00001")), KeyFileError);
    // A .private of another key.
    auto other = BindKey::make(dns::Name::from_text("example."), 256, PrivateKey::generate(15));
    write_key(dir.path(), other);
    std::filesystem::copy_file(dir.file(other.file_base()) + ".private", base + ".private",
                               std::filesystem::copy_options::overwrite_existing);
    try {
        read_key(base);
        FAIL() << "a mismatched private key was accepted";
    } catch (const KeyFileError& e) {
        EXPECT_NE(std::string(e.what()).find("does not belong"), std::string::npos) << e.what();
    }
    testing::write_text(base + ".state", "; state\nAlgorithm: 15\nLength: 256\nGoalState: sideways\n");
    std::filesystem::remove(base + ".private");
    try {
        read_key(base);
        FAIL() << "an unknown key state was accepted";
    } catch (const KeyFileError& e) {
        EXPECT_NE(std::string(e.what()).find(".state:4"), std::string::npos) << e.what();
    }
}

class BindKeys : public ::testing::TestWithParam<std::pair<const char*, std::uint8_t>> {};

// dnssec-keygen's keys load as they are: the tag in the file name, the public key, and the private key
// that signs for it.
TEST_P(BindKeys, KeygenKeysLoadAndSign) {
    if (!testing::have_tool("dnssec-keygen")) GTEST_SKIP() << "bind9-utils is not installed";
    TempDir dir;
    const auto [name, algorithm] = GetParam();
    const std::string bits = algorithm == 8 || algorithm == 10 ? " -b 1024" : "";
    const auto [status, out] =
        testing::run("cd " + dir.path() + " && dnssec-keygen -q -f KSK -a " + name + bits + " example.com");
    ASSERT_EQ(status, 0) << out;
    const std::string base = out.substr(0, out.find_first_of("\r\n"));
    const BindKey key = read_key(dir.file(base));
    EXPECT_EQ(key.file_base(), base);
    EXPECT_EQ(key.algorithm, algorithm);
    EXPECT_EQ(key.flags, 257);
    ASSERT_TRUE(key.private_key);
    ASSERT_TRUE(key.timing.created);
    EXPECT_EQ(key.timing.created, key.timing.publish);
    const auto dnskey = key.dnskey_rdata();
    const auto a = testing::rdata(dns::RRType::A, "192.0.2.1");
    const Bytes rdatas[] = {a};
    const auto owner = testing::wire("www.example.com.");
    const RRsetRef rrset{owner, dns::RRType::A, dns::RRClass::IN, rdatas};
    const SignatureFields f{dns::RRType::A, algorithm,  3,         300,
                            2000000000,     1700000000, key.tag(), dns::Name::from_text("example.com.")};
    EXPECT_EQ(verify_rrsig(rrset, sign_rrset(rrset, f, *key.private_key), dnskey), SignatureFailure::none);
    // Its DS as dnssec-dsfromkey computes it.
    const auto [ds_status, ds_out] = testing::run("dnssec-dsfromkey -2 " + dir.file(base) + ".key");
    ASSERT_EQ(ds_status, 0) << ds_out;
    const auto ds = make_ds_rdata(testing::wire("example.com."), dnskey, 2);
    EXPECT_NE(ds_out.find(dns::rdata_to_text(dns::RRType::DS, ds)), std::string::npos) << ds_out;
    // Written by cairn and read back, the files still mean the same key.
    TempDir copy;
    write_key(copy.path(), key);
    const BindKey again = read_key(copy.file(base));
    EXPECT_EQ(again.dnskey_rdata(), dnskey);
    EXPECT_EQ(again.timing.activate, key.timing.activate);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, BindKeys,
                         ::testing::Values(std::pair{"RSASHA256", 8}, std::pair{"RSASHA512", 10},
                                           std::pair{"ECDSAP256SHA256", 13}, std::pair{"ECDSAP384SHA384", 14},
                                           std::pair{"ED25519", 15}, std::pair{"ED448", 16}));

// Keys made by dnssec-keygen for a dnssec-policy come with a .state file.
TEST(BindKeys, PolicyKeysCarryTheirState) {
    if (!testing::have_tool("dnssec-keygen")) GTEST_SKIP() << "bind9-utils is not installed";
    TempDir dir;
    testing::write_text(
        dir.file("named.conf"),
        "dnssec-policy \"p\" { keys { ksk lifetime P1Y algorithm 13; zsk lifetime 30d algorithm 13; }; "
        "};\n");
    const auto [status, out] =
        testing::run("cd " + dir.path() + " && dnssec-keygen -q -k p -l named.conf example.com");
    ASSERT_EQ(status, 0) << out;
    const auto keys = read_zone_keys(dir.path(), dns::Name::from_text("example.com."));
    ASSERT_EQ(keys.size(), 2u);
    for (const auto& k : keys) {
        EXPECT_TRUE(k.has_state);
        ASSERT_TRUE(k.metadata.ksk);
        ASSERT_TRUE(k.metadata.zsk);
        EXPECT_NE(*k.metadata.ksk, *k.metadata.zsk);
        EXPECT_EQ(k.metadata.lifetime, *k.metadata.ksk ? 31536000u : 2592000u);
        EXPECT_EQ(k.ttl, 3600u);
        ASSERT_TRUE(k.timing.activate);
        // Rewritten by cairn, the .state keeps BIND's lines (the Length computed again).
        TempDir copy;
        write_key(copy.path(), k);
        const std::string mine = testing::read_text(copy.file(k.file_base()) + ".state");
        const std::string theirs = testing::read_text(dir.file(k.file_base()) + ".state");
        EXPECT_EQ(mine, theirs);
    }
}

// cairn's keys in BIND's hands: dnssec-signzone signs with them and dnssec-verify accepts the zone.
TEST(BindKeys, SignzoneUsesCairnKeys) {
    if (!testing::have_tool("dnssec-signzone") || !testing::have_tool("dnssec-verify"))
        GTEST_SKIP() << "bind9-utils is not installed";
    for (const std::uint8_t algorithm : {8, 13, 15, 16}) {
        TempDir dir;
        const auto origin = dns::Name::from_text("example.com.");
        auto ksk = BindKey::make(origin, 257, PrivateKey::generate(algorithm, algorithm == 8 ? 1024 : 0));
        auto zsk = BindKey::make(origin, 256, PrivateKey::generate(algorithm, algorithm == 8 ? 1024 : 0));
        for (auto* k : {&ksk, &zsk}) {
            k->timing.created = k->timing.publish = k->timing.activate = 1600000000;
            write_key(dir.path(), *k);
        }
        testing::write_text(dir.file("db"),
                            "$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.1\n"
                            "www A 192.0.2.2\n");
        const auto [status, out] = testing::run("cd " + dir.path() +
                                                " && dnssec-signzone -S -K . -o example.com -f signed db && "
                                                "dnssec-verify -o example.com signed");
        EXPECT_EQ(status, 0) << int{algorithm} << ": " << out;
        const auto signed_zone = testing::read_zone(dir.file("signed"), "example.com.");
        const auto count = testing::verify_zone(signed_zone, "example.com.");
        EXPECT_GT(count.good, 5u) << int{algorithm};
        EXPECT_EQ(count.bad, 0u) << int{algorithm};
    }
}

}  // namespace
}  // namespace cairn::dnssec
