// Every error names the file and line, and says what is wrong in BIND's words where BIND has them.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

std::vector<std::string> errors_of(const std::string& text) {
    try {
        load_text("e.conf", text);
    } catch (const ConfigError& e) {
        std::vector<std::string> out;
        for (const Diagnostic& d : e.errors())
            out.push_back(d.to_string());
        return out;
    }
    return {};
}

std::string error_of(const std::string& text) {
    const auto errors = errors_of(text);
    return errors.empty() ? "(accepted)" : errors.front();
}

TEST(Errors, Syntax) {
    EXPECT_EQ(error_of("options {\n recursion no;\n"), "e.conf:3: '}' expected near end of file");
    EXPECT_EQ(error_of("options {\n directory \"/tmp\"\n recursion no;\n};\n"),
              "e.conf:3: missing ';' before 'recursion'");
    EXPECT_EQ(error_of("options { recursion no; }\n"), "e.conf:2: missing ';' before end of file");
    EXPECT_EQ(error_of("options { version \"abc\n"), "e.conf:1: unterminated quoted string");
    EXPECT_EQ(error_of("/* never closed\n options { };"), "e.conf:1: unterminated comment (/* without */)");
    EXPECT_EQ(error_of("options { recursion no; recursion yes; };"),
              "e.conf:1: 'recursion' redefined near 'recursion'");
    EXPECT_EQ(error_of("options { }; options { };"), "e.conf:1: 'options' redefined near 'options'");
    EXPECT_EQ(error_of("}"), "e.conf:1: expected a statement name near '}'");
}

TEST(Errors, UnknownKeywordSuggestsTheNearest) {
    EXPECT_EQ(error_of("options {\n allow-transfr { any; };\n};"),
              "e.conf:2: unknown option 'allow-transfr'; did you mean 'allow-transfer'?");
    EXPECT_EQ(error_of("zone \"a\" { tpye primary; };"),
              "e.conf:1: unknown option 'tpye'; did you mean 'type'?");
    EXPECT_EQ(error_of("zonee \"a\" { };"), "e.conf:1: unknown option 'zonee'; did you mean 'zone'?");
    EXPECT_EQ(error_of("options { xyzzy-plugh-frobnicate 1; };"),
              "e.conf:1: unknown option 'xyzzy-plugh-frobnicate'");
    // A zone-only keyword in options is unknown there.
    EXPECT_EQ(error_of("options { type primary; };").rfind("e.conf:1: unknown option 'type'", 0), 0u);
}

TEST(Errors, AncientOptionsAreRefused) {
    EXPECT_EQ(error_of("options { use-ixfr yes; };"), "e.conf:1: option 'use-ixfr' no longer exists");
}

TEST(Errors, Addresses) {
    EXPECT_EQ(error_of("acl a { 10.0.0.1/8; };"), "e.conf:1: '10.0.0.1/8': address/prefix length mismatch");
    EXPECT_EQ(error_of("acl a { 10.0.0.0/33; };"), "e.conf:1: '10.0.0.0/33': prefix length 33 out of range");
    EXPECT_EQ(error_of("acl a { 2001:db8::/129; };"),
              "e.conf:1: '2001:db8::/129': prefix length 129 out of range");
    EXPECT_EQ(error_of("acl a { 192.168.1.300; };"),
              "e.conf:1: '192.168.1.300': expected IP address or prefix");
    EXPECT_EQ(error_of("zone \"a\" { type secondary; primaries { 192.0.2.256; }; };"),
              "e.conf:1: '192.0.2.256' is not a valid IP address");
    EXPECT_EQ(error_of("options { listen-on port 99999 { any; }; };"),
              "e.conf:1: expected port number (0-65535) near '99999'");
    EXPECT_EQ(error_of("options { transfer-source 2001:db8::1; };"),
              "e.conf:1: expected IPv4 address near '2001:db8::1'");
}

TEST(Errors, ZoneChecks) {
    EXPECT_EQ(error_of("zone \"a\" { file \"x\"; };"), "e.conf:1: zone 'a': type not present");
    EXPECT_EQ(error_of("zone \"a\" { type primary; };"), "e.conf:1: zone 'a': missing 'file' entry");
    EXPECT_EQ(error_of("zone \"a\" { type secondary; };"), "e.conf:1: zone 'a': missing 'primaries' entry");
    EXPECT_EQ(error_of("zone \"a\" { type primary; file \"a\"; primaries { 192.0.2.1; }; };"),
              "e.conf:1: option 'primaries' is not allowed in 'primary' zone 'a'");
    EXPECT_EQ(
        error_of("zone \"a\" { type primary; file \"x\"; };\nzone \"A.\" { type primary; file \"y\"; };"),
        "e.conf:2: zone 'A.': already exists previous definition: e.conf:1");
    EXPECT_EQ(error_of("view v { };\nzone \"a\" { type primary; file \"x\"; };"),
              "e.conf:2: when using 'view' statements, all zones must be in views");
    // The same zone in two views is fine.
    EXPECT_EQ(error_of("view v { zone \"a\" { type primary; file \"x\"; }; };\n"
                       "view w { zone \"a\" { type primary; file \"y\"; }; };"),
              "(accepted)");
    EXPECT_EQ(error_of("zone \"a\" chaos { type primary; file \"x\"; };"),
              "e.conf:1: zone 'a': class 'CH' does not match view/default class");
    EXPECT_EQ(error_of("zone \"a\" foo { type primary; file \"x\"; };"),
              "e.conf:1: unknown class 'foo' near 'foo'");
    EXPECT_EQ(error_of("zone \"a\" { type secondary; primaries { nosuch; }; };"),
              "e.conf:1: unable to find primaries list 'nosuch'");
}

TEST(Errors, KeyChecks) {
    EXPECT_EQ(error_of("key k { algorithm hmac-foo; secret \"YWJj\"; };"),
              "e.conf:1: unknown algorithm 'hmac-foo'");
    EXPECT_EQ(error_of("key k { algorithm hmac-sha256; secret \"ab!c\"; };"),
              "e.conf:1: bad secret 'bad base64 encoding'");
    EXPECT_EQ(error_of("key k { secret \"YWJj\"; };"),
              "e.conf:1: key 'k' must have both 'secret' and 'algorithm' defined");
    EXPECT_EQ(error_of("key \"k\" { algorithm hmac-sha256; secret \"YWJj\"; };\n"
                       "key \"K.\" { algorithm hmac-sha256; secret \"YWJj\"; };"),
              "e.conf:2: key 'K.': already exists previous definition: e.conf:1");
    EXPECT_EQ(error_of("server 192.0.2.1 { keys { nosuch; }; };"), "e.conf:1: unknown key 'nosuch'");
}

TEST(Errors, HostileNestingIsRefusedNotACrash) {
    EXPECT_EQ(error_of("acl a { " + std::string(100000, '{') + " };"),
              "e.conf:1: address match list nested too deeply");
    std::string chain;
    for (int i = 0; i < 200; ++i)
        chain += "acl a" + std::to_string(i) + " { a" + std::to_string(i + 1) + "; };\n";
    chain += "acl a200 { any; };\noptions { allow-query { a0; }; };\n";
    EXPECT_NE(error_of(chain).find("named ACLs nested too deeply"), std::string::npos);
}

TEST(Errors, AclChecks) {
    EXPECT_EQ(error_of("acl a { any; };\nacl a { none; };"),
              "e.conf:2: attempt to redefine acl 'a' previous definition: e.conf:1");
    EXPECT_EQ(error_of("acl any { 10/8; };"), "e.conf:1: cannot redefine builtin acl 'any'");
    EXPECT_EQ(error_of("view v { match-clients { nosuch; }; };"), "e.conf:1: undefined ACL 'nosuch'");
}

TEST(Errors, SeveralSemanticErrorsAreAllReported) {
    const auto errors = errors_of("zone \"a\" { type primary; };\nzone \"b\" { type secondary; };\n");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[1], "e.conf:2: zone 'b': missing 'primaries' entry");
}

}  // namespace
}  // namespace cairn::config
