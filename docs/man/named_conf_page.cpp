// Writes the cairn-named.conf(5) page: the hand-written text (argv[1]) with its CLAUSES comment line replaced
// by the lists of the clauses cairnd reads and ignores in each block, taken from the grammar table itself so
// that the page always says what the build does. Usage: named_conf_page TEMPLATE OUTPUT
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/grammar.hpp"

namespace {

using cairn::config::Context;
using cairn::config::Support;

std::string escaped(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == '-') out += '\\';
        out += c;
    }
    return out;
}

std::string names(Context context, bool implemented) {
    std::string out;
    for (const auto& clause : cairn::config::clause_table()) {
        if ((clause.contexts & context) == 0) continue;
        const bool read = clause.support == Support::Implemented;
        const bool ignored =
            clause.support == Support::Unimplemented || clause.support == Support::Deprecated;
        if (implemented ? !read : !ignored) continue;
        if (out.find("\\fB" + escaped(clause.name) + "\\fP") != std::string::npos) continue;
        out += (out.empty() ? "" : ", ") + std::string("\\fB") + escaped(clause.name) + "\\fP";
    }
    return out;
}

std::string clause_lists() {
    const std::vector<std::pair<Context, const char*>> blocks = {
        {cairn::config::kTop, "top-level statements"},
        {cairn::config::kOptions, "options"},
        {cairn::config::kView, "view"},
        {cairn::config::kZone, "zone"},
        {cairn::config::kKey, "key"},
        {cairn::config::kServer, "server"},
        {cairn::config::kLogging, "logging"},
        {cairn::config::kChannel, "logging channel"},
        {cairn::config::kControls, "controls"},
        {cairn::config::kStatistics, "statistics-channels"},
        {cairn::config::kProbe, "probe (cairn's own)"},
    };
    std::ostringstream out;
    for (const auto& [context, title] : blocks) {
        out << ".SS \"" << escaped(title) << "\"\n";
        const std::string read = names(context, true);
        const std::string ignored = names(context, false);
        out << ".TP\nRead:\n" << (read.empty() ? "(none)" : read) << "\n";
        if (!ignored.empty()) out << ".TP\nAccepted and ignored, with a warning:\n" << ignored << "\n";
    }
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: named_conf_page TEMPLATE OUTPUT\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string marker = ".\\\" CLAUSES\n";
    const auto at = page.find(marker);
    if (!in || at == std::string::npos) {
        std::cerr << "named_conf_page: cannot read " << argv[1] << " or it has no CLAUSES line\n";
        return 1;
    }
    page.replace(at, marker.size(), clause_lists());
    std::ofstream out(argv[2]);
    out << page;
    return out ? 0 : 1;
}
