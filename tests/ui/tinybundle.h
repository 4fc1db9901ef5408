// buildTinyBundleAt(): imports the untrained tiny golden model (tests/data/golden) into a
// bundle folder. Its own translation unit because torch and Qt's `slots` macro cannot meet.
#pragma once

#include <string>

namespace uitest {

void buildTinyBundleAt(const std::string &dir);

} // namespace uitest
