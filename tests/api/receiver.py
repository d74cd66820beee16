"""A webhook receiver for the tests: an HTTP server on 127.0.0.1 (a free port) in a thread,
answering each POST with the next of ``statuses`` (the last one repeats) and keeping what came."""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []  # (headers dict, body bytes, status answered)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    n = len(receiver.requests)
                    status = receiver.statuses[min(n, len(receiver.statuses) - 1)]
                    receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(f"收到 {status}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __len__(self):
        return len(self.requests)


@contextlib.contextmanager
def receiving(statuses=(200,)):
    receiver = Receiver(statuses)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
