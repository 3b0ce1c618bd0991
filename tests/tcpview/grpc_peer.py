"""A gRPC server and client over a Unix socket, python3-grpcio only (raw bytes, no protobuf).
  grpc_peer.py serve SOCKET   serves /unixcap.Test/Unary and /unixcap.Test/Stream, prints "ready"
  grpc_peer.py call SOCKET    one unary call and one server-streaming call (3 replies)"""
import sys
from concurrent import futures

import grpc


def unary(request, context):
    return b"unary ok: " + request


def stream(request, context):
    for i in range(3):
        yield b"stream %d: " % (i + 1) + request


def serve(sock):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "Stream": grpc.unary_stream_rpc_method_handler(stream),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("unixcap.Test",
                                                                          handlers),))
    server.add_insecure_port("unix:" + sock)
    server.start()
    print("ready", flush=True)
    server.wait_for_termination()


def call(sock):
    with grpc.insecure_channel("unix:" + sock) as ch:
        print(ch.unary_unary("/unixcap.Test/Unary")(b"hello", timeout=30).decode())
        for reply in ch.unary_stream("/unixcap.Test/Stream")(b"hi", timeout=30):
            print(reply.decode())


if __name__ == "__main__":
    {"serve": serve, "call": call}[sys.argv[1]](sys.argv[2])
