import FuzzSupport

/// libFuzzer entry point: the bytes are a notebook file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotebook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  FuzzHarness.runNotebook(FuzzHarness.bytes(data, size))
  return 0
}
