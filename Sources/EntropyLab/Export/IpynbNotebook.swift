/// A notebook as a Jupyter notebook (nbformat 4.5), without running it:
/// `entropy-lab export FILE.md --ipynb OUT`. The Python package in
/// `python/` converts the same way (`entropylab_jupyter.convert`), and a
/// test checks that the two agree on every lesson.
///
/// The mapping:
/// - each piece of prose becomes a Markdown cell (the paragraph `save`
///   writes under the header is left out, as a replay leaves it out);
/// - each run of `lab` cells between two pieces of prose becomes one code
///   cell, its commands one per line; a cell whose recorded output is an
///   error ends its code cell, which is tagged `raises-exception` (the
///   kernel stops a code cell at its first failing line, as Jupyter does);
/// - each command's recorded output becomes a `display_data` output
///   (`text/plain`, metadata `{"entropylab": {"line": k}}`, k the 0-based
///   line of the command in the cell), an error a `stderr` stream;
/// - the header's version, seed, tolerance and title go to the notebook's
///   metadata under `entropylab`; a header seed also becomes a code cell
///   `seed N` (metadata `{"entropylab": {"role": "seed"}}`) before the first
///   command, since a kernel cannot read the notebook's metadata: it runs
///   like the `seed` cell a replay runs first.
///
/// Cell ids are `cell-1`, `cell-2`, … in order.
public enum IpynbNotebook {
  /// The kernel's name, as installed by `python -m entropylab_jupyter install`.
  public static let kernelName = "entropylab"

  /// The notebook metadata's `kernelspec`.
  public static let kernelspec: JSONValue = .object([
    ("display_name", .string("EntropyLab")), ("language", .string("entropylab")), ("name", .string(kernelName)),
  ])

  /// The notebook metadata's `language_info` (as the kernel reports it).
  public static let languageInfo: JSONValue = .object([
    ("file_extension", .string(".txt")), ("mimetype", .string("text/plain")), ("name", .string("entropylab")),
  ])

  /// The `.ipynb` file's text: indented one space per level, as Jupyter writes it.
  public static func document(_ notebook: Notebook) -> String {
    json(notebook).pretty() + "\n"
  }

  /// The notebook as nbformat 4.5 JSON.
  public static func json(_ notebook: Notebook) -> JSONValue {
    var cells: [JSONValue] = []
    var group: [NotebookCell] = []
    func nextID() -> JSONValue { .string("cell-\(cells.count + 1)") }
    func markdown(_ text: String) {
      cells.append(
        .object([
          ("cell_type", .string("markdown")), ("id", nextID()), ("metadata", .object([])), ("source", lines(text)),
        ]))
    }
    func code(_ source: String, metadata: [(String, JSONValue)], outputs: [JSONValue]) {
      cells.append(
        .object([
          ("cell_type", .string("code")), ("execution_count", .null), ("id", nextID()),
          ("metadata", .object(metadata)), ("outputs", .array(outputs)), ("source", lines(source)),
        ]))
    }
    func flush() {
      guard !group.isEmpty else { return }
      let failing = group.last?.recordedError ?? false
      code(
        group.map(\.command).joined(separator: "\n"),
        metadata: failing ? [("tags", .array([.string("raises-exception")]))] : [],
        outputs: group.enumerated().compactMap { output(of: $0.element, line: $0.offset) })
      group = []
    }
    func prose(before index: Int) {
      for piece in notebook.prose where piece.beforeCell == index {
        guard let text = NotebookWriter.withoutSavedIntro(piece.text) else { continue }
        flush()
        markdown(text)
      }
    }
    for (index, cell) in notebook.cells.enumerated() {
      prose(before: index)
      if index == 0, let seed = notebook.header?.seed {
        code("seed \(seed)", metadata: [("entropylab", .object([("role", .string("seed"))]))], outputs: [])
      }
      group.append(cell)
      if cell.recordedError { flush() }
    }
    flush()
    prose(before: notebook.cells.count)
    return .object([
      ("cells", .array(cells)),
      ("metadata", .object(metadata(notebook.header))),
      ("nbformat", .int(4)),
      ("nbformat_minor", .int(5)),
    ])
  }

  /// The notebook's metadata: the kernel, and the header under `entropylab`.
  static func metadata(_ header: NotebookHeader?) -> [(String, JSONValue)] {
    var fields: [(String, JSONValue)] = [("kernelspec", kernelspec), ("language_info", languageInfo)]
    guard let header else { return fields }
    var lab: [(String, JSONValue)] = []
    if let version = header.version { lab.append(("version", .string(version))) }
    if let seed = header.seed { lab.append(("seed", .unsigned(seed))) }
    if let tolerance = header.tolerance { lab.append(("tolerance", .string(tolerance.description))) }
    if let title = header.title { lab.append(("title", .string(title))) }
    fields.append(("entropylab", .object(lab)))
    return fields
  }

  /// A command's recorded output as a Jupyter output, nil when it has none.
  static func output(of cell: NotebookCell, line: Int) -> JSONValue? {
    guard !cell.output.isEmpty else { return nil }
    let text = cell.output.joined(separator: "\n")
    if cell.recordedError {
      return .object([("name", .string("stderr")), ("output_type", .string("stream")), ("text", lines(text + "\n"))])
    }
    return .object([
      ("data", .object([("text/plain", lines(text))])),
      ("metadata", .object([("entropylab", .object([("line", .int(line))]))])),
      ("output_type", .string("display_data")),
    ])
  }

  /// A multi-line string as nbformat stores it: a list of lines, each but
  /// the last ending with its newline.
  static func lines(_ text: String) -> JSONValue {
    guard !text.isEmpty else { return .array([]) }
    var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
    if let last = parts.last {
      parts[parts.count - 1] = String(last.dropLast())
      if parts[parts.count - 1].isEmpty { parts.removeLast() }
    }
    return .array(parts.map { .string($0) })
  }
}
