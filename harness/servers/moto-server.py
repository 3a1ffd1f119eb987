"""moto's S3 server mode on 127.0.0.1 and a free port, supervised by its parent's pipe.

Prints one JSON line on stdout: {"port": N} when listening, or {"error": "..."} when moto is
missing. Exits when stdin reaches end of file, i.e. when the parent closes it or dies (even by
SIGKILL), so the server never outlives the run that started it.
"""
import json
import logging
import os
import signal
import sys

try:
    from moto.server import ThreadedMotoServer
except ImportError as error:  # moto, or its server extras (flask, werkzeug), missing
    print(json.dumps({"error": f"{sys.executable}: cannot import moto.server ({error})"}), flush=True)
    sys.exit(3)

logging.getLogger("werkzeug").setLevel(logging.ERROR)
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
signal.signal(signal.SIGINT, lambda *_: os._exit(0))

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(json.dumps({"port": server.get_host_and_port()[1]}), flush=True)
sys.stdin.read()
os._exit(0)
