/// Everything that can go wrong with a case, in terms a user can act on. Messages name the file
/// and the problem; the CLI maps the category to an exit code.
public struct RadiomicsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Category: String, Sendable {
        /// The command line or settings are wrong (exit code 2).
        case usage
        /// An input file is missing, unreadable or inconsistent (exit code 3).
        case input
        /// A bug or an unexpected condition inside the tool (exit code 4).
        case `internal`
    }

    public var category: Category
    /// The file the problem is about, if any.
    public var file: String?
    public var message: String

    public init(_ category: Category, file: String? = nil, _ message: String) {
        self.category = category
        self.file = file
        self.message = message
    }

    public static func input(_ file: String?, _ message: String) -> RadiomicsError {
        RadiomicsError(.input, file: file, message)
    }

    public static func usage(_ message: String) -> RadiomicsError {
        RadiomicsError(.usage, message)
    }

    /// One line: "FILE: message" or just the message.
    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
