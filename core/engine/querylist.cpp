#include "engine/querylist.h"

#include "common/error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace rsrefseg {

std::string QueryList::trimmed(const std::string &query)
{
    const char *ws = " \t\r\n\f\v";
    const size_t b = query.find_first_not_of(ws);
    if (b == std::string::npos)
        return {};
    const size_t e = query.find_last_not_of(ws);
    return query.substr(b, e - b + 1);
}

std::vector<std::string> QueryList::load(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw Error("cannot read queries file '" + path + "'");
    std::vector<std::string> out;
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (first && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
            line.erase(0, 3); // UTF-8 byte order mark
        first = false;
        const std::string t = trimmed(line);
        if (t.empty() || t[0] == '#')
            continue;
        out.push_back(t);
    }
    if (in.bad())
        throw Error("cannot read queries file '" + path + "'");
    if (out.empty())
        throw Error("queries file '" + path + "' holds no query");
    return out;
}

void QueryList::validate(const std::vector<std::string> &queries)
{
    if (queries.empty())
        throw Error("no query given");
    for (size_t i = 0; i < queries.size(); ++i)
        if (trimmed(queries[i]).empty())
            throw Error("query " + std::to_string(i + 1) + " is empty");
}

std::string QueryList::slug(const std::string &query)
{
    std::string s;
    bool dash = false;
    for (unsigned char c : query) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && !s.empty())
                s += '-';
            s += static_cast<char>(c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            if (dash && !s.empty())
                s += '-';
            s += static_cast<char>(c - 'A' + 'a');
            dash = false;
        } else {
            dash = true;
        }
        if (s.size() >= 40)
            break;
    }
    while (!s.empty() && s.back() == '-')
        s.pop_back();
    if (s.empty())
        s = "query";
    uint32_t h = 2166136261u;
    for (unsigned char c : query) {
        h ^= c;
        h *= 16777619u;
    }
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", h);
    return s + "-" + hex;
}

QueryOutputs QueryList::outputsFor(const QueryOutputs &base, const std::string &query, size_t index, size_t count)
{
    (void)index;
    if (count <= 1)
        return base;
    auto derive = [&](const std::string &p) {
        if (p.empty())
            return p;
        const std::filesystem::path path(p);
        return (path.parent_path() / (path.stem().string() + "_" + slug(query) + path.extension().string())).string();
    };
    return {derive(base.mask), derive(base.probability), derive(base.vector)};
}

} // namespace rsrefseg
