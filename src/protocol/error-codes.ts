/**
 * The one table of error codes: Milvus's numeric codes (merr), the legacy `error_code` enum value each
 * maps to, and whether a client may retry. Nothing matches on message strings.
 */
export const ErrorCodes = {
  Success: { code: 0, legacy: 0, retriable: false },
  ServiceNotReady: { code: 1, legacy: 56, retriable: true },
  /** A call this server does not serve (the Milvus port's data-plane calls: a metadata coordinator has no data). */
  ServiceUnimplemented: { code: 10, legacy: 1, retriable: false },
  CollectionNotFound: { code: 100, legacy: 4, retriable: false },
  CollectionNumLimitExceeded: { code: 102, legacy: 1, retriable: false },
  CollectionIllegalSchema: { code: 105, legacy: 1, retriable: false },
  CollectionVectorClusteringKeyNotAllowed: { code: 107, legacy: 1, retriable: false },
  PartitionNotFound: { code: 200, legacy: 1, retriable: false },
  GeneralCapacityExceeded: { code: 250, legacy: 1, retriable: false },
  DatabaseNotFound: { code: 800, legacy: 1, retriable: false },
  DatabaseNumLimitExceeded: { code: 801, legacy: 1, retriable: false },
  DatabaseInvalidName: { code: 802, legacy: 1, retriable: false },
  ParameterInvalid: { code: 1100, legacy: 5, retriable: false },
  ParameterMissing: { code: 1101, legacy: 5, retriable: false },
  PrivilegeNotPermitted: { code: 1401, legacy: 1, retriable: false },
  FieldNameInvalid: { code: 1701, legacy: 1, retriable: false },
  AliasNotFound: { code: 1600, legacy: 1, retriable: false },
  AliasCollectionNameConflict: { code: 1601, legacy: 1, retriable: false },
  AliasAlreadyExist: { code: 1602, legacy: 1, retriable: false },
  /** Missing or wrong credentials (Milvus's ErrPrivilegeNotAuthenticated): the client's code for gRPC UNAUTHENTICATED. */
  PrivilegeNotAuthenticated: { code: 1400, legacy: 1, retriable: false },
  /** rootcoord's own: a bounded queue is full. */
  QueueFull: { code: 2001, legacy: 1, retriable: true },
  /** rootcoord's own: the outcome is unknown (a timeout after the request may have taken effect). */
  OutcomeUnknown: { code: 2002, legacy: 1, retriable: false },
  /** Milvus maps plain errors (duplicate db, too many partitions, ...) to 65535; so do we. */
  Unexpected: { code: 65535, legacy: 1, retriable: false },
} as const;

export type ErrorName = keyof typeof ErrorCodes;
