// QueryList: the sentences to segment, from the command line or a file (one per line, UTF-8;
// blank lines and lines starting with '#' are skipped), and the file names derived from them.
//
//   std::vector<std::string> q = QueryList::load("queries.txt");
//   QueryList::validate(q);                         // throws for an empty list or query
//   std::string s = QueryList::slug("the white tank");   // "the-white-tank-f7346657"
//   QueryOutputs o = QueryList::outputsFor(base, q[i], i, q.size());   // "mask_<slug>.tif"
#pragma once

#include "engine/maskpipeline.h"

#include <string>
#include <vector>

namespace rsrefseg {

class QueryList
{
  public:
    static std::vector<std::string> load(const std::string &path);
    // Throws Error naming the first empty (or whitespace-only) query, or an empty list.
    static void validate(const std::vector<std::string> &queries);
    // Trims surrounding whitespace.
    static std::string trimmed(const std::string &query);
    // File-name-safe and stable: lower-case ASCII letters and digits joined by '-', at most
    // 40 characters, then '-' and 8 hex digits of the query's hash (distinct queries never
    // share a name by accident).
    static std::string slug(const std::string &query);
    // With one query the paths are used as given; with several, "<stem>_<slug><ext>".
    static QueryOutputs outputsFor(const QueryOutputs &base, const std::string &query, size_t index, size_t count);
};

} // namespace rsrefseg
