"""PyKMIP's own KMIP server, the peer of bench/kmip: port, certificate, key, CA, work directory.

Serves with TLS client authentication and a SQLite database in the work directory; prints READY once listening.
"""
import os
import sys
import threading

from kmip.services.server import KmipServer

port, cert, key, ca, work = sys.argv[1:6]
server = KmipServer(
    hostname="127.0.0.1", port=int(port), certificate_path=cert, key_path=key, ca_path=ca, auth_suite="TLS1.2",
    config_path=None, policy_path=work, log_path=os.path.join(work, "pykmip-server.log"), enable_tls_client_auth=True,
    logging_level="WARNING", database_path=os.path.join(work, "pykmip.db"),
)
with server:
    threading.Timer(0.5, lambda: print("READY", flush=True)).start()
    server.serve()
