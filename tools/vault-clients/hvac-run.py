"""hvac (the Python Vault client) against okmsd's Vault KV v2 API: test tooling for test/e2e/vault-clients.test.ts.

VAULT_ADDR is https://<gateway>/api/<okmsId>; VAULT_CACERT the gateway CA; with CLIENT_CERT/CLIENT_KEY it speaks over
mTLS, with VAULT_TOKEN with a personal access token. strict_http=True: hvac then sends LIST as GET ?list=true, which
Node's HTTP parser (no LIST method) needs. Prints one JSON object of what each step saw; any error fails the run.
"""
import json
import os
import sys

import hvac

PATH = sys.argv[1]
cert = (os.environ["CLIENT_CERT"], os.environ["CLIENT_KEY"]) if os.environ.get("CLIENT_CERT") else None
client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ.get("VAULT_TOKEN"), cert=cert, verify=os.environ["VAULT_CACERT"], strict_http=True)
kv = client.secrets.kv.v2
seen = {}

seen["put"] = kv.create_or_update_secret(path=PATH, secret={"user": "app", "password": "s3cret"})["data"]["version"]
seen["put_cas"] = kv.create_or_update_secret(path=PATH, secret={"user": "app", "password": "rotated"}, cas=1)["data"]["version"]
try:
    kv.create_or_update_secret(path=PATH, secret={"lost": True}, cas=1)
    seen["stale_cas"] = "accepted"
except hvac.exceptions.InvalidRequest as error:
    seen["stale_cas"] = "refused"
seen["get"] = kv.read_secret_version(path=PATH, raise_on_deleted_version=True)["data"]["data"]
seen["get_v1"] = kv.read_secret_version(path=PATH, version=1, raise_on_deleted_version=True)["data"]["data"]
seen["patch"] = kv.patch(path=PATH, secret={"port": "5432"})["data"]["version"]
seen["after_patch"] = kv.read_secret_version(path=PATH, raise_on_deleted_version=True)["data"]["data"]
kv.create_or_update_secret(path=PATH + "/replica", secret={"host": "r1"})
seen["list"] = kv.list_secrets(path=PATH.rsplit("/", 1)[0])["data"]["keys"]
kv.delete_latest_version_of_secret(path=PATH)
try:
    kv.read_secret_version(path=PATH, raise_on_deleted_version=True)
    seen["after_delete"] = "readable"
except hvac.exceptions.InvalidPath:
    seen["after_delete"] = "deleted"
kv.undelete_secret_versions(path=PATH, versions=[3])
seen["after_undelete"] = kv.read_secret_version(path=PATH, raise_on_deleted_version=True)["data"]["data"]
kv.destroy_secret_versions(path=PATH, versions=[1])
kv.update_metadata(path=PATH, max_versions=7, custom_metadata={"owner": "payments"})
metadata = kv.read_secret_metadata(path=PATH)["data"]
seen["metadata"] = {"max_versions": metadata["max_versions"], "current_version": metadata["current_version"], "custom_metadata": metadata["custom_metadata"], "v1_destroyed": metadata["versions"]["1"]["destroyed"]}
# hvac has no subkeys call: its adapter reaches the endpoint as hvac reaches every other.
seen["subkeys"] = client.adapter.get(f"/v1/secret/subkeys/{PATH}")["data"]["subkeys"]
kv.delete_metadata_and_all_versions(path=PATH + "/replica")
try:
    kv.read_secret_metadata(path=PATH + "/replica")
    seen["after_metadata_delete"] = "present"
except hvac.exceptions.InvalidPath:
    seen["after_metadata_delete"] = "gone"
print(json.dumps(seen))
