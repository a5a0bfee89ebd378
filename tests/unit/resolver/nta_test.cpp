// Negative trust anchors' nta-recheck schedule and early end (nta.hpp), as BIND's nta.c: only regular NTAs
// are rechecked, every interval, while more than an interval of their lifetime is left; a recheck that
// validated ends the NTA at once.
#include "resolver/nta.hpp"

#include <gtest/gtest.h>

namespace cairn::resolver {
namespace {

const dns::Name kRegular = dns::Name::from_text("regular.example.");
const dns::Name kForced = dns::Name::from_text("forced.example.");
const dns::Name kPermanent = dns::Name::from_text("except.example.");

TEST(NtaRecheck, OnlyRegularAnchorsAreRecheckedEveryInterval) {
    NtaTable table;
    table.add(kRegular, 1000, 3600, false);
    table.add(kForced, 1000, 3600, true);
    table.add_permanent(kPermanent);
    EXPECT_TRUE(table.due_rechecks(1000, 300).empty());  // the first recheck is an interval after the add
    EXPECT_TRUE(table.due_rechecks(1299, 300).empty());
    EXPECT_EQ(table.due_rechecks(1300, 300), std::vector<dns::Name>{kRegular});
    EXPECT_TRUE(table.due_rechecks(1301, 300).empty());
    EXPECT_EQ(table.due_rechecks(1600, 300), std::vector<dns::Name>{kRegular});
    EXPECT_TRUE(table.due_rechecks(5000, 0).empty());  // nta-recheck 0: never
}

TEST(NtaRecheck, NoRecheckWhenTheAnchorEndsWithinAnInterval) {
    NtaTable table;
    table.add(kRegular, 1000, 400, false);
    EXPECT_TRUE(table.due_rechecks(1300, 300).empty());  // 100 s left: it ends before the next one would
}

TEST(NtaRecheck, AValidatedRecheckEndsARegularAnchorNow) {
    NtaTable table;
    table.add(kRegular, 1000, 3600, false);
    table.add(kForced, 1000, 3600, true);
    EXPECT_TRUE(table.end_early(dns::Name::from_text("REGULAR.example."), 1300));
    EXPECT_FALSE(table.end_early(kRegular, 1301));  // already over
    EXPECT_FALSE(table.end_early(kForced, 1300));   // -force: only its lifetime ends it
    EXPECT_FALSE(table.covering(kRegular, 1300));
    EXPECT_EQ(table.expire(1300), std::vector<dns::Name>{kRegular});
    EXPECT_TRUE(table.covering(kForced, 1300));
}

}  // namespace
}  // namespace cairn::resolver
