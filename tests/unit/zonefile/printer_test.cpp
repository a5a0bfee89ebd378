#include "zonefile/printer.hpp"

#include <gtest/gtest.h>

#include "zone_test_util.hpp"

using namespace cairn;
using namespace cairn::zone;
using namespace cairn::zonefile;
using namespace cairn::zonefile::testing;

TEST(Printer, CanonicalOrderSoaFirstNoDuplicates) {
    const ParsedZone z = parse(
        "$TTL 60\n"
        "b.example.com. A 192.0.2.2\n"
        "@ NS ns1\n"
        "Z A 192.0.2.9\n"
        "a A 192.0.2.3\n"
        "a A 192.0.2.1\n"
        "a A 192.0.2.1\n"
        "@ SOA ns1 h 1 2 3 4 5\n"
        "*.a TXT x\n");
    ASSERT_FALSE(z.diagnostics.has_errors()) << dump(z.diagnostics);
    std::vector<Record> records = z.to_records();
    sort_canonical(records);
    std::string text;
    write_zone_text(records, [&](std::string_view chunk) { text += chunk; });
    EXPECT_EQ(text,
              "example.com.\t60\tIN\tSOA\tns1.example.com. h.example.com. 1 2 3 4 5\n"
              "example.com.\t60\tIN\tNS\tns1.example.com.\n"
              "a.example.com.\t60\tIN\tA\t192.0.2.1\n"
              "a.example.com.\t60\tIN\tA\t192.0.2.3\n"
              "*.a.example.com.\t60\tIN\tTXT\t\"x\"\n"
              "b.example.com.\t60\tIN\tA\t192.0.2.2\n"
              "Z.example.com.\t60\tIN\tA\t192.0.2.9\n");
}
