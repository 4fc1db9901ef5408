// PickleWriter: a small protocol-2 pickle writer for tests, writing what Python 2's cPickle
// writes for plain data (pickle.dump(obj, f, 2)): str as SHORT_BINSTRING / BINSTRING, unicode as
// BINUNICODE, ints as BININT1 / BININT2 / BININT / LONG1, floats as BINFLOAT, dicts and lists as
// EMPTY_DICT / EMPTY_LIST + MARK ... SETITEMS / APPENDS (SETITEM / APPEND for one item), every
// container and string memoised with BINPUT and a repeated string fetched with BINGET.
//
//   using P = pickletest::Py;
//   P refs = P::list({P::dict({{"ref_id", P::integer(1)}, {"split", P::str("train")}})});
//   std::string bytes = pickletest::dumps(refs);
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pickletest {

struct Py
{
    enum class Kind { None, Bool, Int, Float, Str, Unicode, List, Tuple, Dict };
    Kind kind = Kind::None;
    bool b = false;
    std::int64_t i = 0;
    double f = 0;
    std::string s;
    std::vector<Py> items;                      // List, Tuple
    std::vector<std::pair<Py, Py>> pairs;       // Dict

    static Py none() { return {}; }
    static Py boolean(bool v) { Py p; p.kind = Kind::Bool; p.b = v; return p; }
    static Py integer(std::int64_t v) { Py p; p.kind = Kind::Int; p.i = v; return p; }
    static Py floating(double v) { Py p; p.kind = Kind::Float; p.f = v; return p; }
    static Py str(std::string v) { Py p; p.kind = Kind::Str; p.s = std::move(v); return p; }
    static Py unicode(std::string v) { Py p; p.kind = Kind::Unicode; p.s = std::move(v); return p; }
    static Py list(std::vector<Py> v) { Py p; p.kind = Kind::List; p.items = std::move(v); return p; }
    static Py tuple(std::vector<Py> v) { Py p; p.kind = Kind::Tuple; p.items = std::move(v); return p; }
    static Py dict(std::vector<std::pair<std::string, Py>> v)
    {
        Py p;
        p.kind = Kind::Dict;
        for (auto &kv : v)
            p.pairs.emplace_back(str(kv.first), std::move(kv.second));
        return p;
    }
};

class Writer
{
  public:
    std::string dumps(const Py &value)
    {
        mOut = "\x80\x02";
        write(value);
        mOut += '.';
        return mOut;
    }

  private:
    void le(std::uint64_t v, int n)
    {
        for (int k = 0; k < n; ++k)
            mOut += static_cast<char>((v >> (8 * k)) & 0xff);
    }
    void put()
    {
        const std::uint32_t id = mNext++;
        if (id < 256) {
            mOut += 'q';
            le(id, 1);
        } else {
            mOut += 'r';
            le(id, 4);
        }
    }
    void text(const Py &v)
    {
        const std::string key = (v.kind == Py::Kind::Str ? "s:" : "u:") + v.s;
        const auto seen = mStrings.find(key);
        if (seen != mStrings.end()) {
            if (seen->second < 256) {
                mOut += 'h';
                le(seen->second, 1);
            } else {
                mOut += 'j';
                le(seen->second, 4);
            }
            return;
        }
        if (v.kind == Py::Kind::Unicode) {
            mOut += 'X';
            le(v.s.size(), 4);
        } else if (v.s.size() < 256) {
            mOut += 'U';
            le(v.s.size(), 1);
        } else {
            mOut += 'T';
            le(v.s.size(), 4);
        }
        mOut += v.s;
        mStrings[key] = mNext;
        put();
    }
    void integer(std::int64_t v)
    {
        if (v >= 0 && v < 256) {
            mOut += 'K';
            le(static_cast<std::uint64_t>(v), 1);
        } else if (v >= 0 && v < 65536) {
            mOut += 'M';
            le(static_cast<std::uint64_t>(v), 2);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            mOut += 'J';
            le(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), 4);
        } else {
            mOut += '\x8a';
            mOut += '\x08';
            le(static_cast<std::uint64_t>(v), 8);
        }
    }
    void floating(double v)
    {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &v, 8);
        mOut += 'G';
        for (int k = 7; k >= 0; --k)
            mOut += static_cast<char>((bits >> (8 * k)) & 0xff);
    }
    void write(const Py &v)
    {
        switch (v.kind) {
        case Py::Kind::None: mOut += 'N'; break;
        case Py::Kind::Bool: mOut += v.b ? '\x88' : '\x89'; break;
        case Py::Kind::Int: integer(v.i); break;
        case Py::Kind::Float: floating(v.f); break;
        case Py::Kind::Str:
        case Py::Kind::Unicode: text(v); break;
        case Py::Kind::Tuple:
            mOut += '(';
            for (const Py &item : v.items)
                write(item);
            mOut += 't';
            put();
            break;
        case Py::Kind::List:
            mOut += ']';
            put();
            if (v.items.size() == 1) {
                write(v.items[0]);
                mOut += 'a';
            } else if (!v.items.empty()) {
                mOut += '(';
                for (const Py &item : v.items)
                    write(item);
                mOut += 'e';
            }
            break;
        case Py::Kind::Dict:
            mOut += '}';
            put();
            if (v.pairs.size() == 1) {
                write(v.pairs[0].first);
                write(v.pairs[0].second);
                mOut += 's';
            } else if (!v.pairs.empty()) {
                mOut += '(';
                for (const auto &kv : v.pairs) {
                    write(kv.first);
                    write(kv.second);
                }
                mOut += 'u';
            }
            break;
        }
    }

    std::string mOut;
    std::uint32_t mNext = 0;
    std::map<std::string, std::uint32_t> mStrings;
};

inline std::string dumps(const Py &value)
{
    return Writer().dumps(value);
}

// A protocol-2 pickle that would run os.system("touch <marker>") when unpickled by Python:
// GLOBAL 'os system', the argument tuple, REDUCE.
inline std::string osSystemPickle(const std::string &marker)
{
    const std::string command = "touch " + marker;
    std::string out = "\x80\x02";
    out += "cos\nsystem\n";
    out += 'q';
    out += '\0';
    out += 'U';
    out += static_cast<char>(command.size());
    out += command;
    out += "\x85R.";
    return out;
}

} // namespace pickletest
