// Differential test against BIND 9: tests/data/rdata/bind_vectors.txt holds, for every record of
// corpus.txt, what BIND's named-rrchecker made of it (wire form or ERROR, and its presentation form).
// The codec must accept and reject the same records, produce the same wire, read BIND's output back, and
// print what BIND prints (up to BIND's splitting of long base64 and hex fields).
// Regenerate the vectors with tests/data/rdata/make_bind_vectors.sh after adding to corpus.txt.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/text.hpp"

using namespace cairn::dns;

namespace {

const Name kOrigin = Name::from_text("example.com.");

struct Vector {
    int line = 0;
    std::string type;
    std::string rdata;
    std::string wire_hex;  // "ERROR" when BIND rejected it
    std::string printed;
};

std::vector<Vector> load_vectors() {
    std::ifstream in(std::string(CAIRN_TEST_DATA) + "/rdata/bind_vectors.txt");
    std::vector<Vector> vectors;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (true) {
            const auto tab = line.find('\t', start);
            fields.push_back(line.substr(start, tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        fields.resize(4);
        vectors.push_back({number, fields[0], fields[1], fields[2], fields[3]});
    }
    return vectors;
}

std::string key(const Vector& v) {
    return v.type + " " + v.rdata;
}

TEST(RdataAgainstBind, SameAcceptanceAndWire) {
    const auto vectors = load_vectors();
    ASSERT_GT(vectors.size(), 200u);
    int compared = 0;
    for (const auto& v : vectors) {
        SCOPED_TRACE("bind_vectors.txt:" + std::to_string(v.line) + ": " + key(v));
        const auto type = type_from_text(v.type);
        ASSERT_TRUE(type.has_value());
        std::vector<std::uint8_t> ours;
        std::string error;
        try {
            ours = rdata_from_text(*type, v.rdata, kOrigin);
        } catch (const ParseError& e) {
            error = e.what();
        }
        if (v.wire_hex == "ERROR") {
            EXPECT_FALSE(error.empty()) << "BIND rejects this, cairn accepts it";
            continue;
        }
        ASSERT_TRUE(error.empty()) << "BIND accepts this, cairn says: " << error;
        std::vector<std::uint8_t> bind_wire;
        ASSERT_TRUE(decode_hex(v.wire_hex, bind_wire));
        EXPECT_EQ(ours, bind_wire);
        // BIND's presentation form reads back to the same wire.
        EXPECT_EQ(rdata_from_text(*type, v.printed, kOrigin), bind_wire) << v.printed;
        ++compared;
    }
    EXPECT_GT(compared, 100);
}

// BIND splits long base64 and hex fields into chunks; cairn writes them whole.
std::string without_spaces(std::string s) {
    std::erase(s, ' ');
    return s;
}

TEST(RdataAgainstBind, PrintsLikeBind) {
    int same = 0;
    int differ = 0;
    for (const auto& v : load_vectors()) {
        if (v.wire_hex == "ERROR") continue;
        SCOPED_TRACE("bind_vectors.txt:" + std::to_string(v.line) + ": " + key(v));
        const auto type = *type_from_text(v.type);
        std::vector<std::uint8_t> wire;
        ASSERT_TRUE(decode_hex(v.wire_hex, wire));
        const std::string ours = rdata_to_text(type, wire);
        if (ours == v.printed) {
            ++same;
            continue;
        }
        ++differ;
        EXPECT_EQ(without_spaces(ours), without_spaces(v.printed))
            << "cairn: " << ours << "\nBIND:  " << v.printed;
    }
    EXPECT_GT(same, 100);
    EXPECT_LT(differ, 20);
}

}  // namespace
