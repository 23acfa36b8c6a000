"""A tiny HTTP proxy on 127.0.0.1 in front of the moto server that answers chosen AWS
operations with throttling or server errors (moto cannot inject faults) and counts attempts."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

XML_ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
             b"<Message>injected by the test proxy</Message><RequestId>1</RequestId></Error>")


class FaultProxy:
    """`fail(match, status, code)`: requests for which `match(method, path, headers, body)` get
    that answer; everything else goes to moto. `hits` counts the failed attempts."""

    def __init__(self, upstream: str):
        target = urlsplit(upstream)
        self.rule: tuple[Callable[[str, str, dict], bool], int, str] | None = None
        self.hits = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                if proxy.rule and proxy.rule[0](self.command, self.path, headers, body):
                    proxy.hits += 1
                    _, status, code = proxy.rule
                    if "json" in headers.get("Content-Type", ""):
                        payload = json.dumps({"__type": code, "message": "injected"}).encode()
                        kind = "application/x-amz-json-1.1"
                    else:
                        payload = XML_ERROR.replace(b"{code}", code.encode())
                        kind = "text/xml"
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers.pop("Host", None)
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail(self, match, status: int, code: str) -> None:
        self.rule, self.hits = (match, status, code), 0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
