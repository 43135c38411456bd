import EntropyCore
import Foundation

/// `export svg|html|csv|json FILE`: pictures and data out of the shell —
/// the last plot as SVG, the session as an HTML handout, the trajectory
/// as CSV or JSON.
enum ExportCommands {
  static let all: [Command] = [export]

  /// The formats `export` writes.
  static let formats = ["svg", "html", "csv", "json"]

  /// The usage line of each format, quoted in its errors.
  static let usages = [
    "svg": "export svg FILE", "html": "export html FILE [TITLE]", "csv": "export csv FILE", "json": "export json FILE",
  ]

  /// The title of a handout when none is given.
  static let defaultTitle = "EntropyLab session"

  static let export = Command(
    name: "export", usage: "export svg|html|csv|json FILE",
    summary:
      "Write the last plot (svg), the session as an HTML handout (html) or the trajectory or last sweep (csv, json) to FILE.",
    details: [
      "svg   the last chart drawn by 'plot' or 'compare': axes, ticks, labels, legend (720 × 360)",
      "html  the session so far as one self-contained page: prose (note, # comments, replayed",
      "      notebooks' prose) and every cell (command, tables, text, charts, errors); file and",
      "      checkpoint commands are left out;",
      "      words after FILE are its title: export html lesson.html Entropy collapse",
      "csv   the trajectory, one row per step, every metric (17 significant digits), with a header",
      "json  the trajectory as an array of objects with the keys of 'step' in JSON",
      "      After a 'sweep' (until a step changes the trajectory), csv and json write the sweep tidy:",
      "      one row per combination × seed × step: run, combination, each swept KEY, seed, every metric.",
      "",
      "FILE is replaced atomically: readers see the old file or the new one, never half of one,",
      "and a failed export leaves the old file as it was.",
    ],
    subwords: formats,
    group: "Export",
    completer: { typed in typed.isEmpty ? .words(formats) : typed.count == 1 ? .fileName : .words([]) },
    handler: .session { session, args throws(LabError) in
      let format = try args.choice("a format", formats)
      args.usage = usages[format] ?? args.usage
      let path = try args.next("a file name FILE")
      var title = defaultTitle
      if format == "html" && !args.isAtEnd {
        title = args.remaining.map(\.text).joined(separator: " ")
        while !args.isAtEnd { _ = try args.next("a title") }
      }
      try args.expectEnd()
      let destination = try checkedDestination(path, session: session, args: args)
      let text: String
      let what: String
      switch format {
      case "svg":
        guard let plot = session.lastPlot else {
          throw args.error("nothing has been plotted yet ('plot entropy' or 'compare' first)")
        }
        text = SVGChart.document(plot)
        let points = plot.series.reduce(0) { $0 + $1.y.count }
        what = "plot '\(plot.title)' (\(plot.series.count) series, \(points) points)"
      case "html":
        let items = HandoutItem.items(from: session)
        guard !items.isEmpty else { throw args.error("nothing to export yet: no cells have run") }
        text = HTMLHandout.render(title: title, items: items)
        what = HTMLHandout.describe(items)
      default:
        if let sweep = session.currentSweep {
          text = format == "csv" ? SweepExport.csv(sweep) : SweepExport.json(sweep)
          let rows = SweepExport.rowCount(sweep)
          what = "the sweep tidy, \(rows) row\(rows == 1 ? "" : "s") (\(sweep.runs.count) runs × their steps)"
          break
        }
        // The current segment, as 'history' shows it.
        let trajectory = Array(session.state.segment)
        guard !trajectory.isEmpty else {
          throw args.error("nothing to export yet: no steps taken ('step' or 'run N' first)")
        }
        text = format == "csv" ? TrajectoryExport.csv(trajectory) : TrajectoryExport.json(trajectory)
        what = "\(trajectory.count) step\(trajectory.count == 1 ? "" : "s")"
      }
      do throws(FileError) {
        try AtomicFile.write(text, to: destination, displayPath: path)
      } catch {
        throw LabError(command: "export", word: path, problem: error.problem)
      }
      return [.message("export \(format): wrote \(what) to \(path)")]
    })

  /// The file an export may write, from the `FILE` the user typed: the one
  /// place where export paths are checked, so one check covers every format.
  ///
  /// `~/` is expanded; a relative path is relative to the working folder.
  /// The session's `FileAccessPolicy` then decides: a line the user typed
  /// may write anywhere; a replayed notebook's cell only where its replay
  /// allows (`--allow-writes DIR`, `--trust`), and every refusal is logged.
  ///
  /// - Throws: `LabError` for an empty path or a refused one.
  static func checkedDestination(_ path: String, session: Session, args: ArgumentReader) throws(LabError)
    -> FileLocation
  {
    guard !path.isEmpty else { throw args.error("needs a file name FILE", word: path) }
    let expanded = (path as NSString).expandingTildeInPath
    return try session.fileAccess.authorizeWrite(expanded, command: "export")
  }
}
