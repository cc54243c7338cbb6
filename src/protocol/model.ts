/** The schema enums of the client API (Milvus's schema.proto and common.proto numbers). */
export enum ConsistencyLevel {
  Strong = 0,
  Session = 1,
  Bounded = 2,
  Eventually = 3,
  Customized = 4,
}

export enum DataType {
  None = 0,
  Bool = 1,
  Int8 = 2,
  Int16 = 3,
  Int32 = 4,
  Int64 = 5,
  Float = 10,
  Double = 11,
  String = 20,
  VarChar = 21,
  Array = 22,
  JSON = 23,
  Geometry = 24,
  Text = 25,
  Timestamptz = 26,
  BinaryVector = 100,
  FloatVector = 101,
  Float16Vector = 102,
  BFloat16Vector = 103,
  SparseFloatVector = 104,
  Int8Vector = 105,
  ArrayOfVector = 106,
  ArrayOfStruct = 200,
}
