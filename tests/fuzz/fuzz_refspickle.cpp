// Fuzz target: the pickle path of the RRSIS-D converter. The input is a refs(unc).p, read by
// ReferringRefs (the restricted unpickler in plain-data mode, then the refs' fields); any global,
// persistent id, truncation or wrong type must be an rsrefseg::Error.
#include "data/referringrefs.h"
#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rsrefseg::fuzzExpectError([&] {
        for (const rsrefseg::ReferringRef &ref : rsrefseg::ReferringRefs::parse(data, size, "fuzz.p"))
            (void)ref.label();
    });
    return 0;
}
