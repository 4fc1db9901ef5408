#include "engine/segmentationrequest.h"

#include "common/error.h"
#include "engine/querylist.h"

namespace rsrefseg {

void SegmentationRequest::validate() const
{
    settings.validate();
    QueryList::validate(queries);
    if (!outputs.empty() && outputs.size() != queries.size())
        throw Error("one set of outputs per query is needed (" + std::to_string(outputs.size()) + " for " +
                    std::to_string(queries.size()) + " queries)");
}

} // namespace rsrefseg
