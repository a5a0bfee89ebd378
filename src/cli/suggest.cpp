#include "cli/suggest.hpp"

#include <algorithm>
#include <iostream>

namespace cairn::cli {

namespace {

// Optimal string alignment distance: a swapped pair of neighbours counts one edit, as typists make them.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The subcommand the parse reached: the deepest one that was given.
CLI::App* reached(CLI::App& app) {
    CLI::App* at = &app;
    for (;;) {
        const std::vector<CLI::App*> given = at->get_subcommands();
        if (given.empty()) return at;
        at = given.front();
    }
}

std::vector<std::string> option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options()) {
        for (const std::string& name : option->get_lnames())
            names.push_back("--" + name);
        for (const std::string& name : option->get_snames())
            names.push_back("-" + name);
    }
    return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    return names;
}

// "cairn checkzone", from argv[0]'s last component and the subcommands given.
std::string program_name(const CLI::App& app, const CLI::App& at) {
    std::string name = app.get_name();
    name = name.substr(name.find_last_of('/') + 1);
    const std::size_t base = name.size();
    for (const CLI::App* up = &at; up != nullptr && up != &app; up = up->get_parent())
        name.insert(base, " " + up->get_name());
    return name;
}

std::string did_you_mean(const std::vector<std::string>& close) {
    if (close.empty()) return "";
    std::string text = "; did you mean ";
    for (std::size_t i = 0; i < close.size(); ++i)
        text += (i == 0 ? "'" : (i + 1 == close.size() ? " or '" : ", '")) + close[i] + "'";
    return text + "?";
}

// The first argument the parse left over, explained; false when there is none to explain.
bool explain_leftover(CLI::App& app) {
    CLI::App* at = reached(app);
    for (CLI::App* level = at; level != nullptr; level = level->get_parent()) {
        const std::vector<std::string> left = level->remaining();
        if (left.empty()) continue;
        const std::string& word = left.front();
        const std::string program = program_name(app, *at);
        if (!word.empty() && word.front() == '-' && word != "-") {
            const std::string option = word.substr(0, word.find('='));
            std::cerr << program << ": unknown option '" << option << "'"
                      << did_you_mean(nearest(option, option_names(*at))) << "\n";
        } else if (!at->get_subcommands([](const CLI::App*) { return true; }).empty() &&
                   at->get_subcommands().empty()) {
            std::cerr << program << ": unknown subcommand '" << word << "'"
                      << did_you_mean(nearest(word, subcommand_names(*at))) << "\n";
        } else {
            std::cerr << program << ": unexpected argument '" << word << "'\n";
        }
        std::cerr << "Run '" << program << " --help' for the usage.\n";
        return true;
    }
    return false;
}

}  // namespace

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::vector<std::string> out;
    // A beginning of some (`check`): all of them.
    if (word.size() >= 3) {
        for (const std::string& candidate : candidates) {
            if (candidate.size() > word.size() && candidate.compare(0, word.size(), word) == 0 &&
                std::find(out.begin(), out.end(), candidate) == out.end())
                out.push_back(candidate);
        }
        if (!out.empty()) return out;
    }
    // One edit in four characters, at least one and at most three: `checkzon` finds `checkzone`, `-x` finds
    // nothing much.
    const std::size_t allowed = std::clamp<std::size_t>(word.size() / 4, 1, 3);
    std::size_t best = allowed + 1;
    for (const std::string& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance > best) continue;
        if (distance < best) out.clear();
        best = distance;
        if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
    }
    return out;
}

int parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return -1;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (explain_leftover(app)) return 1;
        return app.exit(e) == 0 ? 0 : 1;  // a usage error exits 1, as BIND's tools
    }
}

}  // namespace cairn::cli
