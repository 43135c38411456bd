/// What a command's handler may touch.
public enum CommandHandler: Sendable {
  /// Changes a working copy of the state; on error the copy is dropped, so
  /// the session is exactly as it was (or, for a command marked
  /// `changesInPlace`, the state itself, validated before any change).
  case state(@Sendable (inout LabState, inout ArgumentReader, CommandContext) throws(LabError) -> [Report])
  /// Acts on the session itself (help, quit, notebooks): these manage their
  /// own consistency.
  case session(@Sendable (Session, inout ArgumentReader) throws(LabError) -> [Report])
  /// Takes the rest of the line as typed, untokenised (quotes and `#`
  /// kept): `note`'s Markdown.
  case text(@Sendable (Session, String) throws(LabError) -> [Report])
}

/// What a state handler may know about its surroundings.
public struct CommandContext: Sendable {
  /// How results will be rendered.
  public var style: OutputStyle
  /// Polled between steps of long commands: true once Ctrl-C was pressed.
  public var isInterrupted: @Sendable () -> Bool
  /// Told after each step of a long command (done, total): a front end on a
  /// terminal draws a progress line.
  public var progress: @Sendable (Int, Int) -> Void = { _, _ in }
  /// Bytes the session holds outside the working state (checkpoints, cells,
  /// prose): a command checks what it would add to the state against
  /// `MemoryBudget` with this besides.
  public var heldBytes: Double = 0
}

/// One entry of the command table: the single source of the command's
/// help, completion and dispatch.
public struct Command: Sendable {
  /// The full name typed to run it.
  public var name: String
  /// Other names that run it.
  public var aliases: [String] = []
  /// The usage line, e.g. `step [n]`.
  public var usage: String
  /// One line: what it does.
  public var summary: String
  /// More lines for `help NAME`.
  public var details: [String] = []
  /// Words offered by Tab after the name.
  public var subwords: [String] = []
  /// The group it is listed under in `help`.
  public var group: String
  /// What it does.
  public var handler: CommandHandler
  /// Whether a run of it becomes a cell of the session. `note` adds prose
  /// instead, and `replay` adds the notebook's own cells and prose, as if
  /// they had been typed, rather than one cell repeating them all.
  public var recordsCell = true
  /// Whether a `.state` handler changes the session's state in place
  /// rather than a working copy (see `Session`'s rollback): the handler
  /// then validates everything before its first change and throws only
  /// before it, so a failed run leaves the state exactly as it was, and no
  /// S × K array is copied for rollback. Handlers that cannot promise this
  /// keep the default (a copy-on-write working copy).
  public var changesInPlace = false
  /// What Tab offers after the words typed so far (the command's name
  /// left out), for commands whose next word depends on the earlier ones;
  /// nil: the sub-words, whatever came before.
  public var completer: (@Sendable (_ typed: [String]) -> CompletionOffer)?
  /// `help COMMAND TOPIC`: the help of one of its topics (`help control
  /// cispo`), or nil for a word that is not one; nil: no topics.
  public var topicHelp: (@Sendable (_ topic: String) -> String?)?

  /// A command from its parts.
  public init(
    name: String, aliases: [String] = [], usage: String, summary: String, details: [String] = [],
    subwords: [String] = [], group: String, recordsCell: Bool = true, changesInPlace: Bool = false,
    completer: (@Sendable (_ typed: [String]) -> CompletionOffer)? = nil,
    topicHelp: (@Sendable (_ topic: String) -> String?)? = nil, handler: CommandHandler
  ) {
    self.topicHelp = topicHelp
    self.completer = completer
    self.recordsCell = recordsCell
    self.changesInPlace = changesInPlace
    self.name = name
    self.aliases = aliases
    self.usage = usage
    self.summary = summary
    self.details = details
    self.subwords = subwords
    self.group = group
    self.handler = handler
  }
}

/// What Tab may complete the next word of a line to.
public enum CompletionOffer: Sendable, Equatable {
  /// These words (filtered by what was typed of the word).
  case words([String])
  /// A file name (the front end completes it from the file system).
  case fileName
}
