#include "zonefile/master_parser.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "dns/rdata.hpp"
#include "zone_test_util.hpp"

using namespace cairn;
using namespace cairn::zone;
using namespace cairn::zonefile;
using namespace cairn::zonefile::testing;
using dns::Name;
using dns::RRType;

namespace {

// The nth record of `type` at `owner`, materialized (kept alive for the test's duration).
const Record* find(const ParsedZone& z, std::string_view owner, RRType type, std::size_t nth = 0) {
    static std::vector<std::unique_ptr<Record>> keep;
    const Name n = Name::from_text(owner);
    for (std::size_t i = 0; i < z.size(); ++i) {
        if (z.owner(i) == n && z.rrs[i].type == type && nth-- == 0) {
            keep.push_back(std::make_unique<Record>(z.record(i)));
            return keep.back().get();
        }
    }
    return nullptr;
}

std::string rdata_text(const Record* r) {
    return r ? dns::rdata_to_text(r->type, r->rdata) : "<missing>";
}

// A scratch directory that is the working directory for the test's lifetime ($INCLUDE resolves against it).
class ScratchDir {
  public:
    ScratchDir() {
        char tmpl[] = "/tmp/cairn-zone-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        old_ = std::filesystem::current_path();
        std::filesystem::current_path(dir_);
    }
    ~ScratchDir() {
        std::filesystem::current_path(old_);
        std::filesystem::remove_all(dir_);
    }
    void write(const std::string& name, std::string_view text) const {
        std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + name).parent_path());
        std::ofstream(dir_ + "/" + name) << text;
    }
    const std::string& path() const { return dir_; }

  private:
    std::string dir_;
    std::filesystem::path old_;
};

}  // namespace

TEST(MasterParser, LecturesZoneReadsAsBindReadsIt) {
    const ParsedZone z = parse_zone_file(
        std::string(CAIRN_TEST_DATA) + "/../../examples/zones/dnskurz.cz.zone", options_for("dnskurz.cz."));
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(z.size(), 15u);
    EXPECT_EQ(rdata_text(find(z, "dnskurz.cz.", RRType::SOA)),
              "ns2.dnskurz.cz. hostmaster.dnskurz.cz. 2025070401 21600 7200 604800 3600");
    EXPECT_EQ(find(z, "ns1.dnskurz.cz.", RRType::AAAA)->ttl, 1800u);
    EXPECT_EQ(find(z, "www.dnskurz.cz.", RRType::AAAA, 1)->ttl, 3600u);
    // The $ORIGIN development.namn.se. part lies outside the zone: BIND ignores it with a warning.
    EXPECT_TRUE(
        has(z.diagnostics, Severity::Warning, 27, "ignoring out-of-zone data (www.development.namn.se.)"))
        << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 29,
                    "ignoring out-of-zone data (www.extra.development.namn.se.)"));
    EXPECT_EQ(find(z, "www.development.namn.se.", RRType::A), nullptr);
}

TEST(MasterParser, TtlDirectiveRepeatsAndUnits) {
    const ParsedZone z = parse(
        "$TTL 1h\n"
        "a A 192.0.2.1\n"
        "$TTL 600\n"
        "b A 192.0.2.2\n"
        "c 1h30m A 192.0.2.3\n"
        "d 1w2d A 192.0.2.4\n"
        "$TTL 1D\n"
        "e A 192.0.2.5\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(find(z, "a.example.com.", RRType::A)->ttl, 3600u);
    EXPECT_EQ(find(z, "b.example.com.", RRType::A)->ttl, 600u);
    EXPECT_EQ(find(z, "c.example.com.", RRType::A)->ttl, 5400u);
    EXPECT_EQ(find(z, "d.example.com.", RRType::A)->ttl, 777600u);
    EXPECT_EQ(find(z, "e.example.com.", RRType::A)->ttl, 86400u);
}

TEST(MasterParser, OriginIsRelativeToThePreviousOrigin) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "$ORIGIN sub\n"
        "a A 192.0.2.1\n"
        "$ORIGIN deeper.sub.example.com.\n"
        "b A 192.0.2.2\n"
        "@ MX 10 mail\n"
        "$ORIGIN @\n"
        "c A 192.0.2.3\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_NE(find(z, "a.sub.example.com.", RRType::A), nullptr);
    EXPECT_NE(find(z, "b.deeper.sub.example.com.", RRType::A), nullptr);
    EXPECT_EQ(rdata_text(find(z, "deeper.sub.example.com.", RRType::MX)), "10 mail.deeper.sub.example.com.");
    EXPECT_NE(find(z, "c.deeper.sub.example.com.", RRType::A), nullptr);
}

TEST(MasterParser, BlankOwnerContinuesThePreviousOwner) {
    const ParsedZone z = parse("$TTL 60\nwww A 192.0.2.1\n  AAAA 2001:db8::1\n\t300 TXT \"x\"\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_NE(find(z, "www.example.com.", RRType::AAAA), nullptr);
    EXPECT_EQ(find(z, "www.example.com.", RRType::TXT)->ttl, 300u);
}

TEST(MasterParser, FirstRecordWithBlankOwnerIsAnError) {
    const ParsedZone z = parse("$TTL 60\n  A 192.0.2.1\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 2, "no current owner name")) << dump(z.diagnostics);
}

TEST(MasterParser, ClassAndTtlInEitherOrder) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "a IN 5 A 192.0.2.1\n"
        "b 6 IN A 192.0.2.2\n"
        "c IN A 192.0.2.3\n"
        "d 7 A 192.0.2.4\n"
        "e CLASS1 A 192.0.2.5\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(find(z, "a.example.com.", RRType::A)->ttl, 5u);
    EXPECT_EQ(find(z, "b.example.com.", RRType::A)->ttl, 6u);
    EXPECT_EQ(find(z, "c.example.com.", RRType::A)->ttl, 60u);
    EXPECT_EQ(find(z, "d.example.com.", RRType::A)->ttl, 7u);
    EXPECT_NE(find(z, "e.example.com.", RRType::A), nullptr);
}

TEST(MasterParser, FirstTokenOfAnUnindentedLineIsTheOwner) {
    // BIND reads "A A ..." as owner A: a type mnemonic in column one is a name.
    const ParsedZone z = parse("$TTL 60\nA A 192.0.2.1\nIN TXT x\nwww A 192.0.2.1\nAAAA 2001:db8::1\n");
    EXPECT_NE(find(z, "a.example.com.", RRType::A), nullptr);
    EXPECT_NE(find(z, "in.example.com.", RRType::TXT), nullptr);
    // A forgotten indent: the error says how the line was read.
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 5, "so 'AAAA' was read as its owner name"))
        << dump(z.diagnostics);
    EXPECT_EQ(z.diagnostics.error_count(), 1u) << dump(z.diagnostics);
}

TEST(MasterParser, AbsoluteRelativeAndAtNames) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "@ NS ns1\n"
        "www.example.com. CNAME @\n"
        "x.y A 192.0.2.1\n"
        "star CNAME *.example.com.\n"
        "\\@sign TXT a\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(rdata_text(find(z, "example.com.", RRType::NS)), "ns1.example.com.");
    EXPECT_EQ(rdata_text(find(z, "www.example.com.", RRType::CNAME)), "example.com.");
    EXPECT_NE(find(z, "x.y.example.com.", RRType::A), nullptr);
    EXPECT_NE(find(z, "\\@sign.example.com.", RRType::TXT), nullptr);
}

TEST(MasterParser, ParenthesesAndComments) {
    const ParsedZone z = parse(
        "$TTL 60 ; default\n"
        "@ SOA ns1 hostmaster ( ; start\n"
        "   2025070401 ; serial\n"
        "   21600 7200\n"
        "   604800 3600 ) ; end\n"
        "t TXT ( \"one\" ; first\n"
        "  \"two ; not a comment\" )\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(rdata_text(find(z, "example.com.", RRType::SOA)),
              "ns1.example.com. hostmaster.example.com. 2025070401 21600 7200 604800 3600");
    EXPECT_EQ(rdata_text(find(z, "t.example.com.", RRType::TXT)), "\"one\" \"two ; not a comment\"");
    EXPECT_EQ(z.line_of(1), 6u);
}

TEST(MasterParser, EscapesInNamesAndStrings) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "a\\.b TXT \"quote \\\" and \\\\ and \\065\"\n"
        "sp\\032ace A 192.0.2.1\n"
        "semi\\;colon TXT unquoted\\ text\\;x\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    const Record* r = find(z, "a\\.b.example.com.", RRType::TXT);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->owner.label(0), "a.b");
    EXPECT_EQ(rdata_text(r), "\"quote \\\" and \\\\ and A\"");
    EXPECT_NE(find(z, "sp\\032ace.example.com.", RRType::A), nullptr);
    EXPECT_EQ(rdata_text(find(z, "semi\\;colon.example.com.", RRType::TXT)), "\"unquoted text;x\"");
}

TEST(MasterParser, GenericTypesAndRdata) {
    const ParsedZone z = parse("$TTL 60\nx TYPE65534 \\# 3 010203\ny A \\# 4 C0000201\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(rdata_text(find(z, "y.example.com.", RRType::A)), "192.0.2.1");
    EXPECT_EQ(find(z, "x.example.com.", static_cast<RRType>(65534))->rdata,
              (std::vector<std::uint8_t>{1, 2, 3}));
}

TEST(MasterParser, NoTtlUsesSoaMinimumWithWarning) {
    const ParsedZone z = parse("@ SOA ns1 hostmaster 1 2 3 4 555\nx A 192.0.2.1\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 1, "no TTL specified; using SOA MINTTL instead"));
    EXPECT_EQ(find(z, "example.com.", RRType::SOA)->ttl, 555u);
    EXPECT_EQ(find(z, "x.example.com.", RRType::A)->ttl, 555u);
}

TEST(MasterParser, NoTtlAnywhereRejectsTheRecord) {
    const ParsedZone z = parse("x A 192.0.2.1\n@ SOA ns1 hostmaster 1 2 3 4 555\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 1, "no TTL specified; zone rejected"))
        << dump(z.diagnostics);
}

TEST(MasterParser, Rfc1035TtlInheritanceWarnsOnce) {
    const ParsedZone z =
        parse("@ 1w2d SOA ns1 h 1 2 3 4 1H\n@ IN 5 NS ns1\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 3, "using RFC1035 TTL semantics"))
        << dump(z.diagnostics);
    EXPECT_EQ(find(z, "ns1.example.com.", RRType::A)->ttl, 5u);
    EXPECT_EQ(find(z, "ns2.example.com.", RRType::A)->ttl, 5u);
    EXPECT_EQ(z.diagnostics.all().size(), 1u) << dump(z.diagnostics);
}

TEST(MasterParser, TtlAboveMaximumBecomesZero) {
    const ParsedZone z = parse("$TTL 2147483648\na A 192.0.2.1\nb 4294967295 A 192.0.2.2\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 1, "$TTL 2147483648 > MAXTTL, setting $TTL to 0"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 3, "TTL 4294967295 > MAXTTL"));
    EXPECT_EQ(find(z, "a.example.com.", RRType::A)->ttl, 0u);
    EXPECT_EQ(find(z, "b.example.com.", RRType::A)->ttl, 0u);
}

TEST(MasterParser, OutOfZoneDataIsIgnoredWithAWarning) {
    const ParsedZone z = parse("$TTL 60\nwww. A 192.0.2.1\nok A 192.0.2.2\nexample.org. A 192.0.2.3\n");
    EXPECT_FALSE(z.diagnostics.has_errors());
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 2, "ignoring out-of-zone data (www.)"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 4, "ignoring out-of-zone data (example.org.)"));
    EXPECT_EQ(z.size(), 1u);
}

TEST(MasterParser, ForgottenTrailingDotOnOwnerWarns) {
    const ParsedZone z =
        parse("$TTL 60\nmail.example.com A 192.0.2.20\nexample.com TXT x\nmail.example.com. A 192.0.2.21\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 2, "becomes 'mail.example.com.example.com.'"))
        << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 3, "becomes 'example.com.example.com.'"));
    EXPECT_FALSE(has(z.diagnostics, Severity::Warning, 4, "becomes"));
    EXPECT_NE(find(z, "mail.example.com.example.com.", RRType::A), nullptr);
}

TEST(MasterParser, HashAndColonAreNotComments) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "@ NS ns1 : primary server\n"
        ": Old web server not used.\n"
        "#www A 192.0.2.5 ; IPv4\n"
        "# AAAA 2001:db8::5 ; IPv6\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 2, "do not start comments")) << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 3, "line begins with ':'"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 3, "unknown RR type 'Old'"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 4, "line begins with '#'"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Warning, 5, "line begins with '#'"));
    // "# AAAA ..." is a valid record owned by "#.example.com."; check-names (in the checks) rejects it.
    EXPECT_FALSE(has(z.diagnostics, Severity::Error, 5, ""));
    EXPECT_NE(find(z, "\\#.example.com.", RRType::AAAA), nullptr) << dump(z.diagnostics);
}

TEST(MasterParser, ErrorsCarryTheirLineAndParsingGoesOn) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "a FOO 1\n"           // 2 unknown type
        "b CH A 192.0.2.1\n"  // 3 class mismatch
        "c 1x A 192.0.2.1\n"  // 4 bad TTL
        "d A 192.0.2.300\n"   // 5 malformed rdata
        "e ANY 1.2.3.4\n"     // 6 ANY is a class here, then the type is missing
        "f TXT \"open\n"      // 7 unterminated quote
        "g A 192.0.2.7 )\n"   // 8 unbalanced ')'
        "$FOO bar\n"          // 9 unknown directive
        "h AXFR x\n"          // 10 meta type
        "ok A 192.0.2.9\n");  // 11 still read
    const auto& d = z.diagnostics;
    EXPECT_TRUE(has(d, Severity::Error, 2, "unknown RR type 'FOO'")) << dump(d);
    EXPECT_TRUE(has(d, Severity::Error, 3, "class 'CH' != zone class 'IN'"));
    EXPECT_TRUE(has(d, Severity::Error, 4, "bad TTL '1x'"));
    EXPECT_TRUE(has(d, Severity::Error, 5, "A rdata"));
    EXPECT_TRUE(has(d, Severity::Error, 6, "class 'ANY' != zone class 'IN'"));
    EXPECT_TRUE(has(d, Severity::Error, 7, "unterminated quoted string"));
    EXPECT_TRUE(has(d, Severity::Error, 8, "unbalanced parentheses"));
    EXPECT_TRUE(has(d, Severity::Error, 9, "unknown $ directive '$FOO'"));
    EXPECT_TRUE(has(d, Severity::Error, 10, "meta type 'AXFR'"));
    EXPECT_NE(find(z, "ok.example.com.", RRType::A), nullptr);
}

TEST(MasterParser, UnclosedParenthesisAtEndOfFile) {
    const ParsedZone z = parse("$TTL 60\n@ SOA ns1 h ( 1 2\n 3 4 5\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 4, "'(' opened on line 2 is never closed"))
        << dump(z.diagnostics);
}

TEST(MasterParser, NameAndLabelLimits) {
    const std::string label64(64, 'a');
    std::string long_name;
    for (int i = 0; i < 5; ++i)
        long_name += std::string(60, 'b') + ".";
    const ParsedZone z = parse("$TTL 60\n" + label64 + " A 192.0.2.1\n" + long_name +
                               " A 192.0.2.2\nx CNAME " + label64 + "\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 2, "bad owner name")) << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 3, "bad owner name"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 4, "CNAME rdata"));
}

TEST(MasterParser, GenerateForms) {
    const ParsedZone z = parse(
        "$TTL 3600\n"
        "$GENERATE 1-3 host$ A 10.0.0.$\n"
        "$GENERATE 0-20/7 ${1,3,x} 30 IN TXT \"v=$ \\$ $$\"\n"
        "$GENERATE 250-251 $.rev PTR ${0,0,n}.${0,3,N}x.\n"
        "$GENERATE 1-2 a$ MX \"10 mx$\"\n"
        "$GENERATE 1-2 b$ IN 5 SRV \"1 2 3 ${1}\"\n"
        "$GENERATE 8-9 f${-8,3,d} CNAME x\\$y$\n");
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_EQ(rdata_text(find(z, "host3.example.com.", RRType::A)), "10.0.0.3");
    const Record* txt = find(z, "008.example.com.", RRType::TXT);
    ASSERT_NE(txt, nullptr);
    EXPECT_EQ(txt->ttl, 30u);
    EXPECT_EQ(rdata_text(txt), "\"v=7\" \"$\" \"$\"");
    EXPECT_EQ(rdata_text(find(z, "250.rev.example.com.", RRType::PTR)), "a.f.A.Fx.");
    EXPECT_EQ(rdata_text(find(z, "a2.example.com.", RRType::MX)), "10 mx2.example.com.");
    EXPECT_EQ(find(z, "b1.example.com.", RRType::SRV)->ttl, 5u);
    EXPECT_EQ(rdata_text(find(z, "b1.example.com.", RRType::SRV)), "1 2 3 2.example.com.");
    EXPECT_EQ(rdata_text(find(z, "f001.example.com.", RRType::CNAME)), "x\\$y9.example.com.");
    EXPECT_EQ(z.size(), 3u + 3u + 2u + 2u + 2u + 2u);
}

TEST(MasterParser, GenerateErrors) {
    const ParsedZone z = parse(
        "$TTL 3600\n"
        "$GENERATE 3-1 z$ A 1.1.1.1\n"
        "$GENERATE 1-2 a$ MX 10 mx$\n"
        "$GENERATE 1-2 a$ A ${1,2,q}\n"
        "$GENERATE 1-2000000 a$ A 10.0.0.1\n");
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 2, "invalid range '3-1'")) << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 3, "extra input text")) << dump(z.diagnostics);
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 4, "bad base"));
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 5, "would create 2000000 records"));
}

TEST(MasterParser, IncludeWithOriginRestoresContext) {
    ScratchDir dir;
    dir.write("sub/inc.zone", "x A 192.0.2.3\n$ORIGIN bar\ny A 192.0.2.4\n  TXT \"in include\"\n$TTL 5\n");
    dir.write("main.zone",
              "$TTL 1h\n"
              "www A 192.0.2.1\n"
              "$INCLUDE sub/inc.zone foo\n"
              "  AAAA 2001:db8::1\n"
              "after A 192.0.2.2\n");
    const ParsedZone z = parse_zone_file("main.zone", options_for());
    EXPECT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    EXPECT_NE(find(z, "x.foo.example.com.", RRType::A), nullptr);
    EXPECT_NE(find(z, "y.bar.foo.example.com.", RRType::A), nullptr);
    EXPECT_NE(find(z, "y.bar.foo.example.com.", RRType::TXT), nullptr);
    // After the include: origin and owner are back, $TTL set inside stays (as in BIND).
    EXPECT_EQ(find(z, "www.example.com.", RRType::AAAA)->ttl, 5u);
    EXPECT_NE(find(z, "after.example.com.", RRType::A), nullptr);
    ASSERT_EQ(z.files.size(), 2u);
    EXPECT_EQ(z.files[1], "sub/inc.zone");
    EXPECT_EQ(z.file_of(0), "main.zone");
    EXPECT_EQ(z.file_of(1), "sub/inc.zone");
    EXPECT_EQ(z.line_of(1), 1u);
}

TEST(MasterParser, IncludeIsRelativeToTheWorkingDirectoryNotTheFile) {
    ScratchDir dir;
    dir.write("sub/z.zone", "$TTL 1h\n$INCLUDE inc.zone\n");
    dir.write("sub/inc.zone", "x A 192.0.2.1\n");
    const ParsedZone z = parse_zone_file("sub/z.zone", options_for());
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 2, "$INCLUDE inc.zone: No such file or directory"))
        << dump(z.diagnostics);
}

TEST(MasterParser, IncludeLoopAndDepth) {
    ScratchDir dir;
    dir.write("loop.zone", "$TTL 1h\n$INCLUDE loop.zone\n");
    const ParsedZone loop = parse_zone_file("loop.zone", options_for());
    EXPECT_TRUE(has(loop.diagnostics, Severity::Error, 2, "include loop")) << dump(loop.diagnostics);

    for (int i = 0; i < 20; ++i) {
        dir.write("d" + std::to_string(i) + ".zone", "$INCLUDE d" + std::to_string(i + 1) + ".zone\n");
    }
    dir.write("d20.zone", "x 60 A 192.0.2.1\n");
    const ParsedZone deep = parse_zone_file("d0.zone", options_for());
    EXPECT_TRUE(has(deep.diagnostics, Severity::Error, 1, "too deeply nested")) << dump(deep.diagnostics);
}

TEST(MasterParser, IncludeCanBeDisabled) {
    ParseOptions o = options_for();
    o.allow_include = false;
    const ParsedZone z = parse_zone_text("$INCLUDE /etc/passwd\n", "mem", o);
    EXPECT_TRUE(has(z.diagnostics, Severity::Error, 1, "$INCLUDE is not allowed here"));
}

TEST(MasterParser, MissingFileIsReported) {
    const ParsedZone z = parse_zone_file("/nonexistent/zone.file", options_for());
    ASSERT_TRUE(z.diagnostics.has_errors());
    EXPECT_NE(z.diagnostics.first_error().find("No such file or directory"), std::string::npos);
}
