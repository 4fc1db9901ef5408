// BundledModels: the one search order for the model installed with the programs, shared by the
// command line and the desktop. Candidates, first existing wins:
//   1. <exe dir>/../share/rsrefseg/models/demo         (the trained demo model, installed layout;
//                                                       the build tree mirrors it)
//   2. <source>/resources/models/demo                  (build tree only)
//   3. <exe dir>/../share/rsrefseg/models/golden-tiny  (the untrained test model)
//   4. <build>/share/rsrefseg/models/golden-tiny       (build tree only)
// No LibTorch here.
//
//   std::string dir = BundledModels::find();          // "" when none exists
//   std::string dir = BundledModels::resolve(option); // the option, else find(), else Error
#pragma once

#include <string>
#include <vector>

namespace rsrefseg {

namespace BundledModels {

std::vector<std::string> candidates();
std::string find();
// `chosen` non-empty: returned as is. Else find(); throws Error naming the places searched when
// there is no bundled model.
std::string resolve(const std::string &chosen);

// The same over a given list of places (tests; candidates() is the list the programs use).
std::string find(const std::vector<std::string> &places);
std::string resolve(const std::string &chosen, const std::vector<std::string> &places);

} // namespace BundledModels

} // namespace rsrefseg
