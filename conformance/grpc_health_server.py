#!/usr/bin/env python3
"""A gRPC Health Checking Protocol server for the conformance cases (grpc liveness probes).

Usage: grpc_health_server.py PORT STATUSFILE HITSFILE

Serves grpc.health.v1.Health/Check on 127.0.0.1:PORT with grpcio's generic handlers. The two messages have one
field each, so they are encoded by hand (no generated code, no protobuf package):
  HealthCheckRequest  { string service = 1; }                  -> tag 0x0a, length, UTF-8
  HealthCheckResponse { ServingStatus status = 1; }            -> tag 0x08, varint (1 SERVING, 2 NOT_SERVING)
STATUSFILE is re-read on every call: a line "SERVING" / "NOT_SERVING" applies to every service, a line
"<service> <STATUS>" to that service (more specific wins); a service named nowhere gets NOT_FOUND, as the
reference server does. Each call appends "<unix time> <service>" to HITSFILE.
"""
import sys
import time
from concurrent import futures

import grpc

STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}


def decode_service(data: bytes) -> str:
    """The `service` field of a HealthCheckRequest (field 1, wire type 2); other fields are skipped."""
    i, service = 0, ""
    while i < len(data):
        key, i = varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 2:
            n, i = varint(data, i)
            if field == 1:
                service = data[i:i + n].decode("utf-8")
            i += n
        elif wire == 0:
            _, i = varint(data, i)
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return service


def varint(data: bytes, i: int):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def encode_response(status: int) -> bytes:
    return bytes([0x08, status]) if status else b""


def main() -> None:
    port, status_file, hits_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    def check(service: str, context):
        with open(hits_file, "a") as f:
            f.write(f"{time.time():.3f} {service}\n")
        default, per = None, {}
        with open(status_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 1:
                    default = parts[0]
                elif len(parts) == 2:
                    per[parts[0]] = parts[1]
        st = per.get(service, default)
        if st is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return STATUS[st]

    handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            check, request_deserializer=decode_service, response_serializer=encode_response),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((handler,))
    if server.add_insecure_port(f"127.0.0.1:{port}") == 0:
        sys.exit(f"grpc_health_server: cannot listen on 127.0.0.1:{port}")
    server.start()
    print(f"grpc_health_server: serving on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
