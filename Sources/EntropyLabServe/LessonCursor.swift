import EntropyLab

/// Where a lesson opened with `serve FILE.md` stands: its cells as the
/// presenter walks them (`Presentation`) and how many of them have run.
struct LessonCursor: Sendable {
  /// The notebook's cells and their prose.
  let presentation: Presentation
  /// The notebook's path as given.
  let path: String
  /// How many cells have run.
  var index = 0

  /// The lesson for the page: the prose of the section being worked on
  /// (as HTML), the commands of that section with which have run, the next
  /// command, and the closing prose once every cell has run.
  var json: JSONValue {
    let slides = presentation.slides
    var fields: [(String, JSONValue)] = [
      ("path", .string(path)), ("position", .int(index)), ("count", .int(slides.count)),
    ]
    let pending = index < slides.count
    if slides.isEmpty {
      fields.append(("prose_html", .string(ProseHTML.html(presentation.closing ?? ""))))
      fields.append(("section", .array([])))
      fields.append(("next", .null))
      return .object(fields)
    }
    let focus = pending ? index : max(index - 1, 0)
    let start = presentation.sectionStart(of: focus)
    var end = start + 1
    while end < slides.count && slides[end].prose == nil { end += 1 }
    fields.append(("prose_html", .string(ProseHTML.html(slides[start].prose ?? ""))))
    fields.append(
      (
        "section",
        .array(
          (start..<end).map { j in
            .object([("cell", .int(j + 1)), ("command", .string(slides[j].command)), ("ran", .bool(j < index))])
          })
      ))
    fields.append(("next", pending ? .string(slides[index].command) : .null))
    let closing = !pending ? presentation.closing.map { ProseHTML.html($0) } : nil
    fields.append(("closing_html", closing.map { .string($0) } ?? .null))
    return .object(fields)
  }
}
