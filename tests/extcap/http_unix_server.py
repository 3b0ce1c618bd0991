#!/usr/bin/env python3
"""A small HTTP/1.1 server on a unix socket, for capturing real curl --unix-socket traffic.

Usage: http_unix_server.py SOCKET_PATH   (serves until killed; GET /info, POST /echo)
"""
import http.server
import os
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"  # the peer address of a unix socket is not a (host, port) pair

    def log_message(self, fmt, *args):
        pass

    def reply(self, body, ctype="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(b'{"name":"unixcap-test","version":"1"}\n')

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.reply(self.rfile.read(n), "text/plain")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as s:
        s.serve_forever()


if __name__ == "__main__":
    main()
