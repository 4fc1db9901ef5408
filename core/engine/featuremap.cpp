#include "engine/featuremap.h"

#include "engine/segmentationmodel.h"

namespace rsrefseg {

std::string textWarningOf(const FeaturesPtr &text)
{
    return text ? text->textWarning : std::string();
}

} // namespace rsrefseg
