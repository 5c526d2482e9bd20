"""PyKMIP's own client against okmsd's KMIP server: test tooling for test/e2e/pykmip.test.ts.

Arguments: port, client certificate, client key, CA (the gateway CA). Runs the operations KMIP clients such as
vCenter and backup systems use and prints one JSON object of what each step saw; any exception fails the run.
"""
import json
import sys

from kmip.core import enums
from kmip.core.factories import attributes as attribute_factory
from kmip.pie import client, objects

port, cert, key, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
attrs = attribute_factory.AttributeFactory()


def ename(item):
    """An enumeration's name, whether PyKMIP hands back the enum member or its TTLV wrapper."""
    return item.name if hasattr(item, "name") and not hasattr(item, "tag") else item.value.name

seen = {}
with client.ProxyKmipClient(hostname="127.0.0.1", port=int(port), cert=cert, key=key, ca=ca, kmip_version=enums.KMIPVersion.KMIP_1_2) as c:
    seen["versions"] = [str(v) for v in c.proxy.discover_versions().protocol_versions]
    query = c.proxy.query(query_functions=[enums.QueryFunction.QUERY_OPERATIONS, enums.QueryFunction.QUERY_OBJECTS])
    seen["query_operations"] = sorted(ename(op) for op in query.operations)
    seen["query_objects"] = sorted(ename(t) for t in query.object_types)

    uid = c.create(enums.CryptographicAlgorithm.AES, 256, name="pykmip-aes",
                   cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT])
    seen["create_state"] = c.get_attributes(uid, ["State"])[1][0].attribute_value.value.name
    c.activate(uid)
    key_object = c.get(uid)
    seen["get"] = {"type": type(key_object).__name__, "bytes": len(key_object.value), "algorithm": key_object.cryptographic_algorithm.name, "length": key_object.cryptographic_length}
    got = {a.attribute_name.value: a.attribute_value for a in c.get_attributes(uid, ["State", "Cryptographic Length", "Name", "Cryptographic Algorithm"])[1]}
    seen["attributes"] = {"State": got["State"].value.name, "Cryptographic Length": got["Cryptographic Length"].value, "Name": got["Name"].name_value.value, "Cryptographic Algorithm": got["Cryptographic Algorithm"].value.name}
    seen["attribute_list"] = sorted(c.get_attribute_list(uid))
    seen["locate_by_name"] = c.locate(attributes=[attrs.create_attribute(enums.AttributeType.NAME, "pykmip-aes")]) == [uid]
    seen["locate_active_aes"] = uid in c.locate(attributes=[attrs.create_attribute(enums.AttributeType.STATE, enums.State.ACTIVE), attrs.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_ALGORITHM, enums.CryptographicAlgorithm.AES)])

    secret = objects.SecretData(b"the vCenter password", enums.SecretDataType.PASSWORD, name="pykmip-secret")
    secret_uid = c.register(secret)
    c.activate(secret_uid)
    seen["secret"] = c.get(secret_uid).value.decode()

    public_uid, private_uid = c.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048, public_name="pykmip-rsa-pub", private_name="pykmip-rsa",
                                               public_usage_mask=[enums.CryptographicUsageMask.VERIFY], private_usage_mask=[enums.CryptographicUsageMask.SIGN])
    public = c.get(public_uid)
    seen["key_pair"] = {"public": type(public).__name__, "public_format": public.key_format_type.name, "private": type(c.get(private_uid)).__name__}

    c.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
    seen["revoked_state"] = c.get_attributes(uid, ["State"])[1][0].attribute_value.value.name
    c.destroy(uid)
    try:
        c.get(uid)
        seen["after_destroy"] = "readable"
    except Exception as error:
        seen["after_destroy"] = type(error).__name__
    try:
        c.activate("00000000-0000-4000-8000-000000000000")
        seen["missing"] = "activated"
    except Exception as error:
        seen["missing"] = str(getattr(error, "reason", error))
print(json.dumps(seen))
