import FuzzSupport

/// libFuzzer entry point: the bytes choose a notebook's structure
/// (`NotebookGenerator`), which is parsed and replayed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotebookStructure(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  FuzzHarness.runNotebook(text: NotebookGenerator.text(from: FuzzHarness.bytes(data, size)))
  return 0
}
