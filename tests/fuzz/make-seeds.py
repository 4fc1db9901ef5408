#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus (committed; rerun only to change them).

Python standard library only: the .pth seeds are torch.save-style zip archives whose data.pkl is
pickled against stand-in `torch` modules, byte-compatible with what torch writes for a state dict.
"""
import collections, io, json, pathlib, pickle, struct, sys, types, zipfile

root = pathlib.Path(__file__).resolve().parent / "corpus"


def put(target, name, data):
    (root / target).mkdir(parents=True, exist_ok=True)
    (root / target / name).write_bytes(data.encode() if isinstance(data, str) else data)


# --- safetensors
def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blob

put("safetensors", "f32-two", safetensors({"a.weight": ("F32", [2, 3], struct.pack("<6f", *range(6))),
                                           "b": ("I64", [2], struct.pack("<2q", 7, -1))}, {"format": "pt"}))
put("safetensors", "mixed", safetensors({"h": ("F16", [2], b"\x00\x3c\x00\xc0"), "bf": ("BF16", [1, 1], b"\x80\x3f"),
                                         "u": ("U8", [3], b"\x01\x02\x03"), "t": ("BOOL", [2], b"\x01\x00"),
                                         "s": ("F64", [], struct.pack("<d", 1.5)), "z": ("I32", [0, 4], b"")}))
put("safetensors", "empty-header", struct.pack("<Q", 2) + b"{}")
put("safetensors", "huge-claim", struct.pack("<Q", 10**15) + b"{}")

# --- .pth: first byte even = zip archive, odd = pickle alone
torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
torch._utils = utils
for cls in ("FloatStorage", "HalfStorage", "LongStorage"):
    setattr(torch, cls, type(cls, (), {"__module__": "torch"}))
def _rebuild_tensor_v2(*args): pass
def _rebuild_parameter(*args): pass
_rebuild_tensor_v2.__module__ = _rebuild_parameter.__module__ = "torch._utils"
utils._rebuild_tensor_v2, utils._rebuild_parameter = _rebuild_tensor_v2, _rebuild_parameter

class Storage:
    def __init__(self, cls, key, numel): self.cls, self.key, self.numel = cls, key, numel
class Tensor:
    def __init__(self, storage, offset, size, stride): self.args = (storage, offset, size, stride)
    def __reduce__(self):
        s, o, size, stride = self.args
        return (_rebuild_tensor_v2, (s, o, size, stride, False, collections.OrderedDict()))
class Parameter:
    def __init__(self, tensor): self.tensor = tensor
    def __reduce__(self): return (_rebuild_parameter, (self.tensor, True, collections.OrderedDict()))

class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return None

def dumps(obj):
    out = io.BytesIO(); Pickler(out, protocol=2).dump(obj); return out.getvalue()

def pth(top, obj, storages):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{top}/data.pkl", dumps(obj))
        for key, data in storages.items():
            z.writestr(f"{top}/data/{key}", data)
        z.writestr(f"{top}/version", "3\n")
    return out.getvalue()

f = Storage(torch.FloatStorage, "0", 6); h = Storage(torch.HalfStorage, "1", 2)
state = collections.OrderedDict([("w", Tensor(f, 0, (2, 3), (3, 1))), ("v", Tensor(f, 2, (2,), (1,))),
                                 ("p", Parameter(Tensor(h, 0, (2,), (1,))))])
data = {"0": struct.pack("<6f", *range(6)), "1": b"\x00\x3c\x00\xc0"}
put("pthreader", "statedict.zip", b"\x00" + pth("model", state, data))
put("pthreader", "mmengine.zip", b"\x00" + pth("archive", {"meta": {"epoch": 3}, "state_dict": state}, data))
put("pthreader", "statedict.pkl", b"\x01" + dumps(state))
put("pthreader", "plain.pkl", b"\x01" + dumps({"a": [1, 2.5, "x", b"y", None, True, (1, 2)], "b": -(2**40)}))
put("pthreader", "forbidden-global.pkl", b"\x01cos\nsystem\n(S'true'\ntR.")

# --- COCO RLE: u16 height, u16 width, counts string
def rle(h, w, counts): return struct.pack("<HH", h, w) + counts.encode()
put("cocorle", "3x3", rle(3, 3, "11112O"))
put("cocorle", "4x5-empty", rle(4, 5, "d0"))
put("cocorle", "json-compressed", rle(0, 0, json.dumps({"size": [3, 3], "counts": "11112O"})))
put("cocorle", "json-uncompressed", rle(0, 0, json.dumps({"size": [2, 3], "counts": [1, 2, 3]})))

# --- JSONL data set
lines = [
    {"file_name": "a.png", "sent": "the plane on the right", "split": "val", "image_id": 1, "ann_id": 2,
     "category_name": "airplane", "bbox": [1, 2, 3, 4], "segmentation": {"size": [3, 3], "counts": "11112O"}},
    {"file_name": "b/c.tif", "sent": " a ship ", "segmentation": [{"size": [2, 3], "counts": [1, 2, 3]},
                                                                   {"size": [2, 3], "counts": "0200"}]},
    {"file_name": "d.png", "sent": "a polygon", "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]},
]
put("jsonl", "three-lines", "\n".join(json.dumps(l) for l in lines) + "\n\nnot json\n" + '{"sent": 3}\n')
put("jsonl", "deep", '{"file_name":"a.png","sent":"x","segmentation":' + "[" * 12 + "]" * 12 + "}\n")
put("jsonl", "traversal", '{"file_name":"../../etc/passwd","sent":"x","segmentation":{"size":[1,1],"counts":"01"}}\n')

put("tokenizer", "ascii", "the large white storage tank left of the road")
put("tokenizer", "unicode", "Die GROSSE Halle \u0130stanbul \u00e9t\u00e9 \u6c34\u5854 \U0001F680 \u00a0 tabs\tand\nnewlines!")
put("tokenizer", "long", "tank " * 80)
put("tokenizer", "invalid-utf8", b"ok \xff\xfe \xc3( \xed\xa0\x80")
# --- refs(unc).p of RRSIS-D (plain-data pickles; refs_seeds() alone rewrites just these)
def refs_seeds():
    def ref(i, sent):
        return {"image_id": 2934 + i, "split": ["train", "val", "test"][i % 3],
                "sentences": [{"tokens": sent.split(), "raw": sent, "sent_id": 2934 + i, "sent": sent}],
                "file_name": "%05d.jpg" % (2934 + i), "category_id": 4, "ann_id": 2934 + i,
                "sent_ids": [2934 + i], "ref_id": 2934 + i}
    refs = [ref(0, "The baseball field on the top"), ref(1, "the vehicle on the right"), ref(2, "a ship")]
    put("refspickle", "refs-protocol2.p", pickle.dumps(refs, protocol=2))
    put("refspickle", "refs-protocol4.p", pickle.dumps(refs, protocol=4))
    # Python 2 str keys and values (SHORT_BINSTRING), a Python 2 long (LONG1), a float, a tuple
    def s(text): return b"U" + bytes([len(text)]) + text
    py2 = (b"\x80\x02]q\x00}q\x01(" + s(b"ref_id") + b"K\x07" + s(b"ann_id") + b"\x8a\x05\x00\x00\x00\x00\x01"
           + s(b"image_id") + b"M\x00\x10" + s(b"category_id") + b"K\x04" + s(b"split") + s(b"train")
           + s(b"file_name") + s(b"caf\xe9.jpg") + s(b"sentences") + b"]q\x02}q\x03(" + s(b"sent_id") + b"K\x01"
           + s(b"sent") + b"X\x06\x00\x00\x00a \xc3\xa9ta" + s(b"score") + b"G?\xf0\x00\x00\x00\x00\x00\x00"
           + s(b"box") + b"K\x01K\x02\x86u" + b"au" + b"a.")
    put("refspickle", "python2-str.p", py2)
    put("refspickle", "os-system.p", b"\x80\x02cos\nsystem\nq\x00U\x04echo\x85R.")
    put("refspickle", "persistent-id.p", b"\x80\x02K\x01Q.")

refs_seeds()
print("seeds written to", root)
# The bundlemanifest seeds (golden-tiny.json = build/share/rsrefseg/models/golden-tiny/manifest.json
# compacted; traversal-dotdot.json and absolute.json the same with tokenizer "../outside.safetensors"
# and weights.file "/etc/passwd") come from a build and are committed as they are.
