"""Python grpcio peer of `npm run bench`: the client that tritonclient.grpc is built on.

It streams ModelInferRequest messages over one ModelStreamInfer call the way
tritonclient.grpc's start_stream/async_stream_infer do: requests are built per call
(protobuf message, raw_input_contents), put on a queue that a request iterator feeds to
grpcio, and answers are read by a separate thread that calls back. Run with Debian's
python3-grpcio under /usr/bin/python3:

    /usr/bin/python3 grpcio_peer.py '{"port": 8001, "descriptor": "...", "frame": "...", "audio": "..."}'

then one JSON command per stdin line; each answer is one JSON line on stdout. Messages are
serialized by python3-protobuf from a descriptor set made from proto/ when it is installed,
by hand otherwise (said in the "serializer" field of the ready line).
"""

import json
import queue
import sys
import threading
import time

import grpc

METHOD = "/inference.GRPCInferenceService/ModelStreamInfer"
MODELS = {"frame": "frame-sink", "yolo": "yolo-raw", "audio": "audio-sink"}


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def read_varint(buf, at):
    value = shift = 0
    while True:
        b = buf[at]
        at += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, at
        shift += 7


def scan(buf, start, end):
    """Yields (field, wire, value, start, end) for the fields of buf[start:end]."""
    at = start
    while at < end:
        key, at = read_varint(buf, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, nxt = read_varint(buf, at)
            yield number, wire, value, at, nxt
            at = nxt
        elif wire == 2:
            length, at = read_varint(buf, at)
            yield number, wire, length, at, at + length
            at += length
        elif wire == 1:
            yield number, wire, 0, at, at + 8
            at += 8
        else:
            yield number, wire, 0, at, at + 4
            at += 4


class ProtobufCodec:
    """ModelInferRequest and ModelStreamInferResponse from python3-protobuf, as tritonclient has them."""

    name = "python3-protobuf"

    def __init__(self, descriptor_path):
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

        with open(descriptor_path, "rb") as f:
            files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        pool = descriptor_pool.DescriptorPool()
        for file in files.file:
            pool.Add(file)
        factory = message_factory.MessageFactory(pool)
        self.Request = factory.GetPrototype(pool.FindMessageTypeByName("inference.ModelInferRequest"))
        self.Response = factory.GetPrototype(
            pool.FindMessageTypeByName("inference.ModelStreamInferResponse")
        )

    def request(self, model, rid, tensors, sequence):
        req = self.Request()
        req.model_name = model
        req.id = rid
        if sequence is not None:
            req.parameters["sequence_id"].int64_param = sequence[0]
            req.parameters["sequence_start"].bool_param = sequence[1]
            req.parameters["sequence_end"].bool_param = False
        for name, datatype, shape, data in tensors:
            t = req.inputs.add()
            t.name = name
            t.datatype = datatype
            t.shape.extend(shape)
        req.raw_input_contents.extend([data for _, _, _, data in tensors])
        return req

    def serialize(self, req):
        return req.SerializeToString()

    def parse(self, raw):
        r = self.Response.FromString(raw)
        if r.error_message:
            raise RuntimeError(r.error_message)
        resp = r.infer_response
        output = resp.raw_output_contents[0] if resp.raw_output_contents else b""
        return resp.id, resp.parameters["server_ns"].int64_param, output


class HandCodec:
    """The same messages written and read by hand, for a machine without python3-protobuf."""

    name = "by hand (no python3-protobuf)"

    def request(self, model, rid, tensors, sequence):
        parts = [field(1, model.encode()), field(3, rid.encode())]
        if sequence is not None:
            for key, value in (
                ("sequence_id", varint(2 << 3) + varint(sequence[0])),
                ("sequence_start", varint(1 << 3) + varint(int(sequence[1]))),
                ("sequence_end", varint(1 << 3) + varint(0)),
            ):
                parts.append(field(4, field(1, key.encode()) + field(2, value)))
        for name, datatype, shape, _ in tensors:
            dims = b"".join(varint(d) for d in shape)
            parts.append(field(5, field(1, name.encode()) + field(2, datatype.encode()) + field(3, dims)))
        for _, _, _, data in tensors:
            parts.append(field(7, data))
        return parts

    def serialize(self, parts):
        return b"".join(parts)

    def parse(self, raw):
        rid, server_ns, output = "", 0, b""
        view = memoryview(raw)
        for number, wire, _, start, end in scan(view, 0, len(view)):
            if number != 2 or wire != 2:
                continue
            for f, w, _, s, e in scan(view, start, end):
                if f == 3:
                    rid = bytes(view[s:e]).decode()
                elif f == 6:
                    output = view[s:e]
                elif f == 4:
                    key, value = "", 0
                    for ef, _, _, es, ee in scan(view, s, e):
                        if ef == 1:
                            key = bytes(view[es:ee]).decode()
                        elif ef == 2:
                            for pf, _, pv, _, _ in scan(view, es, ee):
                                if pf == 2:
                                    value = pv
                    if key == "server_ns":
                        server_ns = value
        return rid, server_ns, output


class Stream:
    """One ModelStreamInfer call: a queue feeds grpcio's request iterator, a thread reads answers."""

    def __init__(self, channel, codec):
        self.codec = codec
        self.requests = queue.Queue()
        self.pending = {}
        self.lock = threading.Lock()
        call = channel.stream_stream(
            METHOD, request_serializer=codec.serialize, response_deserializer=lambda b: b
        )
        self.responses = call(iter(self.requests.get, None))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for raw in self.responses:
                rid, server_ns, output = self.codec.parse(raw)
                if output:
                    memoryview(output).cast("B")  # the answer as a buffer, as numpy.frombuffer takes it
                with self.lock:
                    started, done = self.pending.pop(rid)
                done(time.perf_counter() - started, server_ns / 1e9)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                sys.stderr.write(f"grpcio peer: {e}\n")

    def send(self, rid, request, done):
        with self.lock:
            self.pending[rid] = (time.perf_counter(), done)
        self.requests.put(request)

    def close(self):
        self.requests.put(None)
        self.reader.join(timeout=5)


class Peer:
    def __init__(self, cfg):
        try:
            self.codec = ProtobufCodec(cfg["descriptor"])
        except ImportError:
            self.codec = HandCodec()
        with open(cfg["frame"], "rb") as f:
            frame = f.read()
        with open(cfg["audio"], "rb") as f:
            audio = f.read()
        self.tensors = {
            "frame": [("images", "FP32", [1, 3, 640, 640], frame)],
            "yolo": [("images", "FP32", [1, 3, 640, 640], frame)],
            "audio": [
                ("WAV", "FP32", [1, len(audio) // 4], audio),
                ("WAV_LENS", "INT32", [1, 1], (len(audio) // 4).to_bytes(4, "little")),
            ],
        }
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{cfg['port']}",
            options=[
                ("grpc.max_send_message_length", 64 * 1024 * 1024),
                ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ],
        )
        grpc.channel_ready_future(self.channel).result(timeout=10)
        self.counter = 0

    def request(self, payload, sequence_id=None, start=False):
        self.counter += 1
        rid = f"p{self.counter}"
        sequence = (sequence_id, start) if payload == "audio" else None
        return rid, self.codec.request(MODELS[payload], rid, self.tensors[payload], sequence)

    def throughput(self, payload, in_flight, seconds):
        stream = Stream(self.channel, self.codec)
        slots = threading.Semaphore(in_flight)
        state = {"counting": False, "n": 0}

        def done(_rtt, _server):
            if state["counting"]:
                state["n"] += 1
            slots.release()

        def run_for(sec):
            end = time.perf_counter() + sec
            while time.perf_counter() < end:
                slots.acquire()
                rid, req = self.request(payload)
                stream.send(rid, req, done)

        run_for(min(1.0, seconds / 4))
        cpu = time.process_time()
        t = time.perf_counter()
        state["counting"] = True
        run_for(seconds)
        state["counting"] = False
        wall = time.perf_counter() - t
        cpu_ms = (time.process_time() - cpu) * 1000
        for _ in range(in_flight):
            slots.acquire()
        stream.close()
        n = state["n"]
        return {"requests": n, "rps": n / wall, "cpuMsPerReq": cpu_ms / max(1, n)}

    def latency(self, seconds):
        stream = Stream(self.channel, self.codec)
        answered = threading.Event()
        out = {}

        def done(rtt, server):
            out["rtt"], out["server"] = rtt, server
            answered.set()

        def one(i):
            answered.clear()
            rid, req = self.request("audio", 9000, i == 0)
            stream.send(rid, req, done)
            answered.wait()
            return out["rtt"] * 1000, (out["rtt"] - out["server"]) * 1000

        for i in range(200):
            one(i)
        added, rtts = [], []
        cpu = time.process_time()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            rtt, add = one(1)
            rtts.append(rtt)
            added.append(add)
        cpu_ms = (time.process_time() - cpu) * 1000
        stream.close()
        return {
            "requests": len(added),
            "addedP50Ms": pct(added, 50),
            "addedP99Ms": pct(added, 99),
            "rttP50Ms": pct(rtts, 50),
            "cpuMsPerReq": cpu_ms / len(added),
        }

    def camera(self, fps, seconds):
        stream = Stream(self.channel, self.codec)
        lock = threading.Lock()
        state = {"busy": False, "waiting": False, "drops": 0, "answered": 0, "rtt": []}

        def send():
            state["busy"] = True
            rid, req = self.request("yolo")
            stream.send(rid, req, done)

        def done(rtt, _server):
            with lock:
                state["answered"] += 1
                state["rtt"].append(rtt * 1000)
                state["busy"] = False
                if state["waiting"]:
                    state["waiting"] = False
                    send()

        cpu = time.process_time()
        start = time.perf_counter()
        frames = round(fps * seconds)
        for i in range(frames):
            delay = start + i / fps - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with lock:
                if not state["busy"]:
                    send()
                else:
                    if state["waiting"]:
                        state["drops"] += 1
                    state["waiting"] = True
        while state["busy"]:
            time.sleep(0.005)
        cpu_ms = (time.process_time() - cpu) * 1000
        stream.close()
        answered = state["answered"]
        return {
            "frames": frames,
            "answered": answered,
            "drops": state["drops"],
            "cpuMsPerFrame": cpu_ms / max(1, answered),
            "rttP50Ms": pct(state["rtt"], 50),
        }


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, -(-p * len(s) // 100) - 1))]


def main():
    peer = Peer(json.loads(sys.argv[1]))
    print(json.dumps({"ready": True, "serializer": peer.codec.name, "grpcio": grpc.__version__}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            op = cmd["op"]
            if op == "throughput":
                result = peer.throughput(cmd["payload"], cmd["inFlight"], cmd["seconds"])
            elif op == "latency":
                result = peer.latency(cmd["seconds"])
            elif op == "camera":
                result = peer.camera(cmd["fps"], cmd["seconds"])
            else:
                raise ValueError(f"unknown command {op}")
            print(json.dumps({"result": result}), flush=True)
        except Exception as e:  # noqa: BLE001 - one line back to the bench, which prints it
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main()
