import FuzzSupport

/// libFuzzer entry point: the bytes are a script of shell lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommands(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  FuzzHarness.runCommands(FuzzHarness.bytes(data, size))
  return 0
}
