// A view's NTAs and managed keys on disk (validation_files.hpp): BIND's VIEW.nta written as NTAs come and
// go and read back by the next resolver of the view, expired ones dropped; a managed-keys file that does not
// parse is set aside, not overwritten; view names become safe file names.
#include "server/validation_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "resolver/trust_anchors.hpp"
#include "resolver/validator.hpp"

namespace cairn::server {
namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class ValidationFilesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        previous_ = std::filesystem::current_path();
        dir_ = std::filesystem::temp_directory_path() / ("validation-files-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::filesystem::current_path(dir_);  // the daemon runs in `directory`; the files are relative
    }
    void TearDown() override {
        std::filesystem::current_path(previous_);
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<resolver::ResolverContext> context(bool managed = false) {
        resolver::ResolverSettings s;
        s.validation.enabled = true;
        if (managed) {
            resolver::TrustAnchorConfig a;
            a.zone = dns::Name::from_text("example.");
            a.kind = resolver::TrustAnchorConfig::Kind::initial_key;
            a.rdata = resolver::anchor_rdata_from_text(
                a.kind,
                "257 3 13 "
                "DI8zIDWdfIrZfE92cVLvx25QERIg5AYxYmd1CwXuGR9mW2gC/v6+5aLbGb926qJTkWo93gZYZ8Z4WrhdUBT8nQ==",
                a.zone);
            s.validation.anchors.push_back(a);
        }
        return std::make_unique<resolver::ResolverContext>(s, clock_);
    }

    resolver::FakeClock clock_;
    std::filesystem::path previous_, dir_;
};

TEST_F(ValidationFilesTest, NtasAreWrittenInBindsFormatAndReadBackByTheNextResolver) {
    auto first = context();
    ValidationFiles files;
    files.load("_default", *first);
    EXPECT_EQ(files.nta_path(), "_default.nta");
    first->add_nta(dns::Name::from_text("bogus.example."), 3600, false);
    first->add_nta(dns::Name::from_text("short.example."), 60, true);
    files.save(*first);
    EXPECT_EQ(read(dir_ / "_default.nta"),
              "bogus.example. regular " + resolver::compact_time_text(clock_.wall_seconds() + 3600) + "\n" +
                  "short.example. forced " + resolver::compact_time_text(clock_.wall_seconds() + 60) + "\n");

    // A restart two minutes later: the short one ended meanwhile.
    clock_.advance(120'000);
    auto second = context();
    ValidationFiles again;
    again.load("_default", *second);
    const auto list = second->dnssec().ntas().list(clock_.wall_seconds());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].name, dns::Name::from_text("bogus.example."));
    EXPECT_EQ(list[0].expiry, clock_.wall_seconds() - 120 + 3600);  // still ends when it was meant to
    again.save(*second);
    EXPECT_EQ(read(dir_ / "_default.nta").find("short.example."), std::string::npos);

    // The last one removed: the file goes, as BIND's.
    EXPECT_TRUE(second->remove_nta(dns::Name::from_text("bogus.example.")));
    again.save(*second);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "_default.nta"));
}

TEST_F(ValidationFilesTest, UnreadableManagedKeysAreSetAsideNotOverwritten) {
    std::ofstream(dir_ / "managed-keys.cairn") << "example. valid nonsense\n";
    auto c = context(true);
    ValidationFiles files;
    files.load("_default", *c);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "managed-keys.cairn"));
    EXPECT_EQ(read(dir_ / "managed-keys.cairn.bad"), "example. valid nonsense\n");
    // The anchors start again from the configuration: the initial key is what is trusted.
    const auto trusted = c->dnssec().managed().trusted();
    ASSERT_EQ(trusted.size(), 1u);
    EXPECT_EQ(trusted[0].dnskeys.size(), 1u);
}

TEST_F(ValidationFilesTest, OtherViewsHaveTheirOwnFiles) {
    auto c = context(true);
    ValidationFiles files;
    files.load("internal", *c);
    EXPECT_EQ(files.nta_path(), "internal.nta");
    EXPECT_EQ(files.managed_keys_path(), "internal.mkeys.cairn");
}

TEST(ViewFileName, EscapesWhatAPathMustNotHold) {
    EXPECT_EQ(view_file_name("_default", ".nta"), "_default.nta");
    EXPECT_EQ(view_file_name("a/b", ".nta"), "a%2Fb.nta");
    EXPECT_EQ(view_file_name("..", ".nta"), "%2E..nta");
    EXPECT_EQ(view_file_name("50%", ".nta"), "50%25.nta");
}

}  // namespace
}  // namespace cairn::server
