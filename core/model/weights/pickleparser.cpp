#include "model/weights/pickleparser.h"

#include <cstring>
#include <set>

namespace rsrefseg {

namespace {

// Opcodes of pickle protocols 2..5 that state dicts use (names as in CPython's pickle.py).
enum Op : uint8_t
{
    MARK = '(',
    STOP = '.',
    POP = '0',
    POP_MARK = '1',
    BINFLOAT = 'G',
    BININT = 'J',
    BININT1 = 'K',
    BININT2 = 'M',
    NONE = 'N',
    BINPERSID = 'Q',
    REDUCE = 'R',
    BINUNICODE = 'X',
    BINSTRING = 'T',       // Python 2 str, 4-byte length
    SHORT_BINSTRING = 'U', // Python 2 str, 1-byte length
    BINBYTES = 'B',
    SHORT_BINBYTES = 'C',
    EMPTY_LIST = ']',
    APPEND = 'a',
    BUILD = 'b',
    GLOBAL = 'c',
    APPENDS = 'e',
    BINGET = 'h',
    LONG_BINGET = 'j',
    BINPUT = 'q',
    LONG_BINPUT = 'r',
    SETITEM = 's',
    TUPLE = 't',
    SETITEMS = 'u',
    EMPTY_DICT = '}',
    EMPTY_TUPLE = ')',
    PROTO = 0x80,
    TUPLE1 = 0x85,
    TUPLE2 = 0x86,
    TUPLE3 = 0x87,
    NEWTRUE = 0x88,
    NEWFALSE = 0x89,
    LONG1 = 0x8a,
    SHORT_BINUNICODE = 0x8c,
    BINUNICODE8 = 0x8d,
    BINBYTES8 = 0x8e,
    STACK_GLOBAL = 0x93,
    MEMOIZE = 0x94,
    FRAME = 0x95,
};

const std::set<std::string> &allowedGlobals()
{
    static const std::set<std::string> allowed = {
        "collections.OrderedDict",      "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch.FloatStorage",
        "torch.HalfStorage",            "torch.BFloat16Storage",
        "torch.DoubleStorage",          "torch.LongStorage",
        "torch.IntStorage",             "torch.ShortStorage",
        "torch.CharStorage",            "torch.ByteStorage",
        "torch.BoolStorage"};
    return allowed;
}

} // namespace

bool PickleParser::isAllowedGlobal(const std::string &name)
{
    return allowedGlobals().count(name) > 0;
}

size_t PickleParser::reduce(size_t callable, size_t argsIndex)
{
    if (at(callable).kind != Kind::Global) {
        throw fail("REDUCE on something that is not an allowed global");
    }
    const std::string name = at(callable).text;
    if (at(argsIndex).kind != Kind::Tuple) {
        throw fail("REDUCE arguments of " + name + " are not a tuple");
    }
    const std::vector<size_t> args = at(argsIndex).items;
    if (name == "collections.OrderedDict") {
        Object dict;
        dict.kind = Kind::Dict;
        dict.orderedDict = true;
        if (args.size() == 1 && at(args[0]).kind == Kind::List) {
            // OrderedDict([(key, value), ...])
            for (size_t pair : at(args[0]).items) {
                if (at(pair).kind != Kind::Tuple || at(pair).items.size() != 2) {
                    throw fail("OrderedDict item is not a (key, value) pair");
                }
                dict.items.push_back(at(pair).items[0]);
                dict.items.push_back(at(pair).items[1]);
            }
        } else if (!args.empty()) {
            throw fail("unsupported OrderedDict arguments");
        }
        return make(std::move(dict));
    }
    if (name == "torch._utils._rebuild_tensor_v2") {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.size() != 6 && args.size() != 7) {
            throw fail("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + std::to_string(args.size()));
        }
        if (at(args[0]).kind != Kind::Storage) {
            throw fail("_rebuild_tensor_v2: the first argument is not a storage");
        }
        Object tensor;
        tensor.kind = Kind::Tensor;
        tensor.storage = args[0];
        tensor.offset = intArg(args[1], "_rebuild_tensor_v2 storage_offset");
        tensor.size = intTuple(args[2], "_rebuild_tensor_v2 size");
        tensor.stride = intTuple(args[3], "_rebuild_tensor_v2 stride");
        if (tensor.size.size() != tensor.stride.size()) {
            throw fail("_rebuild_tensor_v2: size and stride have different lengths");
        }
        if (at(args[4]).kind != Kind::Bool) {
            throw fail("_rebuild_tensor_v2: requires_grad is not a bool");
        }
        tensor.requiresGrad = at(args[4]).boolValue;
        return make(std::move(tensor));
    }
    if (name == "torch._utils._rebuild_parameter") {
        // (data, requires_grad, backward_hooks)
        if (args.size() != 3 || at(args[0]).kind != Kind::Tensor || at(args[1]).kind != Kind::Bool) {
            throw fail("unsupported _rebuild_parameter arguments");
        }
        Object tensor = at(args[0]);
        tensor.requiresGrad = at(args[1]).boolValue;
        return make(std::move(tensor));
    }
    throw fail("cannot call " + name);
}

size_t PickleParser::persistentLoad(size_t pidIndex)
{
    // torch.save's persistent id: ('storage', torch.<X>Storage, key, location, numel)
    if (mProfile == PickleReader::Profile::PlainData) {
        throw fail("refusing a persistent id: a data pickle may hold only plain values");
    }
    const Object &pid = at(pidIndex);
    if (pid.kind != Kind::Tuple || pid.items.size() != 5 || at(pid.items[0]).kind != Kind::String ||
        at(pid.items[0]).text != "storage") {
        throw fail("unsupported persistent id (expected ('storage', type, key, location, numel))");
    }
    const Object &type = at(pid.items[1]);
    if (type.kind != Kind::Global || type.text.rfind("torch.", 0) != 0 ||
        type.text.size() < 13 || type.text.compare(type.text.size() - 7, 7, "Storage") != 0) {
        throw fail("persistent id: the storage type is not a torch.<X>Storage");
    }
    const Object &key = at(pid.items[2]);
    if (key.kind != Kind::String || key.text.empty() || key.text.size() > 64 ||
        key.text.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") !=
            std::string::npos) {
        throw fail("persistent id: invalid storage key");
    }
    if (at(pid.items[3]).kind != Kind::String) {
        throw fail("persistent id: the location is not a string");
    }
    const int64_t numel = intArg(pid.items[4], "persistent id numel");
    if (numel < 0) {
        throw fail("persistent id: negative storage size");
    }
    Object storage;
    storage.kind = Kind::Storage;
    storage.text = type.text.substr(6); // "FloatStorage"
    storage.key = key.text;
    storage.location = at(pid.items[3]).text;
    storage.numel = numel;
    return make(std::move(storage));
}

size_t PickleParser::run()
{
    mNone = makeKind(Kind::None);
    Object t;
    t.kind = Kind::Bool;
    t.boolValue = true;
    mTrue = make(t);
    t.boolValue = false;
    mFalse = make(t);

    while (true) {
        mOpPos = mPos;
        const uint8_t op = *take(1);
        if (op == STOP) {
            if (!mMarks.empty()) {
                throw fail("STOP with an open MARK");
            }
            return pop();
        }
        if (!frameOp(op) && !valueOp(op) && !containerOp(op) && !callOp(op)) {
            static const char *hex = "0123456789abcdef";
            throw fail(std::string("unsupported pickle opcode 0x") + hex[op >> 4] + hex[op & 15]);
        }
    }
}

// Protocol, framing, MARKs, POPs and the memo.
bool PickleParser::frameOp(uint8_t op)
{
    switch (op) {
    case PROTO: {
        const uint8_t version = *take(1);
        if (version < 2 || version > 5) {
            throw fail("unsupported pickle protocol " + std::to_string(version));
        }
        break;
    }
    case FRAME: {
        const uint64_t length = readLE(8);
        if (length > mSize - mPos) {
            throw fail("frame runs past the end of the pickle");
        }
        break;
    }
    case MARK:
        if (mMarks.size() >= mLimits.maxMarks) {
            throw fail("more than " + std::to_string(mLimits.maxMarks) + " nested MARKs");
        }
        mMarks.push_back(mStack.size());
        break;
    case POP:
        if (mStack.size() > stackFloor()) {
            mStack.pop_back();
        } else {
            popMark();
        }
        break;
    case POP_MARK:
        popMark();
        break;
    case BINPUT:
        memoPut(readLE(1), top());
        break;
    case LONG_BINPUT:
        memoPut(readLE(4), top());
        break;
    case MEMOIZE:
        memoPut(mMemo.size(), top());
        break;
    case BINGET:
        push(memoGet(readLE(1)));
        break;
    case LONG_BINGET:
        push(memoGet(readLE(4)));
        break;
    default:
        return false;
    }
    return true;
}

// None, booleans, integers, floats, strings and bytes.
bool PickleParser::valueOp(uint8_t op)
{
    switch (op) {
    case NONE:
        push(mNone);
        break;
    case NEWTRUE:
        push(mTrue);
        break;
    case NEWFALSE:
        push(mFalse);
        break;
    case BININT:
    case BININT1:
    case BININT2:
    case LONG1: {
        Object value;
        value.kind = Kind::Int;
        if (op == BININT) {
            value.intValue = static_cast<int32_t>(static_cast<uint32_t>(readLE(4)));
        } else if (op == BININT1) {
            value.intValue = static_cast<int64_t>(readLE(1));
        } else if (op == BININT2) {
            value.intValue = static_cast<int64_t>(readLE(2));
        } else {
            const size_t n = *take(1);
            if (n > 8) {
                throw fail("integer of " + std::to_string(n) + " bytes does not fit 64 bits");
            }
            uint64_t raw = n ? readLE(n) : 0;
            if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) {
                raw |= ~uint64_t(0) << (8 * n); // sign-extend
            }
            value.intValue = static_cast<int64_t>(raw);
        }
        push(make(std::move(value)));
        break;
    }
    case BINFLOAT: {
        const uint8_t *p = take(8); // big-endian IEEE double
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) {
            bits = (bits << 8) | p[i];
        }
        Object value;
        value.kind = Kind::Float;
        std::memcpy(&value.floatValue, &bits, 8);
        push(make(std::move(value)));
        break;
    }
    case BINUNICODE:
    case SHORT_BINUNICODE:
    case BINUNICODE8:
    case BINSTRING:
    case SHORT_BINSTRING:
    case BINBYTES:
    case SHORT_BINBYTES:
    case BINBYTES8: {
        // Python 2's str (BINSTRING, SHORT_BINSTRING) is read as text; its bytes are kept as
        // they are (callers decide on the encoding).
        const bool isText = op == BINUNICODE || op == SHORT_BINUNICODE || op == BINUNICODE8 ||
                            op == BINSTRING || op == SHORT_BINSTRING;
        const size_t lengthBytes = (op == SHORT_BINUNICODE || op == SHORT_BINBYTES || op == SHORT_BINSTRING) ? 1
                                   : (op == BINUNICODE8 || op == BINBYTES8)                            ? 8
                                                                                                        : 4;
        Object value;
        value.kind = isText ? Kind::String : Kind::Bytes;
        value.text = readBytes(readLE(lengthBytes));
        push(make(std::move(value)));
        break;
    }
    default:
        return false;
    }
    return true;
}

// Tuples, lists and dicts.
bool PickleParser::containerOp(uint8_t op)
{
    switch (op) {
    case EMPTY_TUPLE:
        push(makeKind(Kind::Tuple));
        break;
    case EMPTY_LIST:
        push(makeKind(Kind::List));
        break;
    case EMPTY_DICT:
        push(makeKind(Kind::Dict));
        break;
    case TUPLE: {
        Object tuple;
        tuple.kind = Kind::Tuple;
        tuple.items = popMark();
        push(make(std::move(tuple)));
        break;
    }
    case TUPLE1:
    case TUPLE2:
    case TUPLE3: {
        const size_t n = static_cast<size_t>(op - TUPLE1 + 1);
        Object tuple;
        tuple.kind = Kind::Tuple;
        tuple.items.resize(n);
        for (size_t i = n; i-- > 0;) {
            tuple.items[i] = pop();
        }
        push(make(std::move(tuple)));
        break;
    }
    case APPEND: {
        const size_t value = pop();
        expect(top(), Kind::List, "APPEND to something that is not a list").items.push_back(value);
        break;
    }
    case APPENDS: {
        const std::vector<size_t> values = popMark();
        auto &list = expect(top(), Kind::List, "APPENDS to something that is not a list");
        list.items.insert(list.items.end(), values.begin(), values.end());
        break;
    }
    case SETITEM: {
        const size_t value = pop();
        const size_t key = pop();
        auto &dict = expect(top(), Kind::Dict, "SETITEM on something that is not a dict");
        dict.items.push_back(key);
        dict.items.push_back(value);
        break;
    }
    case SETITEMS: {
        const std::vector<size_t> values = popMark();
        if (values.size() % 2 != 0) {
            throw fail("SETITEMS with an odd number of items");
        }
        auto &dict = expect(top(), Kind::Dict, "SETITEMS on something that is not a dict");
        dict.items.insert(dict.items.end(), values.begin(), values.end());
        break;
    }
    default:
        return false;
    }
    return true;
}

// Globals (allow-listed), REDUCE, BUILD and persistent ids (storages).
bool PickleParser::callOp(uint8_t op)
{
    switch (op) {
    case GLOBAL: {
        const std::string module = readLine();
        const std::string name = readLine();
        push(global(module, name));
        break;
    }
    case STACK_GLOBAL: {
        const size_t name = pop();
        const size_t module = pop();
        if (at(name).kind != Kind::String || at(module).kind != Kind::String) {
            throw fail("STACK_GLOBAL needs two strings");
        }
        push(global(at(module).text, at(name).text));
        break;
    }
    case REDUCE: {
        const size_t args = pop();
        const size_t callable = pop();
        push(reduce(callable, args));
        break;
    }
    case BUILD: {
        pop(); // the state
        const Object &object = at(top());
        // OrderedDict state is its __dict__ (`_metadata` of nn.Module.state_dict()): not
        // needed to read tensors, so it is dropped. Nothing else is expected to be built.
        if (object.kind != Kind::Dict || !object.orderedDict) {
            throw fail("BUILD on an object that is not an OrderedDict");
        }
        break;
    }
    case BINPERSID:
        push(persistentLoad(pop()));
        break;
    default:
        return false;
    }
    return true;
}

} // namespace rsrefseg
