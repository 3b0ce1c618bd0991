"""HTTP/1.1 on a Unix socket, stdlib only: GET /N answers N bytes of a fixed pattern.
Usage: http_server.py SOCKET_PATH; prints "ready" once it accepts connections."""
import http.server
import os
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def log_message(self, *args):
        pass

    def do_GET(self):
        n = int(self.path.strip("/") or "0")
        body = bytes((i * 7 + 13) % 256 for i in range(n))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.UnixStreamServer):
    def get_request(self):
        conn, _ = super().get_request()
        return conn, ("unix", 0)  # BaseHTTPRequestHandler wants a (host, port) pair


path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
server = Server(path, Handler)
print("ready", flush=True)
server.serve_forever()
