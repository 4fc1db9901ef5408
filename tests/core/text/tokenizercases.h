// Reading the tokenizer fixtures (tokenizer_cases.json): JSON arrays as ids and as strings.
#pragma once

#include <QJsonArray>
#include <QJsonValue>

#include <cstdint>
#include <string>
#include <vector>

namespace tokenizercases {

inline std::vector<int64_t> toIds(const QJsonValue &value)
{
    std::vector<int64_t> ids;
    for (const auto &v : value.toArray())
        ids.push_back(v.toInteger());
    return ids;
}

inline std::vector<std::string> toStrings(const QJsonValue &value)
{
    std::vector<std::string> out;
    for (const auto &v : value.toArray())
        out.push_back(v.toString().toStdString());
    return out;
}

} // namespace tokenizercases
