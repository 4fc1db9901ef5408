// RSREFSEG_ASAN: defined when this translation unit is built with AddressSanitizer (GCC's
// __SANITIZE_ADDRESS__ or Clang's __has_feature(address_sanitizer)), for the few places that
// must behave differently there (the tokenizer plugin's loading, bounds ASan makes meaningless).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define RSREFSEG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSREFSEG_ASAN 1
#endif
#endif
