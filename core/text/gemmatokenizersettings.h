// GemmaTokenizerSettings: what a Hugging Face tokenizer_config.json says about the Gemma
// tokenizer of SigLIP 2 (RSRefSeg 2): whether a BOS and an EOS id frame the text. Missing flags
// take the GemmaTokenizer class defaults (BOS yes, EOS no) and leave a note saying so; a flag of
// the wrong type, an unreadable file or left padding is an Error naming the file and the field.
//
//   GemmaTokenizerSettings s = GemmaTokenizerSettings::read("tokenizer_config.json");
//   for (const std::string &n : s.notes) std::cerr << n << '\n';
#pragma once

#include <string>
#include <vector>

namespace rsrefseg {

struct GemmaTokenizerSettings
{
    bool addBos = true;  // GemmaTokenizer's add_bos_token default
    bool addEos = false; // GemmaTokenizer's add_eos_token default
    std::vector<std::string> notes;

    static GemmaTokenizerSettings read(const std::string &tokenizerConfigPath);
    // The same from the file's text (`source` names it in messages).
    static GemmaTokenizerSettings parse(const std::string &json, const std::string &source);
};

} // namespace rsrefseg
