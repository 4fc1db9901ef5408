#include "ui/uiresources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initRsrefsegResources()
{
    Q_INIT_RESOURCE(rsrefseg);
}

namespace rsrefseg {

void initUiResources()
{
    static const bool done = [] {
        initRsrefsegResources();
        return true;
    }();
    (void)done;
}

} // namespace rsrefseg
