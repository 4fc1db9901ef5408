#include "text/gemmatokenizersettings.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace rsrefseg {

namespace {

bool readFlag(const nlohmann::json &j, const char *field, bool fallback, const std::string &source,
              std::vector<std::string> &notes)
{
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) {
        notes.push_back(source + " has no " + field + ": the GemmaTokenizer default (" +
                        (fallback ? "true" : "false") + ") is used");
        return fallback;
    }
    if (!it->is_boolean())
        throw Error(source + ": field '" + field + "' must be true or false");
    return it->get<bool>();
}

} // namespace

GemmaTokenizerSettings GemmaTokenizerSettings::parse(const std::string &json, const std::string &source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception &e) {
        throw Error(source + ": invalid JSON (" + e.what() + ")");
    }
    if (!j.is_object())
        throw Error(source + ": expected a JSON object");
    GemmaTokenizerSettings s;
    s.addBos = readFlag(j, "add_bos_token", s.addBos, source, s.notes);
    s.addEos = readFlag(j, "add_eos_token", s.addEos, source, s.notes);
    // Right padding is what the text tower's pooler (the last position) was trained with.
    if (const auto side = j.find("padding_side"); side != j.end() && !side->is_null()) {
        if (!side->is_string() || (side->get<std::string>() != "right" && side->get<std::string>() != "left"))
            throw Error(source + ": field 'padding_side' must be \"right\" or \"left\"");
        if (side->get<std::string>() == "left")
            throw Error(source + ": padding_side \"left\" is not supported (RSRefSeg 2 pads on the right)");
    }
    if (const auto cls = j.find("tokenizer_class"); cls != j.end() && cls->is_string() &&
                                                    cls->get<std::string>().rfind("Gemma", 0) != 0)
        s.notes.push_back(source + " names tokenizer_class '" + cls->get<std::string>() +
                          "': it is read as a Gemma tokenizer");
    return s;
}

GemmaTokenizerSettings GemmaTokenizerSettings::read(const std::string &tokenizerConfigPath)
{
    std::ifstream in(tokenizerConfigPath, std::ios::binary);
    if (!in)
        throw Error("tokenizer config '" + tokenizerConfigPath + "' cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), tokenizerConfigPath);
}

} // namespace rsrefseg
