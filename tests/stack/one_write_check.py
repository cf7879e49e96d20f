"""one_write_check.py: whether an HTTP/1.1 server sends each answer in one write, checked
from the client: N requests (GET PATH) on ONE kept-alive connection, each answer read with a
single recv(). Prints one line per request: "<status> <whole|split> <bytes>" (whole: the
headers and the whole Content-Length body came in that one recv; split: the rest came in
later ones, which is what a headers-then-body write pattern with Nagle's algorithm gives).
Used by tests/integration/standin_one_write.sh; Python 3 standard library only.

    one_write_check.py HOST PORT PATH [N]
"""

import socket
import sys
import time


def read_answer(sock):
    """(status, whole, size): the first recv, then whatever else the answer needs."""
    first = sock.recv(1 << 20)
    data = first
    while b"\r\n\r\n" not in data:
        more = sock.recv(1 << 20)
        if not more:
            raise SystemExit("connection closed mid-headers")
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(body) < length:
        more = sock.recv(1 << 20)
        if not more:
            raise SystemExit("connection closed mid-body")
        body += more
    whole = len(first) == len(head) + 4 + length
    return status, whole, len(head) + 4 + length


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    sock = socket.create_connection((host, port), timeout=5)
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json\r\n\r\n" %
           (path, host, port)).encode()
    for _ in range(n):
        sock.sendall(req)
        # The whole answer has time to arrive before the first recv: a "whole" then means
        # one write (a 40 ms Nagle wait for the body outlasts this), not a fast reader.
        time.sleep(0.01)
        status, whole, size = read_answer(sock)
        print("%d %s %d" % (status, "whole" if whole else "split", size))
    sock.close()


if __name__ == "__main__":
    main()
