// SpmPluginFunctions: the plugin's C functions as looked up by SpmPlugin with dlsym.
// Internal to core/text (shared by spmplugin.cpp and spmmodel.cpp); not a public header.
#pragma once

#include "text/spmplugin/spmpluginapi.h"

namespace rsrefseg {

struct SpmPluginFunctions
{
    decltype(&rsrefseg_spm_abi_version) abiVersion = nullptr;
    decltype(&rsrefseg_spm_load) load = nullptr;
    decltype(&rsrefseg_spm_free) free = nullptr;
    decltype(&rsrefseg_spm_free_string) freeString = nullptr;
    decltype(&rsrefseg_spm_encode) encode = nullptr;
    decltype(&rsrefseg_spm_piece_to_id) pieceToId = nullptr;
    decltype(&rsrefseg_spm_id_to_piece) idToPiece = nullptr;
    decltype(&rsrefseg_spm_vocab_size) vocabSize = nullptr;
    decltype(&rsrefseg_spm_unk_id) unkId = nullptr;
};

} // namespace rsrefseg
