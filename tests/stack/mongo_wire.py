"""mongo_wire.py: the MongoDB wire protocol's framing and the server side of SCRAM, for
tests/stack/mongo_standin.py (imported, never run). Python 3 standard library and Debian's
python3-bson alone (no pymongo).

The framing, from the MongoDB Wire Protocol reference
(https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/); integers little-endian:

    MsgHeader   int32 messageLength (the header included), int32 requestID, int32 responseTo,
                int32 opCode
    OP_MSG      2013: uint32 flagBits, sections, [uint32 CRC-32C checksum when flagBits bit 0
                (checksumPresent)]; a section is kind 0 (one BSON document: the command body) or
                kind 1 (int32 size, cstring identifier, BSON documents: a document sequence,
                e.g. insert's "documents"); flagBits bit 1 is moreToCome (no answer wanted)
    OP_QUERY    2004 (deprecated, but libmongoc 1.23 and pymongo 3.11 send their first hello
                with it): int32 flags, cstring fullCollectionName ("admin.$cmd"), int32
                numberToSkip, int32 numberToReturn, document query, [document fields]
    OP_REPLY    1 (the answer to an OP_QUERY): int32 responseFlags, int64 cursorID, int32
                startingFrom, int32 numberReturned, documents
    OP_COMPRESSED 2012: never advertised (the hello answer has no "compression"), so never sent

SCRAM (RFC 5802; SCRAM-SHA-256: RFC 7677) as MongoDB runs it through saslStart/saslContinue
(https://www.mongodb.com/docs/manual/core/security-scram/ and the drivers' auth specification,
https://github.com/mongodb/specifications/blob/master/source/auth/auth.md): for SCRAM-SHA-1 the
"password" is hex(md5("USER:mongo:PASSWORD")), for SCRAM-SHA-256 the password itself (SASLprep:
ASCII passwords only here).
"""

import base64
import hashlib
import hmac
import os
import struct

import bson
from bson.codec_options import CodecOptions

OP_REPLY, OP_QUERY, OP_COMPRESSED, OP_MSG = 1, 2004, 2012, 2013
CHECKSUM_PRESENT, MORE_TO_COME = 1 << 0, 1 << 1
MAX_MESSAGE = 48000000  # maxMessageSizeBytes
CODEC = CodecOptions(tz_aware=True)  # datetimes come out as aware UTC


class ProtocolError(Exception):
    """A message that cannot be parsed: the connection is closed."""


def read_exact(sock, n):
    """n bytes from sock; b"" when the peer closed before the first byte."""
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            if buf:
                raise ProtocolError("the client closed the connection mid-message")
            return b""
        buf += chunk
    return bytes(buf)


def read_message(sock):
    """(requestID, responseTo, opCode, payload), or None when the client hung up."""
    head = read_exact(sock, 16)
    if not head:
        return None
    length, request_id, response_to, opcode = struct.unpack("<iiii", head)
    if length < 16 or length > MAX_MESSAGE:
        raise ProtocolError("message length %d out of bounds" % length)
    payload = read_exact(sock, length - 16)
    if len(payload) != length - 16:
        raise ProtocolError("the client closed the connection mid-message")
    return request_id, response_to, opcode, payload


def _cstring(data, pos):
    end = data.index(b"\0", pos)
    return data[pos:end].decode("utf-8"), end + 1


def _document(data, pos):
    (size,) = struct.unpack_from("<i", data, pos)
    if size < 5 or pos + size > len(data):
        raise ProtocolError("BSON document size %d out of bounds" % size)
    return bson.decode(data[pos:pos + size], CODEC), pos + size


def parse_op_msg(payload):
    """(flagBits, body): the kind 0 body with each kind 1 sequence added under its
    identifier (as the server merges them)."""
    (flags,) = struct.unpack_from("<I", payload, 0)
    if flags & ~(CHECKSUM_PRESENT | MORE_TO_COME | (1 << 16)) & 0xFFFF:
        raise ProtocolError("unknown required OP_MSG flag bits 0x%x" % flags)
    end = len(payload) - (4 if flags & CHECKSUM_PRESENT else 0)  # the checksum is not checked
    pos, body, sequences = 4, None, {}
    while pos < end:
        kind = payload[pos]
        pos += 1
        if kind == 0:
            if body is not None:
                raise ProtocolError("two kind 0 sections")
            body, pos = _document(payload, pos)
        elif kind == 1:
            (size,) = struct.unpack_from("<i", payload, pos)
            stop = pos + size
            ident, p = _cstring(payload, pos + 4)
            docs = []
            while p < stop:
                doc, p = _document(payload, p)
                docs.append(doc)
            sequences.setdefault(ident, []).extend(docs)
            pos = stop
        else:
            raise ProtocolError("unknown OP_MSG section kind %d" % kind)
    if body is None:
        raise ProtocolError("OP_MSG without a kind 0 section")
    body.update(sequences)
    return flags, body


def parse_op_query(payload):
    """(fullCollectionName, query document)."""
    pos = 4
    name, pos = _cstring(payload, pos)
    pos += 8  # numberToSkip, numberToReturn
    query, _ = _document(payload, pos)
    return name, query


def _frame(request_id, response_to, opcode, body):
    return struct.pack("<iiii", 16 + len(body), request_id, response_to, opcode) + body


def op_msg(request_id, response_to, doc):
    """An OP_MSG answer: flagBits 0, one kind 0 section."""
    return _frame(request_id, response_to, OP_MSG, struct.pack("<I", 0) + b"\0" + bson.encode(doc))


def op_reply(request_id, response_to, doc):
    """An OP_REPLY of one document (responseFlags 8: AwaitCapable, as mongod sets it)."""
    return _frame(request_id, response_to, OP_REPLY,
                  struct.pack("<iqii", 8, 0, 0, 1) + bson.encode(doc))


# ----------------------------------------------------------------------------------------
# SCRAM
# ----------------------------------------------------------------------------------------

MECHANISMS = {"SCRAM-SHA-1": (hashlib.sha1, 10000), "SCRAM-SHA-256": (hashlib.sha256, 15000)}


def _hmac(key, msg, digest):
    return hmac.new(key, msg, digest).digest()


def _fields(message):
    try:
        return dict(item.split(b"=", 1) for item in message.split(b","))
    except ValueError:
        raise AuthError("malformed SCRAM message") from None


class AuthError(Exception):
    """The conversation failed: AuthenticationFailed (18)."""


class ScramServer:
    """One conversation: start(client-first) -> server-first, finish(client-final) ->
    server-final, both raising AuthError. The user is the one of --user; another name fails
    as a wrong password does (mongod says the same thing for both)."""

    def __init__(self, mechanism, user, password):
        if mechanism not in MECHANISMS:
            raise AuthError("Received authentication for mechanism %s which is not enabled" % mechanism)
        self.digest, self.iterations = MECHANISMS[mechanism]
        self.user = user
        if mechanism == "SCRAM-SHA-1":
            password = hashlib.md5(("%s:mongo:%s" % (user, password)).encode()).hexdigest()
        self.salt = os.urandom(16 if mechanism == "SCRAM-SHA-1" else 28)
        salted = hashlib.pbkdf2_hmac(self.digest().name, password.encode("utf-8"), self.salt, self.iterations)
        self.client_key = _hmac(salted, b"Client Key", self.digest)
        self.server_key = _hmac(salted, b"Server Key", self.digest)
        self.first_bare = self.server_first = self.nonce = None
        self.name_ok = False

    def start(self, client_first):
        if not client_first.startswith(b"n,"):
            raise AuthError("channel binding is not supported")
        _, _, bare = client_first.split(b",", 2)
        f = _fields(bare)
        if b"n" not in f or b"r" not in f:
            raise AuthError("malformed SCRAM client-first message")
        name = f[b"n"].replace(b"=2C", b",").replace(b"=3D", b"=").decode("utf-8", "replace")
        self.name_ok = name == self.user
        self.first_bare = bare
        self.nonce = f[b"r"] + base64.b64encode(os.urandom(24))
        self.server_first = b"r=%s,s=%s,i=%d" % (self.nonce, base64.b64encode(self.salt), self.iterations)
        return self.server_first

    def finish(self, client_final):
        f = _fields(client_final)
        if f.get(b"r") != self.nonce or b"p" not in f:
            raise AuthError("nonce mismatch")
        without_proof = client_final[:client_final.rindex(b",p=")]
        auth_msg = b",".join((self.first_bare, self.server_first, without_proof))
        stored_key = self.digest(self.client_key).digest()
        signature = _hmac(stored_key, auth_msg, self.digest)
        try:
            proof = base64.b64decode(f[b"p"], validate=True)
        except ValueError:
            raise AuthError("malformed proof") from None
        want = bytes(a ^ b for a, b in zip(self.client_key, signature))
        if not (self.name_ok and hmac.compare_digest(proof, want)):
            raise AuthError("wrong proof")
        return b"v=" + base64.b64encode(_hmac(self.server_key, auth_msg, self.digest))
