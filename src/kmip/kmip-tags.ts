/** The KMIP 1.x tags, enumerations and masks okmsd reads and writes (values from the KMIP 1.0–1.4 specifications). */
export const TAG = {
  ActivationDate: 0x420001, Attribute: 0x420008, AttributeIndex: 0x420009, AttributeName: 0x42000a, AttributeValue: 0x42000b,
  Authentication: 0x42000c, BatchCount: 0x42000d, BatchErrorContinuationOption: 0x42000e, BatchItem: 0x42000f, BatchOrderOption: 0x420010,
  CommonTemplateAttribute: 0x42001f, CompromiseOccurrenceDate: 0x420021, CryptographicAlgorithm: 0x420028, CryptographicLength: 0x42002a,
  CryptographicParameters: 0x42002b, CryptographicUsageMask: 0x42002c, DeactivationDate: 0x42002f, InitialDate: 0x420039,
  KeyBlock: 0x420040, KeyCompressionType: 0x420041, KeyFormatType: 0x420042, KeyMaterial: 0x420043, KeyValue: 0x420045,
  LastChangeDate: 0x420048, MaximumItems: 0x42004f, MaximumResponseSize: 0x420050, Name: 0x420053, NameType: 0x420054, NameValue: 0x420055,
  ObjectGroup: 0x420056, ObjectType: 0x420057, OpaqueDataType: 0x420059, OpaqueDataValue: 0x42005a, OpaqueObject: 0x42005b,
  Operation: 0x42005c, PrivateKey: 0x420064, PrivateKeyTemplateAttribute: 0x420065, PrivateKeyUniqueIdentifier: 0x420066,
  ProtocolVersion: 0x420069, ProtocolVersionMajor: 0x42006a, ProtocolVersionMinor: 0x42006b, PublicKey: 0x42006d,
  PublicKeyTemplateAttribute: 0x42006e, PublicKeyUniqueIdentifier: 0x42006f, QueryFunction: 0x420074, RecommendedCurve: 0x420075,
  RequestHeader: 0x420077, RequestMessage: 0x420078, RequestPayload: 0x420079, ResponseHeader: 0x42007a, ResponseMessage: 0x42007b,
  ResponsePayload: 0x42007c, ResultMessage: 0x42007d, ResultReason: 0x42007e, ResultStatus: 0x42007f, RevocationReason: 0x420081,
  RevocationReasonCode: 0x420082, SecretData: 0x420085, SecretDataType: 0x420086, ServerInformation: 0x420088, State: 0x42008d,
  SymmetricKey: 0x42008f, TemplateAttribute: 0x420091, TimeStamp: 0x420092, UniqueBatchItemId: 0x420093, UniqueIdentifier: 0x420094,
  VendorIdentification: 0x42009d, OriginalCreationDate: 0x4200bc, Sensitive: 0x420120, Extractable: 0x420122,
} as const;

export const OPERATION = {
  Create: 1, CreateKeyPair: 2, Register: 3, ReKey: 4, DeriveKey: 5, Certify: 6, Recertify: 7, Locate: 8, Check: 9, Get: 10,
  GetAttributes: 11, GetAttributeList: 12, AddAttribute: 13, ModifyAttribute: 14, DeleteAttribute: 15, ObtainLease: 16,
  GetUsageAllocation: 17, Activate: 18, Revoke: 19, Destroy: 20, Archive: 21, Recover: 22, Validate: 23, Query: 24, Cancel: 25,
  Poll: 26, Notify: 27, Put: 28, ReKeyKeyPair: 29, DiscoverVersions: 30,
} as const;
export type OperationName = keyof typeof OPERATION;
export const OPERATION_NAME = new Map<number, OperationName>(Object.entries(OPERATION).map(([name, code]) => [code, name as OperationName]));

export const RESULT_STATUS = { Success: 0, OperationFailed: 1 } as const;
export const RESULT_REASON = {
  ItemNotFound: 1, ResponseTooLarge: 2, AuthenticationNotSuccessful: 3, InvalidMessage: 4, OperationNotSupported: 5, MissingData: 6,
  InvalidField: 7, FeatureNotSupported: 8, CryptographicFailure: 10, IllegalOperation: 11, PermissionDenied: 12, KeyFormatTypeNotSupported: 16,
  NotExtractable: 23, ObjectAlreadyExists: 24, GeneralFailure: 0x100,
} as const;
export type ResultReason = keyof typeof RESULT_REASON;

export const OBJECT_TYPE = { Certificate: 1, SymmetricKey: 2, PublicKey: 3, PrivateKey: 4, SplitKey: 5, Template: 6, SecretData: 7, OpaqueObject: 8 } as const;
export type ObjectTypeName = keyof typeof OBJECT_TYPE;
export const ALGORITHM = { AES: 3, RSA: 4, ECDSA: 6 } as const;
export const STATE = { PreActive: 1, Active: 2, Deactivated: 3, Compromised: 4, Destroyed: 5, DestroyedCompromised: 6 } as const;
export const KEY_FORMAT = { Raw: 1, Opaque: 2, PKCS1: 3, PKCS8: 4, X509: 5, TransparentSymmetricKey: 7 } as const;
export const REVOCATION_REASON = { Unspecified: 1, KeyCompromise: 2, CACompromise: 3, AffiliationChanged: 4, Superseded: 5, CessationOfOperation: 6, PrivilegeWithdrawn: 7 } as const;
export const QUERY_FUNCTION = { QueryOperations: 1, QueryObjects: 2, QueryServerInformation: 3 } as const;
export const NAME_TYPE = { UninterpretedTextString: 1 } as const;
export const SECRET_DATA_TYPE = { Password: 1, Seed: 2 } as const;
export const CURVE = { P256: 7, P384: 10, P521: 12 } as const;
/** Cryptographic Usage Mask bits, and the service-key operation each stands for. */
export const USAGE = { Sign: 0x1, Verify: 0x2, Encrypt: 0x4, Decrypt: 0x8, WrapKey: 0x10, UnwrapKey: 0x20, Export: 0x40 } as const;
export const USAGE_OPERATIONS: ReadonlyArray<readonly [number, string]> = [
  [USAGE.Sign, 'sign'], [USAGE.Verify, 'verify'], [USAGE.Encrypt, 'encrypt'], [USAGE.Decrypt, 'decrypt'], [USAGE.WrapKey, 'wrapKey'], [USAGE.UnwrapKey, 'unwrapKey'],
];

/** The protocol versions okmsd speaks, newest first (Discover Versions answers from this list). */
export const VERSIONS: ReadonlyArray<readonly [number, number]> = [[1, 4], [1, 3], [1, 2], [1, 1], [1, 0]];
