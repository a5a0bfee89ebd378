#include "dns/serial.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using cairn::dns::serial_add;
using cairn::dns::serial_compare;
using cairn::dns::serial_greater;
using cairn::dns::serial_less;
using cairn::dns::serial_next;
using cairn::dns::SerialOrder;

// The four examples of the lecture (seed 002, "Change of the serial number"): new compared to existing.
TEST(Serial, LectureExamples) {
    EXPECT_EQ(serial_compare(101, 100), SerialOrder::Greater);                // example 1: increase
    EXPECT_EQ(serial_compare(2021012903, 2021012901), SerialOrder::Greater);  // example 2: increase
    EXPECT_EQ(serial_compare(3300200100u, 1000), SerialOrder::Less);          // example 3: decrease
    EXPECT_EQ(serial_compare(1, 4100200100u), SerialOrder::Greater);          // example 4: increase (wraps)
}

TEST(Serial, WrapsAroundTheTop) {
    EXPECT_TRUE(serial_greater(1, 4294967295u));
    EXPECT_TRUE(serial_greater(0, 4294967295u));
    EXPECT_TRUE(serial_less(4294967295u, 1));
    EXPECT_FALSE(serial_less(1, 4294967295u));
}

TEST(Serial, ExactlyHalfTheCircleApartIsUndefined) {
    EXPECT_EQ(serial_compare(0, 0x80000000u), SerialOrder::Undefined);
    EXPECT_EQ(serial_compare(0x80000000u, 0), SerialOrder::Undefined);
    EXPECT_EQ(serial_compare(100, 100u + 0x80000000u), SerialOrder::Undefined);
    EXPECT_FALSE(serial_less(0, 0x80000000u));
    EXPECT_FALSE(serial_greater(0, 0x80000000u));
    // One short of half is still ordered.
    EXPECT_EQ(serial_compare(0x7FFFFFFFu, 0), SerialOrder::Greater);
    EXPECT_EQ(serial_compare(0x80000001u, 0), SerialOrder::Less);
}

TEST(Serial, Equal) {
    EXPECT_EQ(serial_compare(2025070401, 2025070401), SerialOrder::Equal);
    EXPECT_FALSE(serial_less(7, 7));
    EXPECT_FALSE(serial_greater(7, 7));
}

TEST(Serial, AddHonoursTheRfcLimit) {
    EXPECT_EQ(serial_add(4294967295u, 2), 1u);
    EXPECT_EQ(serial_add(10, 0x7FFFFFFF), 10u + 0x7FFFFFFFu);
    EXPECT_TRUE(serial_greater(serial_add(12345, 0x7FFFFFFF), 12345));
    EXPECT_THROW(serial_add(10, 0x80000000u), std::out_of_range);
}

TEST(Serial, NextMovesForward) {
    EXPECT_EQ(serial_next(2025070401, 2025070501), 2025070501u);
    EXPECT_EQ(serial_next(2025070401, 2025070401), 2025070402u);
    EXPECT_EQ(serial_next(2025070401, 1), 2025070402u);  // a date would go backwards: just increment
    EXPECT_EQ(serial_next(4294967295u, 5), 5u);
}
