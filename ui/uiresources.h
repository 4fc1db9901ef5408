// initUiResources(): registers the ui library's compiled-in resources (icons). The library is
// static, so its resource initialiser must be referenced explicitly; every entry point that
// shows icons (MainWindow, TranslationLoader, tests) calls this. Idempotent.
#pragma once

namespace rsrefseg {

void initUiResources();

} // namespace rsrefseg
